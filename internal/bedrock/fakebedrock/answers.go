package fakebedrock

import (
	"fmt"
	"net/http"
	"strings"
)

// streamPlan writes an answer with features: the plan's reasoning, its
// preface and the scenario's words (or its tool call), at the scenario's
// pace. The scenario's faults (exceptions, cuts) apply to plain answers
// only.
func (h *Handler) streamPlan(w http.ResponseWriter, r *http.Request, f family, s Scenario, p plan) {
	ctx := r.Context()
	fw, done := h.open(w)
	defer done()
	if s.Hang {
		<-ctx.Done()
		return
	}
	if !pause(ctx, s.Delay) {
		return
	}
	var words []string
	if p.preface != "" {
		words = append(words, p.preface)
	}
	for i := range s.count() {
		words = append(words, s.word(i, h.now))
	}
	u := usage{prompt: s.PromptTokens, completion: len(words) + len(p.reasoning)}
	if u.prompt == 0 {
		u.prompt = 11
	}
	for i, c := range f.compose(p, words, u) {
		if i > 0 && !pause(ctx, s.Interval) {
			return
		}
		if fw.chunk(c) != nil {
			return
		}
	}
}

// compose writes a whole answer with features in a family's chunks:
// reasoning, then the text words (or a tool call instead), then the end.
type compose func(p plan, words []string, u usage) [][]byte

// halves splits a tool call's arguments in two fragments, as models stream
// them.
func halves(s string) []string {
	if len(s) < 2 {
		return []string{s}
	}
	return []string{s[:len(s)/2], s[len(s)/2:]}
}

func composeAnthropic(p plan, words []string, u usage) [][]byte {
	out := [][]byte{
		[]byte(`{"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","model":"claude-fake","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":` + fmt.Sprint(u.prompt) + `,"output_tokens":1}}}`),
	}
	index := 0
	block := func(start string, deltas ...string) {
		out = append(out, []byte(fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":%s}`, index, start)))
		for _, d := range deltas {
			out = append(out, []byte(fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":%s}`, index, d)))
		}
		out = append(out, []byte(fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, index)))
		index++
	}
	if p.reasoning != nil {
		var deltas []string
		for _, r := range p.reasoning {
			deltas = append(deltas, `{"type":"thinking_delta","thinking":`+quote(r)+`}`)
		}
		deltas = append(deltas, `{"type":"signature_delta","signature":`+quote(signature(strings.Join(p.reasoning, "")))+`}`)
		block(`{"type":"thinking","thinking":""}`, deltas...)
	}
	stop := "end_turn"
	if p.call != nil {
		var deltas []string
		for _, h := range halves(p.call.args) {
			deltas = append(deltas, `{"type":"input_json_delta","partial_json":`+quote(h)+`}`)
		}
		block(`{"type":"tool_use","id":"toolu_fake1","name":`+quote(p.call.name)+`,"input":{}}`, deltas...)
		stop = "tool_use"
	} else {
		var deltas []string
		for _, w := range words {
			deltas = append(deltas, `{"type":"text_delta","text":`+quote(w)+`}`)
		}
		block(`{"type":"text","text":""}`, deltas...)
	}
	return append(out,
		mustJSON(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": u.completion}}),
		mustJSON(map[string]any{"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics(u)}))
}

func composeNova(p plan, words []string, u usage) [][]byte {
	out := [][]byte{[]byte(`{"messageStart":{"role":"assistant"}}`)}
	stop := "end_turn"
	if p.call != nil {
		out = append(out, []byte(`{"contentBlockStart":{"start":{"toolUse":{"toolUseId":"tooluse_fake1","name":`+quote(p.call.name)+`}},"contentBlockIndex":0}}`))
		for _, h := range halves(p.call.args) {
			out = append(out, []byte(`{"contentBlockDelta":{"delta":{"toolUse":{"input":`+quote(h)+`}},"contentBlockIndex":0}}`))
		}
		stop = "tool_use"
	} else {
		for _, w := range words {
			out = append(out, []byte(`{"contentBlockDelta":{"delta":{"text":`+quote(w)+`},"contentBlockIndex":0}}`))
		}
	}
	out = append(out, []byte(`{"contentBlockStop":{"contentBlockIndex":0}}`))
	return append(out, novaEnd(stop, u)[1:]...)
}

// composeChat answers in the chat-completions chunks of Mistral Large 2
// (whole tool calls in "message") or of the OpenAI format (pieces in
// "delta"; gpt-oss's reasoning inside <reasoning> tags in the content).
func composeChat(openAI bool) compose {
	return func(p plan, words []string, u usage) [][]byte {
		var out [][]byte
		key := "message"
		if openAI {
			key = "delta"
		}
		chunk := func(delta string) {
			out = append(out, []byte(`{"id":"chatcmpl-fake","object":"chat.completion.chunk","choices":[{"index":0,"`+key+`":`+delta+`,"finish_reason":null}]}`))
		}
		if p.reasoning != nil && openAI {
			chunk(`{"role":"assistant","content":"<reasoning>"}`)
			for _, r := range p.reasoning {
				chunk(`{"content":` + quote(r) + `}`)
			}
			chunk(`{"content":"</reasoning>"}`)
		}
		stop := "stop"
		switch {
		case p.call != nil && openAI:
			chunk(`{"tool_calls":[{"index":0,"id":"call_fake1","type":"function","function":{"name":` + quote(p.call.name) + `,"arguments":""}}]}`)
			for _, h := range halves(p.call.args) {
				chunk(`{"tool_calls":[{"index":0,"function":{"arguments":` + quote(h) + `}}]}`)
			}
			stop = "tool_calls"
		case p.call != nil:
			chunk(`{"role":"assistant","content":"","tool_calls":[{"id":"fakecall1","function":{"name":` + quote(p.call.name) + `,"arguments":` + quote(p.call.args) + `}}]}`)
			stop = "tool_calls"
		default:
			for _, w := range words {
				chunk(`{"role":"assistant","content":` + quote(w) + `}`)
			}
		}
		reasoning := 0
		if p.reasoning != nil {
			reasoning = len(p.reasoning)
		}
		usage := map[string]any{"prompt_tokens": u.prompt, "completion_tokens": u.completion, "total_tokens": u.prompt + u.completion}
		if reasoning > 0 && openAI {
			usage["completion_tokens_details"] = map[string]any{"reasoning_tokens": reasoning}
		}
		stopKey := "stop_reason"
		if openAI {
			stopKey = "finish_reason"
		}
		return append(out, mustJSON(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk",
			"choices":                          []any{map[string]any{"index": 0, key: map[string]any{}, stopKey: stop}},
			"usage":                            usage,
			"amazon-bedrock-invocationMetrics": metrics(u),
		}))
	}
}

// composeDeepSeek: R1's answer starts inside its reasoning, which ends at
// </think>.
func composeDeepSeek(p plan, words []string, u usage) [][]byte {
	var out [][]byte
	text := func(s string) {
		out = append(out, []byte(`{"choices":[{"text":`+quote(s)+`,"stop_reason":null}]}`))
	}
	for _, r := range p.reasoning {
		text(r)
	}
	text("\n</think>\n\n")
	for _, w := range words {
		text(w)
	}
	return append(out, deepSeekEnd("stop", u)...)
}

// composeText: the family has text features only (images it saw).
func composeText(f func(i int, text string, u usage) []byte, end func(stop string, u usage) [][]byte, stop string) compose {
	return func(p plan, words []string, u usage) [][]byte {
		var out [][]byte
		for i, w := range words {
			out = append(out, f(i, w, u))
		}
		return append(out, end(stop, u)...)
	}
}
