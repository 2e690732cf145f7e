package main_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// TestLambdaMalformedEvents: an event whose method or path net/http cannot
// parse is answered with a streamed JSON 400 and a log line naming the
// cause, not an invocation error (the function URL's 502, nothing logged,
// the function-errors alarm); the process goes on serving.
func TestLambdaMalformedEvents(t *testing.T) {
	t.Parallel()
	w := newWire(t, nil)
	far := time.Now().Add(10 * time.Minute)
	auth := map[string]string{"x-authorization": "Bearer " + w.token}
	for _, tc := range []struct {
		name  string
		event events.LambdaFunctionURLRequest
		cause string // in the log line
	}{
		{name: "bad escape", event: functionURLRequest("GET", "/v1/%zz", auth, "", false), cause: "invalid URL escape"},
		{name: "method with a space", event: functionURLRequest("POST X", "/v1/chat/completions", auth, "{}", false), cause: "invalid method"},
		{name: "control character", event: functionURLRequest("GET", "/v1/models\x00", auth, "", false), cause: "control character"},
		{name: "no leading slash", event: functionURLRequest("GET", "@evil.example/v1/models", auth, "", false), cause: "does not start with /"},
		{name: "bad query", event: func() events.LambdaFunctionURLRequest {
			ev := functionURLRequest("GET", "/v1/models", auth, "", false)
			ev.RawQueryString = "a=\x7f"
			return ev
		}(), cause: "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "inv-malformed-" + strings.ReplaceAll(tc.name, " ", "-")
			res := w.rt.invoke(t, id, far, tc.event)
			if res.errorPosted {
				t.Fatalf("the invocation failed: %q", res.body)
			}
			p, body, _ := res.split(t)
			if p.StatusCode != 400 || !strings.HasPrefix(p.Headers["Content-Type"], "application/json") {
				t.Errorf("prelude = %+v, want a JSON 400", p)
			}
			var e struct {
				Error struct{ Message, Type, Code string } `json:"error"`
			}
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Type != "invalid_request_error" || e.Error.Code != "malformed_request" {
				t.Errorf("body %q: %v", body, err)
			}
			line := logLine(t, w.out, id)
			if cause, _ := line["error"].(string); !strings.Contains(cause, tc.cause) || line["status"] != float64(400) {
				t.Errorf("log line %v, want status 400 and a cause naming %q", line, tc.cause)
			}
		})
	}
	// The process is alive and serves the next event.
	res := w.rt.invoke(t, "inv-after-malformed", far, functionURLRequest("GET", "/v1/models", auth, "", false))
	if p, _, _ := res.split(t); res.errorPosted || p.StatusCode != 200 {
		t.Errorf("after the malformed events: prelude %+v, error %v", p, res.errorPosted)
	}
}

// logLine waits for the request log line of invocation id: the process
// writes it before its answer ends, but its output reaches the test
// through a pipe of its own.
func logLine(t *testing.T, out *syncBuffer, id string) map[string]any {
	t.Helper()
	for range 1000 {
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, `"request_id":"`+id+`"`) && strings.Contains(l, `"msg":"request"`) {
				var line map[string]any
				if err := json.Unmarshal([]byte(l), &line); err != nil {
					t.Fatalf("log line %q: %v", l, err)
				}
				return line
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no request log line for %s; output:\n%s", id, out.String())
	return nil
}
