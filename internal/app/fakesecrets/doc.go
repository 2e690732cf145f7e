// Package fakesecrets is a fake AWS Secrets Manager for tests: an HTTP
// server on 127.0.0.1 that answers GetSecretValue in the service's own
// protocol, so the real AWS SDK client (and the real binary, pointed at it
// with AWS_ENDPOINT_URL_SECRETS_MANAGER) talks to it. It is not a general
// Secrets Manager: it serves fixed secrets and nothing else.
package fakesecrets
