package gatewaytest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// ev is one event: its type and its JSON members other than type and
// sequence_number.
type ev struct{ typ, body string }

const (
	resp       = `"response":{"id":"resp_1","object":"response","status":"in_progress","output":[]}`
	item       = `"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}`
	where      = `"item_id":"msg_1","output_index":0,"content_index":0`
	doneItem   = `"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi!"}]}`
	finalOut   = `"output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi!"}]}]`
	finalUsage = `"usage":{"input_tokens":2,"output_tokens":2,"total_tokens":4}`
)

func good() []ev {
	return []ev{
		{"response.created", resp},
		{"response.in_progress", resp},
		{"response.output_item.added", item},
		{"response.content_part.added", where + `,"part":{"type":"output_text","text":""}`},
		{"response.output_text.delta", where + `,"delta":"Hi"`},
		{"response.output_text.delta", where + `,"delta":"!"`},
		{"response.output_text.done", where + `,"text":"Hi!"`},
		{"response.content_part.done", where + `,"part":{"type":"output_text","text":"Hi!"}`},
		{"response.output_item.done", doneItem},
		{"response.completed", `"response":{"id":"resp_1","object":"response","status":"completed",` + finalOut + `,` + finalUsage + `}`},
	}
}

func render(evs []ev, seqOffset int) string {
	var b strings.Builder
	for i, e := range evs {
		fmt.Fprintf(&b, "event: %s\ndata: {\"type\":%q,\"sequence_number\":%d,%s}\n\n", e.typ, e.typ, i+seqOffset, e.body)
	}
	return b.String()
}

// withItems is a stream whose output is a reasoning item, then a function
// call (the message of good() removed).
func withItems() []ev {
	const rs = `"item_id":"rs_1","output_index":0,"summary_index":0`
	const fc = `"item_id":"fc_1","output_index":1`
	return []ev{
		{"response.created", resp},
		{"response.in_progress", resp},
		{"response.output_item.added", `"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}`},
		{"response.reasoning_summary_part.added", rs + `,"part":{"type":"summary_text","text":""}`},
		{"response.reasoning_summary_text.delta", rs + `,"delta":"Think"`},
		{"response.reasoning_summary_text.done", rs + `,"text":"Think"`},
		{"response.reasoning_summary_part.done", rs + `,"part":{"type":"summary_text","text":"Think"}`},
		{"response.output_item.done", `"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Think"}]}`},
		{"response.output_item.added", `"output_index":1,"item":{"id":"fc_1","type":"function_call","status":"in_progress","call_id":"c1","name":"f","arguments":""}`},
		{"response.function_call_arguments.delta", fc + `,"delta":"{\"a\":"`},
		{"response.function_call_arguments.delta", fc + `,"delta":"1}"`},
		{"response.function_call_arguments.done", fc + `,"name":"f","arguments":"{\"a\":1}"`},
		{"response.output_item.done", `"output_index":1,"item":{"id":"fc_1","type":"function_call","status":"completed","call_id":"c1","name":"f","arguments":"{\"a\":1}"}`},
		{"response.completed", `"response":{"id":"resp_1","object":"response","status":"completed","output":[` +
			`{"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Think"}]},` +
			`{"id":"fc_1","type":"function_call","status":"completed","call_id":"c1","name":"f","arguments":"{\"a\":1}"}],` + finalUsage + `}`},
	}
}

func TestReadResponseStreamAcceptsTheSequence(t *testing.T) {
	t.Parallel()
	s, err := gatewaytest.ReadResponseStream(strings.NewReader(render(good(), 0)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Terminal != gatewaytest.Completed || s.Text != "Hi!" || s.Final.Output[0].Content[0].Text != "Hi!" {
		t.Errorf("stream = %+v", s)
	}
	s, err = gatewaytest.ReadResponseStream(strings.NewReader(render(withItems(), 0)))
	if err != nil || s.Reasoning != "Think" || *s.Final.Output[1].Arguments != `{"a":1}` {
		t.Errorf("reasoning and a call: %v, %+v", err, s)
	}
	// A failure after the first delta: the partial item, then response.failed.
	failed := append(good()[:5], ev{"response.failed", `"response":{"id":"resp_1","object":"response","status":"failed","error":{"code":"model_error","message":"m"},` +
		`"output":[{"id":"msg_1","type":"message","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"Hi"}]}]}`})
	if s, err := gatewaytest.ReadResponseStream(strings.NewReader(render(failed, 0))); err != nil || s.Terminal != gatewaytest.Failed {
		t.Errorf("failed stream: %v, %+v", err, s)
	}
}

// TestReadResponseStreamRejects: each break of the documented sequence is
// an error, so a test that relies on the check can fail.
func TestReadResponseStreamRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func([]ev) []ev
		offset int
		sse    func(string) string
	}{
		{name: "no in_progress", mutate: func(e []ev) []ev { return append(e[:1:1], e[2:]...) }},
		{name: "delta before its part", mutate: func(e []ev) []ev { e[3], e[4] = e[4], e[3]; return e }},
		{name: "wrong done text", mutate: func(e []ev) []ev { e[6].body = where + `,"text":"Hi?"`; return e }},
		{name: "item done before part done", mutate: func(e []ev) []ev { e[7], e[8] = e[8], e[7]; return e }},
		{name: "event after the terminal", mutate: func(e []ev) []ev { return append(e, e[len(e)-1]) }},
		{name: "no terminal", mutate: func(e []ev) []ev { return e[:len(e)-1] }},
		{name: "wrong item id", mutate: func(e []ev) []ev { e[4].body = strings.Replace(e[4].body, "msg_1", "msg_2", 1); return e }},
		{name: "wrong output index", mutate: func(e []ev) []ev {
			e[2].body = strings.Replace(e[2].body, `"output_index":0`, `"output_index":1`, 1)
			return e
		}},
		{name: "final output differs", mutate: func(e []ev) []ev {
			e[9].body = strings.Replace(e[9].body, `"text":"Hi!"`, `"text":"Hello"`, 1)
			return e
		}},
		{name: "final status differs", mutate: func(e []ev) []ev {
			e[9].body = strings.Replace(e[9].body, `"status":"completed",`, `"status":"incomplete",`, 1)
			return e
		}},
		{name: "incomplete without details", mutate: func(e []ev) []ev {
			e[9] = ev{"response.incomplete", strings.Replace(e[9].body, `"status":"completed",`, `"status":"incomplete",`, 1)}
			return e
		}},
		{name: "usage does not add up", mutate: func(e []ev) []ev {
			e[9].body = strings.Replace(e[9].body, `"total_tokens":4`, `"total_tokens":5`, 1)
			return e
		}},
		{name: "failed without error", mutate: func(e []ev) []ev {
			return append(e[:5], ev{"response.failed", `"response":{"id":"resp_1","object":"response","status":"failed","output":[]}`})
		}},
		{name: "another response id", mutate: func(e []ev) []ev { e[1].body = strings.Replace(e[1].body, "resp_1", "resp_2", 1); return e }},
		{name: "sequence from 1", offset: 1},
		{name: "SSE event name differs", sse: func(s string) string { return strings.Replace(s, "event: response.in_progress", "event: message", 1) }},
		{name: "not JSON", sse: func(s string) string { return strings.Replace(s, `"delta":"Hi"`, `"delta":Hi`, 1) }},
	}
	items := []struct {
		name   string
		mutate func([]ev) []ev
	}{
		{name: "arguments done differ", mutate: func(e []ev) []ev {
			e[11].body = strings.Replace(e[11].body, `1}"`, `2}"`, 1)
			return e
		}},
		{name: "call done before its arguments", mutate: func(e []ev) []ev { return append(e[:11:11], e[12:]...) }},
		{name: "summary event on the call", mutate: func(e []ev) []ev {
			e[9] = ev{"response.reasoning_summary_text.delta", `"item_id":"fc_1","output_index":1,"summary_index":0,"delta":"x"`}
			return e
		}},
		{name: "call without a name", mutate: func(e []ev) []ev { e[8].body = strings.Replace(e[8].body, `"name":"f"`, `"name":""`, 1); return e }},
		{name: "reasoning summary differs at the end", mutate: func(e []ev) []ev {
			e[13].body = strings.Replace(e[13].body, `"text":"Think"`, `"text":"Thought"`, 1)
			return e
		}},
	}
	for _, tt := range items {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := render(tt.mutate(withItems()), 0)
			_, err := gatewaytest.ReadResponseStream(strings.NewReader(body))
			if err == nil {
				t.Fatalf("accepted:\n%s", body)
			}
			t.Log(err)
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			evs := good()
			if tt.mutate != nil {
				evs = tt.mutate(evs)
			}
			body := render(evs, tt.offset)
			if tt.sse != nil {
				body = tt.sse(body)
			}
			_, err := gatewaytest.ReadResponseStream(strings.NewReader(body))
			if err == nil {
				t.Fatalf("accepted:\n%s", body)
			}
			t.Log(err)
		})
	}
}
