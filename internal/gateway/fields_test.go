package gateway_test

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// What the gateway does with a top-level field of the request; docs/api.md
// says the same, row by row, in words starting with these.
const (
	honoured = "Honoured"
	ignored  = "Ignored"
	limited  = "Refused unless" // accepted only with a value that asks for nothing
	refused  = "Refused"
	// byModel: honoured where the model has the feature, refused by name
	// otherwise (the test's model has none; tools_test.go has one that does).
	byModel = "Honoured by the models that have"
)

// requestField is a top-level field of a request, what the gateway does with
// it, and values that show it.
type requestField struct {
	name   string
	policy string
	ok     []string // JSON values answered 200
	bad    []string // JSON values answered 400 naming the field
}

// openAIFields is every top-level field of OpenAI's create chat completion
// request (CreateChatCompletionRequest in OpenAI's OpenAPI document, 35
// fields), each with values the gateway accepts and values it refuses.
var openAIFields = []requestField{
	{name: "messages", policy: honoured, bad: []string{`[]`, `"hi"`}},
	{name: "model", policy: honoured, ok: []string{`"echo"`, `"eliza"`}, bad: []string{`"gpt-9"`, `5`}},
	{name: "stream", policy: honoured, ok: []string{`false`, `null`}, bad: []string{`"yes"`}},
	{name: "stream_options", policy: honoured, ok: []string{`null`}, bad: []string{`{"include_usage":true}`, `5`}},
	{name: "max_tokens", policy: honoured, ok: []string{`1`, `100000`}, bad: []string{`0`, `"10"`}},
	{name: "max_completion_tokens", policy: honoured, ok: []string{`1`, `100000`}, bad: []string{`-1`, `1.5`}},
	{name: "temperature", policy: honoured, ok: []string{`0`, `2`}, bad: []string{`3`, `"hot"`}},
	{name: "top_p", policy: honoured, ok: []string{`0.5`}, bad: []string{`-1`, `true`}},
	{name: "stop", policy: honoured, ok: []string{`"x"`, `["a","b"]`}, bad: []string{`5`, `["a","b","c","d","e"]`}},

	{name: "user", policy: ignored, ok: []string{`"u-1"`}, bad: []string{`5`}},
	{name: "safety_identifier", policy: ignored, ok: []string{`"hash-1"`}, bad: []string{`{}`}},
	{name: "metadata", policy: ignored, ok: []string{`{"team":"a"}`, `{}`}, bad: []string{`"a"`, `{"n":1}`}},
	{name: "prompt_cache_key", policy: ignored, ok: []string{`"k"`}, bad: []string{`1`}},
	{name: "prompt_cache_retention", policy: ignored, ok: []string{`"24h"`, `"in-memory"`}, bad: []string{`24`}},
	{name: "seed", policy: ignored, ok: []string{`42`}, bad: []string{`"42"`}},

	{name: "n", policy: limited, ok: []string{`1`}, bad: []string{`2`, `"1"`}},
	{name: "presence_penalty", policy: limited, ok: []string{`0`}, bad: []string{`1`, `-0.5`}},
	{name: "frequency_penalty", policy: limited, ok: []string{`0`}, bad: []string{`0.1`}},
	{name: "logprobs", policy: limited, ok: []string{`false`}, bad: []string{`true`, `"no"`}},
	{name: "top_logprobs", policy: limited, ok: []string{`0`}, bad: []string{`1`, `20`}},
	{name: "logit_bias", policy: limited, ok: []string{`{}`}, bad: []string{`{"50256":-100}`, `[1]`}},
	{name: "modalities", policy: limited, ok: []string{`["text"]`, `[]`}, bad: []string{`["text","audio"]`, `"text"`}},
	{name: "response_format", policy: limited, ok: []string{`{"type":"text"}`}, bad: []string{`{"type":"json_object"}`, `{"type":"json_schema","json_schema":{"name":"x"}}`, `"json"`}},
	{name: "service_tier", policy: limited, ok: []string{`"auto"`, `"default"`}, bad: []string{`"flex"`, `"priority"`, `"scale"`}},
	{name: "store", policy: limited, ok: []string{`false`}, bad: []string{`true`}},
	{name: "verbosity", policy: limited, ok: []string{`"medium"`}, bad: []string{`"low"`, `"high"`}},

	{name: "tools", policy: byModel, bad: []string{`[{"type":"function","function":{"name":"f"}}]`, `[]`, `{}`}},
	{name: "tool_choice", policy: byModel, bad: []string{`"none"`, `"auto"`}},
	{name: "parallel_tool_calls", policy: byModel, bad: []string{`false`, `true`}},
	{name: "functions", policy: refused, bad: []string{`[{"name":"f"}]`}},
	{name: "function_call", policy: refused, bad: []string{`"none"`}},
	{name: "audio", policy: refused, bad: []string{`{"voice":"alloy","format":"mp3"}`}},
	{name: "prediction", policy: refused, bad: []string{`{"type":"content","content":"x"}`}},
	{name: "web_search_options", policy: refused, bad: []string{`{}`, `{"search_context_size":"low"}`}},
	{name: "reasoning_effort", policy: byModel, bad: []string{`"low"`, `"minimal"`, `"extreme"`}},
}

// TestRequestFields: every field of OpenAI's request is either accepted
// (honoured, or ignored on purpose) or refused with a 400 that names it;
// none is dropped without a decision.
func TestRequestFields(t *testing.T) {
	t.Parallel()
	if len(openAIFields) != 35 {
		t.Fatalf("%d fields listed, want OpenAI's 35", len(openAIFields))
	}
	s := newServer(t, nil)
	const base = `"messages":[{"role":"user","content":"hi"}]`
	for _, f := range openAIFields {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			if (f.policy == refused || f.policy == byModel) && len(f.ok) > 0 || f.policy != honoured && len(f.bad) == 0 {
				t.Fatalf("table row contradicts its policy %q", f.policy)
			}
			body := func(v string) string {
				if f.name == "messages" {
					return `{"messages":` + v + `}`
				}
				return `{"` + f.name + `":` + v + `,` + base + `}`
			}
			for _, v := range append([]string{`null`}, f.ok...) {
				if f.name == "messages" && v == `null` {
					continue
				}
				if resp := s.post(t, body(v)); resp.StatusCode != 200 {
					b, _ := io.ReadAll(resp.Body)
					t.Errorf("%s: %s: status %d %s, want 200", f.name, v, resp.StatusCode, b)
				}
			}
			for _, v := range f.bad {
				resp := s.post(t, body(v))
				if resp.StatusCode != 400 {
					t.Errorf("%s: %s: status %d, want 400", f.name, v, resp.StatusCode)
					continue
				}
				e := decodeError(t, resp)
				if deref(e.Param) != f.name && !strings.HasPrefix(deref(e.Param), f.name+".") || !strings.Contains(e.Message, f.name) {
					t.Errorf("%s: %s: refused with param %q, message %q: want both to name the field", f.name, v, deref(e.Param), e.Message)
				}
			}
		})
	}
}

// TestRequestFieldsDocumented: docs/api.md has one row per field, saying
// what the test above checks.
func TestRequestFieldsDocumented(t *testing.T) {
	t.Parallel()
	checkDocumented(t, "Requests", openAIFields, "OpenAI's request")
}

// checkDocumented: the section of docs/api.md under heading has one row per
// field of request, whose text starts with the field's policy, and no other.
func checkDocumented(t *testing.T, heading string, fields []requestField, request string) {
	t.Helper()
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("docs/api.md has no ## %s section", heading)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([^|]*)").FindAllStringSubmatch(section, -1) {
		if _, dup := rows[m[1]]; dup {
			t.Errorf("docs/api.md lists %s twice", m[1])
		}
		rows[m[1]] = strings.TrimSpace(m[2])
	}
	for _, f := range fields {
		row, ok := rows[f.name]
		switch {
		case !ok:
			t.Errorf("docs/api.md does not list %s", f.name)
		case !strings.HasPrefix(row, f.policy) || f.policy == refused && strings.HasPrefix(row, limited):
			t.Errorf("docs/api.md says of %s %q, want it to start with %q", f.name, row, f.policy)
		}
		delete(rows, f.name)
	}
	for name := range rows {
		t.Errorf("docs/api.md lists %s, which is not a field of %s", name, request)
	}
}
