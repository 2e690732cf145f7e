package resilience_test

import (
	"strconv"
	"strings"
	"testing"
)

// The frame checker is what the load tests rely on, so it must catch each
// kind of damage.
func TestCheckFrames(t *testing.T) {
	t.Parallel()
	const (
		role   = `data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"a"},"finish_reason":null}]}` + "\n\n"
		more   = `data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}` + "\n\n"
		finish = `data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n"
		usage  = `data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}` + "\n\n"
		done   = "data: [DONE]\n\n"
		errf   = `data: {"error":{"message":"the model failed","type":"server_error","code":"model_error"}}` + "\n\n"
		ping   = ": ping\n\n"
	)
	tests := []struct {
		name    string
		body    string
		want    outcome
		text    string
		problem string // part of the error; "" when the body is fine
		raw     bool   // the body as written; otherwise its frames get ids 0, 1, 2…
	}{
		{name: "complete", body: ping + role + more + finish + usage + done, want: completed, text: "ab"},
		{name: "in-band error", body: role + errf, want: failed, text: "a"},
		{name: "error before content", body: errf, want: failed},
		{name: "truncated", body: role + more, problem: "silently truncated"},
		{name: "empty", body: "", problem: "silently truncated"},
		{name: "cut mid-frame", body: role + more[:40], problem: "mid-frame"},
		{name: "garbled JSON", body: role + "data: {\"id\":\n\n" + finish + done, problem: "not one JSON object"},
		{name: "stray line", body: role + "oops\n\n" + finish + done, problem: "stray line"},
		{name: "frame after DONE", body: role + finish + done + more, problem: "after the end"},
		{name: "frame after error", body: role + errf + more, problem: "after the end"},
		{name: "DONE twice", body: role + finish + done + done, problem: "after the end"},
		{name: "role twice", body: role + role + finish + done, problem: "role"},
		{name: "finish twice", body: role + finish + finish + done, problem: "second finish_reason"},
		{name: "DONE without finish", body: role + done, problem: "without a finish_reason"},
		{name: "content after finish", body: role + finish + more + done, problem: "after the finish"},
		{name: "model changes", body: role + strings.Replace(more, `"m"`, `"n"`, 1) + finish + done, problem: "model"},
		{name: "no role first", body: more + finish + done, problem: "role"},
		{name: "an id skipped", body: "id: 0\n" + role + "id: 2\n" + finish + "id: 3\n" + done, raw: true, problem: "has id"},
		{name: "an id repeated", body: "id: 0\n" + role + "id: 0\n" + finish + "id: 1\n" + done, raw: true, problem: "has id"},
		{name: "no ids", body: role + finish + done, raw: true, problem: "has id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := tt.body
			if !tt.raw {
				body = numbered(body)
			}
			res, err := checkFrames([]byte(body))
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("checkFrames = %v, want an error about %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.outcome() != tt.want || res.text != tt.text {
				t.Errorf("outcome %s text %q, want %s %q", res.outcome(), res.text, tt.want, tt.text)
			}
		})
	}
}

// numbered gives each data frame of body the id the gateway gives it: 0,
// 1, 2… in order.
func numbered(body string) string {
	var b strings.Builder
	n, start := 0, true
	for _, line := range strings.SplitAfter(body, "\n") {
		if start && strings.HasPrefix(line, "data: ") {
			b.WriteString("id: " + strconv.Itoa(n) + "\n")
			n++
		}
		b.WriteString(line)
		start = line == "\n" // a blank line ends a frame
	}
	return b.String()
}
