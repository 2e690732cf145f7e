package gateway_test

import (
	"io"
	"strings"
	"testing"
)

// responsesFields is every top-level field of OpenAI's create response
// request (ResponseCreateParams in the openai SDK, 30 fields, and
// max_tool_calls, which clients send too), each with values the gateway
// accepts and values it refuses. The policies are those of openAIFields;
// the test gateway's models have no tools, images or reasoning, so byModel
// fields are refused here (tools_test.go checks a model that has them).
var responsesFields = []requestField{
	{name: "input", policy: honoured, ok: []string{`"hi"`, `[{"role":"user","content":"hi"}]`}, bad: []string{`[]`, `3`}},
	{name: "instructions", policy: honoured, ok: []string{`"Be brief."`}, bad: []string{`5`}},
	{name: "model", policy: honoured, ok: []string{`"echo"`, `"eliza"`}, bad: []string{`"gpt-9"`, `5`}},
	{name: "stream", policy: honoured, ok: []string{`false`}, bad: []string{`"yes"`}},
	{name: "max_output_tokens", policy: honoured, ok: []string{`1`, `100000`}, bad: []string{`0`, `"10"`}},
	{name: "temperature", policy: honoured, ok: []string{`0`, `2`}, bad: []string{`3`, `"hot"`}},
	{name: "top_p", policy: honoured, ok: []string{`0.5`}, bad: []string{`-1`, `true`}},
	{name: "metadata", policy: honoured, ok: []string{`{"team":"a"}`, `{}`}, bad: []string{`"a"`, `{"n":1}`}},

	{name: "user", policy: ignored, ok: []string{`"u-1"`}, bad: []string{`5`}},
	{name: "safety_identifier", policy: ignored, ok: []string{`"hash-1"`}},
	{name: "prompt_cache_key", policy: ignored, ok: []string{`"k"`}},
	{name: "prompt_cache_retention", policy: ignored, ok: []string{`"24h"`}},
	{name: "prompt_cache_options", policy: ignored, ok: []string{`{"mode":"explicit"}`}},
	{name: "stream_options", policy: ignored, ok: []string{`{"include_obfuscation":false}`}, bad: []string{`5`}},
	{name: "parallel_tool_calls", policy: honoured, ok: []string{`false`, `true`}, bad: []string{`"no"`}},

	{name: "store", policy: limited, ok: []string{`false`}, bad: []string{`true`}},
	{name: "background", policy: limited, ok: []string{`false`}, bad: []string{`true`}},
	{name: "include", policy: limited, ok: []string{`[]`, `["reasoning.encrypted_content"]`}, bad: []string{`["file_search_call.results"]`, `"x"`}},
	{name: "tools", policy: byModel, ok: []string{`[]`}, bad: []string{`[{"type":"web_search"}]`, `[{"type":"function","name":"f","parameters":{}}]`, `{}`}},
	{name: "tool_choice", policy: byModel, ok: []string{`"auto"`, `"none"`}, bad: []string{`"required"`, `{"type":"function","name":"f"}`}},
	{name: "reasoning", policy: byModel, ok: []string{`{}`, `{"summary":"auto"}`}, bad: []string{`{"effort":"low"}`, `{"effort":"extreme"}`}},
	{name: "text", policy: limited, ok: []string{`{"format":{"type":"text"}}`}, bad: []string{`{"format":{"type":"json_object"}}`, `{"verbosity":"low"}`}},
	{name: "truncation", policy: limited, ok: []string{`"disabled"`}, bad: []string{`"auto"`}},
	{name: "service_tier", policy: limited, ok: []string{`"auto"`, `"default"`}, bad: []string{`"flex"`, `"priority"`}},
	{name: "top_logprobs", policy: limited, ok: []string{`0`}, bad: []string{`3`}},
	{name: "context_management", policy: limited, ok: []string{`[]`}, bad: []string{`[{"type":"compaction"}]`}},

	{name: "previous_response_id", policy: refused, bad: []string{`"resp_1"`}},
	{name: "conversation", policy: refused, bad: []string{`"conv_1"`, `{"id":"conv_1"}`}},
	{name: "prompt", policy: refused, bad: []string{`{"id":"pmpt_1"}`}},
	{name: "moderation", policy: refused, bad: []string{`{}`}},
	{name: "max_tool_calls", policy: refused, bad: []string{`2`}},
}

// TestResponsesRequestFields: every field of OpenAI's Responses request is
// either accepted (honoured, or ignored on purpose) or refused with a 400
// that names it.
func TestResponsesRequestFields(t *testing.T) {
	t.Parallel()
	if len(responsesFields) != 31 {
		t.Fatalf("%d fields listed, want OpenAI's 30 and max_tool_calls", len(responsesFields))
	}
	s := newServer(t, nil)
	for _, f := range responsesFields {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			if f.policy == refused && len(f.ok) > 0 || (f.policy == limited || f.policy == byModel) && len(f.bad) == 0 {
				t.Fatalf("table row contradicts its policy %q", f.policy)
			}
			body := func(v string) string {
				if f.name == "input" {
					return `{"input":` + v + `}`
				}
				return `{"` + f.name + `":` + v + `,"input":"hi"}`
			}
			for _, v := range append([]string{`null`}, f.ok...) {
				if f.name == "input" && v == `null` {
					continue
				}
				if resp := s.postResponses(t, body(v)); resp.StatusCode != 200 {
					b, _ := io.ReadAll(resp.Body)
					t.Errorf("%s: %s: status %d %s, want 200", f.name, v, resp.StatusCode, b)
				}
			}
			for _, v := range f.bad {
				resp := s.postResponses(t, body(v))
				if resp.StatusCode != 400 {
					t.Errorf("%s: %s: status %d, want 400", f.name, v, resp.StatusCode)
					continue
				}
				e := decodeError(t, resp)
				p := deref(e.Param)
				if p != f.name && !strings.HasPrefix(p, f.name+".") && !strings.HasPrefix(p, f.name+"[") || !strings.Contains(e.Message, f.name) {
					t.Errorf("%s: %s: refused with param %q, message %q: want both to name the field", f.name, v, p, e.Message)
				}
			}
		})
	}
}

// TestResponsesRequestFieldsDocumented: docs/api.md's Responses section has
// one row per field, saying what the test above checks.
func TestResponsesRequestFieldsDocumented(t *testing.T) {
	t.Parallel()
	checkDocumented(t, "Responses requests", responsesFields, "OpenAI's Responses request")
}
