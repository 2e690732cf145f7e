package gateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// inputItem is one item of input: a message (type "message" or none), a
// function call the model made and its output, or a reasoning item the
// gateway sent; other item types are refused by name.
type inputItem struct {
	Type    string          `json:"type"`
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	// function_call
	CallID    string  `json:"call_id"`
	Name      string  `json:"name"`
	Arguments *string `json:"arguments"`
	// function_call_output
	Output json.RawMessage `json:"output"`
	// reasoning
	EncryptedContent *string `json:"encrypted_content"`
}

type inputPart struct {
	Type     string  `json:"type"`
	Text     string  `json:"text"`
	Refusal  string  `json:"refusal"`
	ImageURL *string `json:"image_url"`
	FileID   *string `json:"file_id"`
	Detail   string  `json:"detail"`
}

// inputConversation builds the Chat Completions messages that say what
// instructions and input say, so that one set of rules (conversation)
// checks both wire formats: roles, content, images and their limits, and
// function calls paired with their outputs. It remembers which input item
// each message and each tool call came from, to name it in an error.
type inputConversation struct {
	msgs      []messageIn
	params    []string   // params[k]: the parameter msgs[k] came from
	calls     [][]string // calls[k][j]: the item of msgs[k]'s tool call j
	callLists [][]toolCallIn
	thinking  []json.RawMessage // blocks of reasoning items, for the next assistant message
	thinkFrom string
}

// inputMessages turns instructions and input into the conversation: the
// instructions as a system message first, then the items in order. A run
// of function_call items (after an assistant message, or on their own) is
// one assistant message with tool calls; a function_call_output item is a
// tool message.
func inputMessages(raw json.RawMessage, instructions *string, lim limits) ([]chat.Message, error) {
	if !isSet(raw) {
		return nil, invalid("input", "invalid_value", "input is required")
	}
	var c inputConversation
	if instructions != nil && *instructions != "" {
		c.add(messageIn{Role: "system", Content: jsonString(*instructions)}, "instructions")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid("input", "invalid_type", "input must be a string or an array of input items")
		}
		c.add(messageIn{Role: "user", Content: raw}, "input")
		return c.conversation(lim)
	}
	var items []inputItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, invalid("input", "invalid_type", "input must be a string or an array of input items")
	}
	if len(items) == 0 {
		return nil, invalid("input", "invalid_value", "input must not be an empty array")
	}
	if len(items) > lim.maxMessages {
		return nil, invalid("input", "too_many_messages", "at most "+strconv.Itoa(lim.maxMessages)+" input items are allowed")
	}
	for i := range items {
		if err := c.item(&items[i], "input["+strconv.Itoa(i)+"]"); err != nil {
			return nil, err
		}
	}
	return c.conversation(lim)
}

func (c *inputConversation) add(m messageIn, param string) {
	if m.Role == "assistant" && len(c.thinking) > 0 {
		m.ThinkingBlocks = joinRaw(c.thinking)
		c.thinking = nil
	}
	c.msgs = append(c.msgs, m)
	c.params = append(c.params, param)
	c.calls = append(c.calls, nil)
	c.callLists = append(c.callLists, nil)
}

func (c *inputConversation) item(it *inputItem, param string) error {
	switch it.Type {
	case "", "message":
		switch it.Role {
		case "system", "developer", "user", "assistant":
		default:
			return invalid(param+".role", "invalid_value", "role must be one of system, developer, user, assistant")
		}
		content, err := itemContent(it.Content, it.Role, param+".content")
		if err != nil {
			return err
		}
		c.add(messageIn{Role: it.Role, Content: content}, param)
	case "function_call":
		args := ""
		if it.Arguments != nil {
			args = *it.Arguments
		}
		call := toolCallIn{ID: it.CallID, Type: "function"}
		call.Function.Name, call.Function.Arguments = it.Name, args
		k := len(c.msgs) - 1
		if k < 0 || c.msgs[k].Role != "assistant" || len(c.thinking) > 0 {
			c.add(messageIn{Role: "assistant"}, param)
			k++
		}
		c.calls[k] = append(c.calls[k], param)
		c.callLists[k] = append(c.callLists[k], call)
	case "function_call_output":
		output, err := itemContent(it.Output, "tool", param+".output")
		if err != nil {
			return err
		}
		c.add(messageIn{Role: "tool", ToolCallID: jsonString(it.CallID), Content: output}, param)
	case "reasoning":
		// A summary is not the model's own reasoning and goes nowhere; the
		// blocks the gateway sent as encrypted_content go back to the model.
		if it.EncryptedContent != nil && *it.EncryptedContent != "" {
			blocks, err := base64.StdEncoding.DecodeString(*it.EncryptedContent)
			if err != nil || !json.Valid(blocks) || len(blocks) == 0 || blocks[0] != '[' {
				return invalid(param+".encrypted_content", "invalid_value", "encrypted_content must be returned as this gateway sent it")
			}
			c.thinking, c.thinkFrom = append(c.thinking, blocks), param
		}
	case "item_reference":
		return invalid(param+".type", "unsupported_parameter", "item_reference is not supported: this gateway stores no responses; send the item itself")
	default:
		return invalid(param+".type", "unsupported_parameter", "input item type "+quote(it.Type)+" is not supported by this gateway")
	}
	return nil
}

// conversation checks the built messages with the Chat Completions rules
// and names the input item of any error.
func (c *inputConversation) conversation(lim limits) ([]chat.Message, error) {
	if len(c.thinking) > 0 {
		return nil, invalid(c.thinkFrom, "invalid_value", "a reasoning item must come before the assistant message or function_call it belongs to")
	}
	for k, calls := range c.callLists {
		if len(calls) > 0 {
			b, err := json.Marshal(calls)
			if err != nil {
				return nil, err
			}
			c.msgs[k].ToolCalls = b
		}
	}
	out, err := conversation(c.msgs, lim)
	if err != nil {
		return nil, c.rename(err)
	}
	return out, nil
}

var messageParam = regexp.MustCompile(`^messages\[(\d+)\](\.tool_calls\[(\d+)\])?(.*)$`)

// rename turns an error of conversation, which names messages[k], into one
// that names the input item (or instructions) it came from.
func (c *inputConversation) rename(err error) error {
	var e *apiError
	if !errors.As(err, &e) || e.Param == nil {
		return err
	}
	old, name := *e.Param, "input"
	if m := messageParam.FindStringSubmatch(old); m != nil {
		k, _ := strconv.Atoi(m[1])
		if k >= len(c.params) {
			return err
		}
		name = c.params[k]
		rest := m[4]
		if m[2] != "" {
			j, _ := strconv.Atoi(m[3])
			if j < len(c.calls[k]) {
				name = c.calls[k][j]
			}
			rest = strings.NewReplacer(".function.name", ".name", ".function.arguments", ".arguments", ".id", ".call_id").Replace(rest)
		}
		switch {
		case rest == ".tool_calls":
			rest = ""
		case rest == ".tool_call_id":
			rest = ".call_id"
		case rest == ".content" && c.msgs[k].Role == "tool", strings.HasPrefix(rest, ".content[") && c.msgs[k].Role == "tool":
			rest = ".output" + strings.TrimPrefix(rest, ".content")
		case strings.HasPrefix(rest, ".thinking_blocks"):
			rest = ".encrypted_content"
		}
		rest = strings.Replace(rest, ".image_url.url", ".image_url", 1)
		name += rest
	} else if old != "messages" {
		return err
	}
	renamed := *e
	renamed.Param = &name
	renamed.Message = inputWords.Replace(strings.Replace(e.Message, old, name, 1))
	return &renamed
}

// inputWords says in Responses terms what conversation says in Chat
// Completions ones.
var inputWords = strings.NewReplacer(
	"an assistant message with tool_calls must be followed by a tool message for each call",
	"each function_call must be followed by a function_call_output with its call_id",
	"a tool message needs the tool_call_id of the call it answers", "a function_call_output needs the call_id of the call it answers",
	"tool message answers", "function_call_output answers",
	"a call of the assistant message before it", "a function_call before it",
	"messages must contain", "input must contain",
)

// itemContent turns a Responses content (a string, or input_text,
// input_image and, for the assistant, output_text and refusal parts) into a
// Chat Completions one: text parts and image_url parts.
func itemContent(raw json.RawMessage, role, param string) (json.RawMessage, error) {
	if !isSet(raw) || raw[0] == '"' {
		return raw, nil
	}
	var parts []inputPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, invalid(param, "invalid_type", param+" must be a string or an array of content parts")
	}
	out := make([]json.RawMessage, 0, len(parts))
	for j, part := range parts {
		p := param + "[" + strconv.Itoa(j) + "]"
		switch {
		case part.Type == "input_text",
			role == "assistant" && part.Type == "output_text":
			out = append(out, textPart(part.Text))
		case role == "assistant" && part.Type == "refusal":
			out = append(out, textPart(part.Refusal))
		case part.Type == "input_image" && part.FileID != nil:
			return nil, invalid(p+".file_id", "unsupported_parameter", "file ids name stored files, which this gateway does not keep; send the image inline as a data: URL")
		case part.Type == "input_image" && part.ImageURL != nil:
			img := struct {
				Type     string `json:"type"`
				ImageURL struct {
					URL    string `json:"url"`
					Detail string `json:"detail,omitempty"`
				} `json:"image_url"`
			}{Type: "image_url"}
			img.ImageURL.URL, img.ImageURL.Detail = *part.ImageURL, part.Detail
			b, err := json.Marshal(img)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		case part.Type == "input_image":
			return nil, invalid(p+".image_url", "invalid_value", "an input_image needs an image_url")
		default:
			return nil, invalid(p+".type", "unsupported_parameter", "content part type "+quote(part.Type)+" is not supported here; only text and input_image")
		}
	}
	return joinRaw(out), nil
}

func textPart(text string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}{"text", text})
	return b
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// joinRaw joins JSON values as one array; values that are arrays
// themselves are spliced in.
func joinRaw(vs []json.RawMessage) json.RawMessage {
	b := []byte{'['}
	for _, v := range vs {
		if len(v) > 1 && v[0] == '[' {
			v = v[1 : len(v)-1]
			if len(strings.TrimSpace(string(v))) == 0 {
				continue
			}
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	return append(b, ']')
}
