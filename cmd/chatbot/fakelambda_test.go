package main_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// jobPrefix starts the invocation ids of the asynchronous invocations
// fakeLambda queues, so the fake runtime tells their responses apart.
const jobPrefix = "job-"

// fakeLambda speaks the one call of the Lambda API the gateway makes,
// Invoke (POST /2015-03-31/functions/{FunctionName}/invocations), as the
// AWS Lambda API reference and the SDK's request snapshot
// (service/lambda request_snapshot/Invoke.request.snap) describe it: the
// payload is the body, X-Amz-Invocation-Type: Event asks for an
// asynchronous invocation, answered 202 with an empty body. Each payload
// is queued as a later event of the fake runtime, as Lambda's own queue
// would deliver it (real Lambda delivers it to any instance, after a delay
// not modelled here, possibly more than once: tests redeliver by hand).
// Not modelled, and unverified here: request signing, throttling, the
// event age limit.
type fakeLambda struct {
	srv  *httptest.Server
	rt   *fakeRuntime
	fail atomic.Bool // answer every Invoke with AccessDeniedException

	mu       sync.Mutex
	payloads [][]byte
	n        int
	function string
}

func newFakeLambda(t testing.TB, rt *fakeRuntime) *fakeLambda {
	t.Helper()
	f := &fakeLambda{rt: rt}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLambda) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if r.Method != http.MethodPost || !ok || !ok2 {
		f.error(w, http.StatusNotFound, "ResourceNotFoundException", "unexpected "+r.Method+" "+r.URL.Path)
		return
	}
	name, _ = url.PathUnescape(name)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.error(w, http.StatusForbidden, "AccessDeniedException", "request not signed")
		return
	}
	if f.fail.Load() {
		f.error(w, http.StatusForbidden, "AccessDeniedException", "not authorized to perform lambda:InvokeFunction")
		return
	}
	if got := r.Header.Get("X-Amz-Invocation-Type"); got != "Event" {
		f.error(w, http.StatusBadRequest, "InvalidParameterValueException", "this fake queues only Event invocations, got "+got)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil || len(body) > 1<<20 {
		// "For asynchronous invocations, the maximum payload size is 1 MB."
		f.error(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "payload over 1 MB")
		return
	}
	f.mu.Lock()
	f.payloads = append(f.payloads, body)
	f.n++
	f.function = name
	id := fmt.Sprintf("%s%d", jobPrefix, f.n)
	f.mu.Unlock()
	f.rt.jobs <- invocation{id: id, deadline: time.Now().Add(10 * time.Minute), event: body}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	w.WriteHeader(http.StatusAccepted)
}

func (f *fakeLambda) error(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-Errortype", typ)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"Type":"User","message":%q}`, msg)
}

// last returns the last payload Invoke was given, and the function named.
func (f *fakeLambda) last(t testing.TB) ([]byte, string) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.payloads) == 0 {
		t.Fatal("the function never invoked itself")
	}
	return f.payloads[len(f.payloads)-1], f.function
}

// deliver queues event as an asynchronous invocation id and waits for it
// to end: a redelivery, or an event the function never sent.
func (f *fakeLambda) deliver(t testing.TB, id string, event []byte) *response {
	t.Helper()
	f.rt.jobs <- invocation{id: jobPrefix + id, deadline: time.Now().Add(10 * time.Minute), event: event}
	return f.rt.waitJob(t, jobPrefix+id)
}

// waitJob waits for the asynchronous invocation id to end.
func (f *fakeRuntime) waitJob(t testing.TB, id string) *response {
	t.Helper()
	select {
	case res := <-f.jobResults:
		if res.id != id {
			t.Fatalf("job response for %q, want %q", res.id, id)
		}
		return res
	case <-time.After(30 * time.Second):
		t.Fatalf("job %s did not end within 30s", id)
		return nil
	}
}
