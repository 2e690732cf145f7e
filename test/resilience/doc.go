// Package resilience holds end-to-end fault and load tests of the gateway:
// the real handler served over HTTP on 127.0.0.1, Bedrock models talking to
// the fake Bedrock through the real AWS SDK, ELIZA as the fallback, and JWT
// plus payload-hash checks against a test issuer.
//
// The tests check what a client sees frame by frame under concurrent
// faults (throttling storms, cut streams, slow first tokens, a key-set
// outage), that a slow reader applies backpressure instead of growing the
// heap, and that client disconnects release every goroutine and upstream
// stream. Set CHATBOT_SOAK (e.g. 60s) to run the mixed load for that long
// while reporting RSS and goroutines.
//
// The package has no non-test code; timing targets live in cmd/chatbench.
package resilience
