package fakebedrock

import (
	"encoding/json"
	"fmt"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

// usage is what the last chunk reports.
type usage struct{ prompt, completion int }

// family writes the model-native JSON of one family's stream chunks, in the
// shapes Bedrock documents for InvokeModelWithResponseStream.
type family struct {
	start  func(u usage) [][]byte
	text   func(i int, text string, u usage) []byte
	end    func(finish string, u usage) [][]byte
	stops  map[string]string // OpenAI finish reason -> the family's word
	verify []string          // top-level keys a request body must have
	// check, when set, returns the model's complaint about a body that
	// has the keys, or "".
	check func(body []byte) string
	// limits are where the body may carry the answer's token limit, as
	// paths of object keys; the first present one counts.
	limits [][]string
	// parse, when set, reads the body's tools, images and reasoning, for
	// the checks Bedrock makes of them and for the answer; compose writes
	// an answer that has any of them.
	parse   func(body []byte) (*convo, invalid)
	compose compose
}

// maxTokens returns the token limit body asks for, or 0 when it names none.
func (f family) maxTokens(body []byte) int {
	var root any
	if json.Unmarshal(body, &root) != nil {
		return 0
	}
	for _, path := range f.limits {
		v := root
		for _, k := range path {
			obj, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = obj[k]
		}
		if n, ok := v.(float64); ok && n >= 1 {
			return int(n)
		}
	}
	return 0
}

func metrics(u usage) map[string]any {
	return map[string]any{
		"inputTokenCount": u.prompt, "outputTokenCount": u.completion,
		"invocationLatency": 42, "firstByteLatency": 7,
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakebedrock: encode chunk: %v", err))
	}
	return b
}

// quote is a JSON string literal.
func quote(s string) string { return string(mustJSON(s)) }

var families = map[bedrock.Family]family{
	bedrock.FamilyAnthropic: {
		start: func(u usage) [][]byte {
			return [][]byte{
				[]byte(`{"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","model":"claude-fake","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":` + fmt.Sprint(u.prompt) + `,"output_tokens":1}}}`),
				[]byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
			}
		},
		text: func(_ int, text string, _ usage) []byte {
			return []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":` + quote(text) + `}}`)
		},
		end: func(stop string, u usage) [][]byte {
			return [][]byte{
				[]byte(`{"type":"content_block_stop","index":0}`),
				mustJSON(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": u.completion}}),
				mustJSON(map[string]any{"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics(u)}),
			}
		},
		stops:   map[string]string{"stop": "end_turn", "length": "max_tokens", "content_filter": "refusal"},
		verify:  []string{"anthropic_version", "max_tokens", "messages"},
		check:   anthropicTurns.check,
		limits:  [][]string{{"max_tokens"}},
		parse:   parseAnthropic,
		compose: composeAnthropic,
	},
	bedrock.FamilyNova: {
		start: func(usage) [][]byte { return [][]byte{[]byte(`{"messageStart":{"role":"assistant"}}`)} },
		text: func(_ int, text string, _ usage) []byte {
			return []byte(`{"contentBlockDelta":{"delta":{"text":` + quote(text) + `},"contentBlockIndex":0}}`)
		},
		end:    novaEnd,
		stops:  map[string]string{"stop": "end_turn", "length": "max_tokens", "content_filter": "content_filtered"},
		verify: []string{"messages"},
		check:  novaTurns.check,
		// max_new_tokens is the name the first Nova guide used.
		limits:  [][]string{{"inferenceConfig", "maxTokens"}, {"inferenceConfig", "max_new_tokens"}},
		parse:   parseNova,
		compose: composeNova,
	},
	bedrock.FamilyLlama3: withParse(llama, func(b []byte) (*convo, invalid) { return parsePrompt(b, false, false) }, nil),
	bedrock.FamilyLlama4: withParse(llama, func(b []byte) (*convo, invalid) { return parsePrompt(b, true, false) },
		composeText(llama.text, llama.end, "stop")),
	bedrock.FamilyMistral: {
		start: func(usage) [][]byte { return nil },
		text: func(_ int, text string, _ usage) []byte {
			return []byte(`{"outputs":[{"text":` + quote(text) + `,"stop_reason":null}]}`)
		},
		end: func(stop string, u usage) [][]byte {
			return [][]byte{mustJSON(map[string]any{
				"outputs":                          []any{map[string]any{"text": "", "stop_reason": stop}},
				"amazon-bedrock-invocationMetrics": metrics(u),
			})}
		},
		stops:  map[string]string{"stop": "stop", "length": "length", "content_filter": "stop"},
		verify: []string{"prompt", "max_tokens"},
		check:  checkMistralPrompt,
		limits: [][]string{{"max_tokens"}},
	},
	bedrock.FamilyMistralChat: {
		start: func(usage) [][]byte { return nil },
		text: func(_ int, text string, _ usage) []byte {
			return []byte(`{"id":"fake","object":"chat.completion.chunk","choices":[{"index":0,"message":{"role":"assistant","content":` + quote(text) + `},"stop_reason":null}]}`)
		},
		end: func(stop string, u usage) [][]byte {
			return [][]byte{mustJSON(map[string]any{
				"id": "fake", "object": "chat.completion.chunk",
				"choices":                          []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": ""}, "stop_reason": stop}},
				"usage":                            map[string]any{"prompt_tokens": u.prompt, "completion_tokens": u.completion, "total_tokens": u.prompt + u.completion},
				"amazon-bedrock-invocationMetrics": metrics(u),
			})}
		},
		stops:   map[string]string{"stop": "stop", "length": "length", "content_filter": "stop"},
		verify:  []string{"messages", "max_tokens"},
		check:   mistralChatTurns.check,
		limits:  [][]string{{"max_tokens"}},
		parse:   parseChat,
		compose: composeChat(false),
	},
	bedrock.FamilyGPTOSS:     openAIChat,
	bedrock.FamilyDeepSeekV3: openAIChat,
	bedrock.FamilyQwen3:      openAIChat,
	bedrock.FamilyDeepSeek: {
		start: func(usage) [][]byte { return nil },
		text: func(_ int, text string, _ usage) []byte {
			return []byte(`{"choices":[{"text":` + quote(text) + `,"stop_reason":null}]}`)
		},
		end:     deepSeekEnd,
		stops:   map[string]string{"stop": "stop", "length": "length", "content_filter": "stop"},
		verify:  []string{"prompt"},
		check:   checkDeepSeekPrompt,
		limits:  [][]string{{"max_tokens"}},
		parse:   func(b []byte) (*convo, invalid) { return parsePrompt(b, false, true) },
		compose: composeDeepSeek,
	},
	bedrock.FamilyTitan: {
		start: func(usage) [][]byte { return nil },
		text: func(i int, text string, u usage) []byte {
			in := "null"
			if i == 0 {
				in = fmt.Sprint(u.prompt)
			}
			return []byte(`{"outputText":` + quote(text) + `,"index":0,"totalOutputTextTokenCount":null,"completionReason":null,"inputTextTokenCount":` + in + `}`)
		},
		end: func(stop string, u usage) [][]byte {
			return [][]byte{mustJSON(map[string]any{
				"outputText": "", "index": 0, "totalOutputTextTokenCount": u.completion,
				"completionReason": stop, "inputTextTokenCount": nil,
				"amazon-bedrock-invocationMetrics": metrics(u),
			})}
		},
		stops:  map[string]string{"stop": "FINISH", "length": "LENGTH", "content_filter": "CONTENT_FILTERED"},
		verify: []string{"inputText"},
		limits: [][]string{{"textGenerationConfig", "maxTokenCount"}},
	},
}

var llama = family{
	start: func(usage) [][]byte { return nil },
	text: func(i int, text string, u usage) []byte {
		in := "null"
		if i == 0 {
			in = fmt.Sprint(u.prompt)
		}
		return []byte(`{"generation":` + quote(text) + `,"prompt_token_count":` + in + `,"generation_token_count":` + fmt.Sprint(i+1) + `,"stop_reason":null}`)
	},
	end: func(stop string, u usage) [][]byte {
		return [][]byte{mustJSON(map[string]any{
			"generation": "", "prompt_token_count": nil, "generation_token_count": u.completion,
			"stop_reason": stop, "amazon-bedrock-invocationMetrics": metrics(u),
		})}
	},
	stops:  map[string]string{"stop": "stop", "length": "length", "content_filter": "stop"},
	verify: []string{"prompt", "max_gen_len"},
	limits: [][]string{{"max_gen_len"}},
}

func withParse(f family, parse func([]byte) (*convo, invalid), c compose) family {
	f.parse, f.compose = parse, c
	return f
}

func novaEnd(stop string, u usage) [][]byte {
	return [][]byte{
		[]byte(`{"contentBlockStop":{"contentBlockIndex":0}}`),
		mustJSON(map[string]any{"messageStop": map[string]any{"stopReason": stop}}),
		mustJSON(map[string]any{
			"metadata":                         map[string]any{"usage": map[string]any{"inputTokens": u.prompt, "outputTokens": u.completion}, "metrics": map[string]any{}, "trace": map[string]any{}},
			"amazon-bedrock-invocationMetrics": metrics(u),
		}),
	}
}

func deepSeekEnd(stop string, u usage) [][]byte {
	return [][]byte{mustJSON(map[string]any{
		"choices":                          []any{map[string]any{"text": "", "stop_reason": stop}},
		"amazon-bedrock-invocationMetrics": metrics(u),
	})}
}

// openAIChat is the chat.completion.chunk stream of the OpenAI-format
// families (gpt-oss, DeepSeek V3, Qwen3).
var openAIChat = family{
	start: func(usage) [][]byte { return nil },
	text: func(i int, text string, _ usage) []byte {
		role := ""
		if i == 0 {
			role = `"role":"assistant",`
		}
		return []byte(`{"id":"chatcmpl-fake","object":"chat.completion.chunk","choices":[{"index":0,"delta":{` + role + `"content":` + quote(text) + `},"finish_reason":null}]}`)
	},
	end: func(stop string, u usage) [][]byte {
		return [][]byte{mustJSON(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk",
			"choices":                          []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": stop}},
			"usage":                            map[string]any{"prompt_tokens": u.prompt, "completion_tokens": u.completion, "total_tokens": u.prompt + u.completion},
			"amazon-bedrock-invocationMetrics": metrics(u),
		})}
	},
	stops:   map[string]string{"stop": "stop", "length": "length", "content_filter": "content_filter"},
	verify:  []string{"messages"},
	check:   openAITurns.check,
	limits:  [][]string{{"max_completion_tokens"}, {"max_tokens"}},
	parse:   parseChat,
	compose: composeChat(true),
}
