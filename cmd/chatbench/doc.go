// Command chatbench measures what the gateway adds to a model's stream.
//
// It starts the fake Bedrock and the real gateway in this process, each on
// its own loopback port, with JWT auth and the payload hash required, and
// the Bedrock model talking to the fake through the real AWS SDK. It then
// measures, and prints beside their targets:
//
//   - added time to first byte: the gateway's TTFB minus the fake's own,
//     sequentially and at concurrency 10 and 100 (p50, p95, p99);
//   - per-chunk relay overhead: each fake chunk carries its send time, the
//     client notes its arrival (p50, p99);
//   - throughput of one unpaced stream in frames per second, and heap
//     allocations per frame;
//   - peak RSS and goroutines at 1, 100 and 200 concurrent streams;
//   - cold start and peak RSS of the real binary under a fake Lambda
//     Runtime API (from BenchmarkColdStart in cmd/chatbot), and the size of
//     dist/chatbot.zip.
//
// Results go to stdout as a table and to -out as JSON. Everything runs in
// one process, so memory figures include the fake and the client: they are
// upper bounds for the gateway. On a shared machine the numbers are noisy;
// each measurement warms up first and takes many samples.
//
// Usage:
//
//	go run ./cmd/chatbench [-quick] [-out bench/results.json] [-coldstart=false]
package main
