// Command fakebedrock serves the fake Bedrock runtime on 127.0.0.1 for local
// runs and benchmarks. Point the gateway at it with
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME=<printed URL> and dummy AWS credentials.
package main
