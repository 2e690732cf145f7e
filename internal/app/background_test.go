package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// jobsHandler is an http.Handler that also runs jobs, recording them.
type jobsHandler struct {
	http.Handler
	ran []gateway.JobEvent
	err error
}

func (j *jobsHandler) RunJob(_ context.Context, ev gateway.JobEvent) error {
	j.ran = append(j.ran, ev)
	return j.err
}

// TestLambdaEntryDispatch: an event whose top-level object has the job key
// runs the job; every other event is a function URL event, served as
// before, its streamed response still an io.Reader for aws-lambda-go to
// stream; an event that is not an object fails as aws-lambda-go fails it.
func TestLambdaEntryDispatch(t *testing.T) {
	t.Parallel()
	url, err := os.ReadFile("testdata/function-url-get-models.json")
	if err != nil {
		t.Fatal(err)
	}
	// A client can put the key in its request, but only inside the event.
	nested, err := json.Marshal(events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/healthz", Body: `{"chatbot_background_job":{"id":"x"}}`,
		RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "GET", Path: "/healthz"}}})
	if err != nil {
		t.Fatal(err)
	}
	job := gateway.JobEvent{Caller: "key:ci", ID: "resp_1", Hash: "abc"}
	jobEvent, _ := json.Marshal(map[string]any{app.JobKey: job})
	for _, tc := range []struct {
		name    string
		event   string
		runErr  error
		wantJob bool
		wantErr bool
		status  int // of a served URL event
	}{
		{name: "job", event: string(jobEvent), wantJob: true},
		{name: "job that could not be looked at", event: string(jobEvent), runErr: errors.New("store down"), wantJob: true, wantErr: true},
		{name: "function URL event", event: string(url), status: 200},
		{name: "the key nested in a request", event: string(nested), status: 200},
		// Served through the stand-in request, as before (the gateway
		// answers it with its malformed-request 400).
		{name: "null event", event: "null", status: 200},
		{name: "not an object", event: `[1,2]`, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := &jobsHandler{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "served "+r.URL.Path)
			}), err: tc.runErr}
			out, err := app.LambdaEntry(h)(context.Background(), json.RawMessage(tc.event))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v; want an error: %v", err, tc.wantErr)
			}
			if got := len(h.ran) == 1 && h.ran[0] == job; got != tc.wantJob {
				t.Fatalf("jobs run %v; want the job: %v", h.ran, tc.wantJob)
			}
			if tc.status == 0 {
				if out != nil {
					t.Errorf("a job returned %v; want nothing", out)
				}
				return
			}
			res, ok := out.(*events.LambdaFunctionURLStreamingResponse)
			if !ok {
				t.Fatalf("a URL event returned %T; want the streaming response aws-lambda-go streams", out)
			}
			if _, isReader := out.(io.Reader); !isReader || res.StatusCode != tc.status {
				t.Fatalf("status %d; want %d, as an io.Reader", res.StatusCode, tc.status)
			}
			if tc.status == 200 {
				body, _ := io.ReadAll(res.Body)
				if !strings.HasPrefix(string(body), "served /") {
					t.Errorf("body %q", body)
				}
			}
		})
	}
	// A handler that runs no jobs refuses a job event rather than serve it.
	if _, err := app.LambdaEntry(http.NotFoundHandler())(context.Background(), jobEvent); err == nil {
		t.Error("a job event reached a handler that runs no jobs without an error")
	}
}
