// Command chatbench measures what the gateway adds to a model's stream,
// against a floor: the least a server can do to relay the same stream.
//
// It starts the fake Bedrock and a JWKS issuer in this process, and two
// servers, each in a process of its own (this program started again), on
// loopback:
//
//   - the gateway, assembled by app.New from the environment as the chatbot
//     command does, with JWT auth and the payload hash required, metrics
//     on, its log lines formatted and dropped, and the Bedrock model talking
//     to the fake through the real AWS SDK;
//   - the floor (floor.go): the same AWS SDK call, the same event-stream
//     reader (internal/bedrock/invokestream) and chunk decoding, one Write
//     per SSE frame of the same bytes, and nothing else.
//
// Every figure is taken for both in the same run, under the same load, and
// reported as gateway, floor and their ratio, so a busy machine does not
// decide a verdict that a ratio can:
//
//   - CPU time per answer: the server process's CPU time over a run of
//     whole 20-chunk answers, divided by the answers, from one client and
//     from 10 concurrent clients;
//   - heap allocations per relayed frame, and CPU time per frame, in the
//     server process over one long unpaced stream;
//   - goroutines per open stream and peak RSS at 1, 100 and 200 concurrent
//     streams;
//   - chunk relay latency: each fake chunk carries its send time, the
//     client notes its arrival (p50, p99), through each server and from the
//     fake straight to the client;
//   - added time to first byte: each server's TTFB minus the fake's own,
//     sequentially and at concurrency 10 and 100;
//   - throughput of one unpaced stream in frames per second;
//   - 500 concurrent streams of 100 chunks 20 ms apart: chunk relay and
//     time to first token (p50, p99), peak RSS, CPU time and failed
//     streams;
//   - the Lambda cold start of the real binary under a fake Runtime API
//     (BenchmarkColdStart in cmd/chatbot), and the size of dist/chatbot.zip.
//
// Results go to stdout as a table with each target's verdict, and to -out
// as JSON, with the command and the load average beside them. -cpuprofile,
// -memprofile and -goroutines write the servers' profiles (the floor's with
// a .floor suffix); -steps runs some of the measurements only.
//
// Usage:
//
//	go run ./cmd/chatbench [-quick] [-steps cpu,throughput] [-cpuprofile cpu.prof] [-out bench/results.json]
package main
