package main_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fakeRuntime speaks the Lambda Runtime API (2018-06-01) on 127.0.0.1: it
// hands out queued invocations from /next and reads each streamed response
// as it arrives, noting when every byte came.
type fakeRuntime struct {
	srv     *httptest.Server
	events  chan invocation
	results chan *response
	initErr chan initError
	// jobs are the asynchronous invocations (fakeLambda queues them),
	// whose responses go to jobResults instead of results.
	jobs       chan invocation
	jobResults chan *response
}

type invocation struct {
	id       string
	deadline time.Time
	event    []byte
}

type response struct {
	id, contentType string
	contentLength   int64 // -1 when the body is streamed (chunked)
	body            []byte
	arrivals        []arrival // after each read: when, and how many bytes so far
	errorPosted     bool
}

type arrival struct {
	at time.Time
	n  int
}

type initError struct {
	errorType string
	body      map[string]any
}

func newFakeRuntime(t testing.TB) *fakeRuntime {
	t.Helper()
	f := &fakeRuntime{
		events:  make(chan invocation, 16),
		results: make(chan *response, 16),
		initErr: make(chan initError, 1),
		jobs:    make(chan invocation, 16), jobResults: make(chan *response, 16),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// addr is the value for AWS_LAMBDA_RUNTIME_API.
func (f *fakeRuntime) addr() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *fakeRuntime) serve(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/"
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		var inv invocation
		select {
		case inv = <-f.events:
		case inv = <-f.jobs:
		case <-r.Context().Done():
			return
		}
		{
			h := w.Header()
			h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
			h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:chatbot")
			h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
			h.Set("Content-Type", "application/json")
			_, _ = w.Write(inv.event)
		}
	case r.Method == http.MethodPost && path == "init/error":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.initErr <- initError{errorType: r.Header.Get("Lambda-Runtime-Function-Error-Type"), body: body}
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, _ := strings.Cut(rest, "/")
		res := &response{id: id, contentType: r.Header.Get("Content-Type"),
			contentLength: r.ContentLength, errorPosted: kind == "error"}
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Body.Read(buf)
			if n > 0 {
				res.body = append(res.body, buf[:n]...)
				res.arrivals = append(res.arrivals, arrival{time.Now(), len(res.body)})
			}
			if err != nil {
				break
			}
		}
		w.WriteHeader(http.StatusAccepted)
		if strings.HasPrefix(id, jobPrefix) {
			f.jobResults <- res
		} else {
			f.results <- res
		}
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	}
}

// invoke queues a function URL invocation and waits for its response.
func (f *fakeRuntime) invoke(t testing.TB, id string, deadline time.Time, req events.LambdaFunctionURLRequest) *response {
	t.Helper()
	ev, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	f.events <- invocation{id: id, deadline: deadline, event: ev}
	select {
	case res := <-f.results:
		if res.id != id {
			t.Fatalf("response for %q, want %q", res.id, id)
		}
		return res
	case <-time.After(30 * time.Second):
		t.Fatalf("no response to invocation %s within 30s", id)
		return nil
	}
}

// prelude is the JSON head of an http-integration-response stream.
type prelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

var separator = make([]byte, 8) // eight NUL bytes end the prelude

// split parses the streamed response into its prelude and body, and
// returns the offset where the body starts.
func (res *response) split(t testing.TB) (prelude, []byte, int) {
	t.Helper()
	i := bytes.Index(res.body, separator)
	if i < 0 {
		t.Fatalf("no 8-NUL separator in response %q", res.body)
	}
	var p prelude
	if err := json.Unmarshal(res.body[:i], &p); err != nil {
		t.Fatalf("prelude %q is not JSON: %v", res.body[:i], err)
	}
	start := i + len(separator)
	return p, res.body[start:], start
}

// arrivedBy reports when the response had at least n bytes.
func (res *response) arrivedBy(n int) time.Time {
	for _, a := range res.arrivals {
		if a.n >= n {
			return a.at
		}
	}
	return time.Time{}
}

// functionURLRequest builds a function URL event (payload version 2.0).
func functionURLRequest(method, path string, headers map[string]string, body string, b64 bool) events.LambdaFunctionURLRequest {
	return events.LambdaFunctionURLRequest{
		Version:         "2.0",
		RawPath:         path,
		Headers:         headers,
		Body:            body,
		IsBase64Encoded: b64,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:  "123456789012",
			RequestID:  "req",
			DomainName: "abc123.lambda-url.us-east-1.on.aws",
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "wire-test",
			},
		},
	}
}

// syncBuffer is a bytes.Buffer safe for a process's output and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)
