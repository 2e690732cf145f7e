package responses

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
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

// maxToolCalls bounds the function calls of one assistant turn, and
// maxThinkingBlocks the signed reasoning blocks that go back with it.
const (
	maxToolCalls      = 128
	maxThinkingBlocks = 16
)

// conversation builds the model's messages from instructions and input,
// item by item: a run of function_call items (after an assistant message,
// or on their own) is one assistant turn with tool calls; a
// function_call_output is a tool result, which must answer a call of the
// turn before it.
type conversation struct {
	images *gateway.Images
	msgs   []chat.Message
	users  int
	seen   map[string]bool // the call ids of the open assistant turn
	open   map[string]bool // its calls still without an output
	// thinking holds the blocks of reasoning items for the next assistant
	// turn; thinkingFrom names the last of those items, "" when none waits.
	thinking     []chat.ThinkingBlock
	thinkingFrom string
}

// inputMessages turns instructions and input into the conversation: the
// instructions as a system message first, then the items in order. param
// names the items in errors: "input", or the Conversations API's "items".
func inputMessages(raw json.RawMessage, param string, instructions *string, lim gateway.Limits) ([]chat.Message, error) {
	if !gateway.IsSet(raw) {
		return nil, gateway.Invalid(param, "invalid_value", param+" is required")
	}
	c := conversation{images: gateway.NewImages(lim)}
	if instructions != nil && *instructions != "" {
		c.msgs = append(c.msgs, chat.Message{Role: chat.RoleSystem, Content: *instructions})
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, gateway.Invalid(param, "invalid_type", param+" must be a string or an array of input items")
		}
		c.msgs = append(c.msgs, chat.Message{Role: chat.RoleUser, Content: s})
		return c.msgs, nil
	}
	var items []inputItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, gateway.Invalid(param, "invalid_type", param+" must be a string or an array of input items")
	}
	if len(items) == 0 {
		return nil, gateway.Invalid(param, "invalid_value", param+" must not be an empty array")
	}
	if len(items) > lim.MaxMessages {
		return nil, gateway.Invalid(param, "too_many_messages", "at most "+strconv.Itoa(lim.MaxMessages)+" input items are allowed")
	}
	for i := range items {
		if err := c.item(&items[i], param+"["+strconv.Itoa(i)+"]"); err != nil {
			return nil, err
		}
	}
	switch {
	case c.thinkingFrom != "":
		return nil, gateway.Invalid(c.thinkingFrom, "invalid_value", "a reasoning item must come before the assistant message or function_call it belongs to")
	case len(c.open) > 0:
		return nil, c.unanswered(param)
	case c.users == 0:
		return nil, gateway.Invalid(param, "invalid_value", param+" must contain at least one user message")
	}
	return c.msgs, nil
}

func (c *conversation) item(it *inputItem, param string) error {
	if it.Type != "function_call_output" && it.Type != "reasoning" && len(c.open) > 0 {
		if it.Type != "function_call" || !c.inTurn() {
			return c.unanswered(param)
		}
	}
	switch it.Type {
	case "", "message":
		return c.message(it, param)
	case "function_call":
		return c.call(it, param)
	case "function_call_output":
		return c.output(it, param)
	case "reasoning":
		// A summary is not the model's own reasoning and goes nowhere; the
		// blocks the gateway sent as encrypted_content go back to the model.
		if it.EncryptedContent == nil || *it.EncryptedContent == "" {
			return nil
		}
		blocks, err := thinking(*it.EncryptedContent, param+".encrypted_content")
		if err != nil {
			return err
		}
		c.thinking, c.thinkingFrom = append(c.thinking, blocks...), param
		if len(c.thinking) > maxThinkingBlocks {
			return gateway.Invalid(param+".encrypted_content", "invalid_value", "at most "+strconv.Itoa(maxThinkingBlocks)+" thinking blocks may go back with one answer")
		}
		return nil
	case "item_reference":
		return gateway.Invalid(param+".type", "unsupported_parameter", "item_reference is not supported: this gateway stores no responses; send the item itself")
	}
	return gateway.Invalid(param+".type", "unsupported_parameter", "input item type "+gateway.Quote(it.Type)+" is not supported by this gateway")
}

// inTurn reports whether a function_call joins the last message: an
// assistant turn with no reasoning waiting for a turn of its own.
func (c *conversation) inTurn() bool {
	n := len(c.msgs)
	return n > 0 && c.msgs[n-1].Role == chat.RoleAssistant && c.thinkingFrom == ""
}

// message decodes a message item.
func (c *conversation) message(it *inputItem, param string) error {
	msg := chat.Message{}
	switch it.Role {
	case "system", "developer":
		msg.Role = chat.RoleSystem
	case "user":
		msg.Role = chat.RoleUser
		c.users++
	case "assistant":
		msg.Role = chat.RoleAssistant
	default:
		return gateway.Invalid(param+".role", "invalid_value", "role must be one of system, developer, user, assistant")
	}
	var err error
	if msg.Content, msg.Parts, err = c.content(it.Content, it.Role, param+".content"); err != nil {
		return err
	}
	c.turn(&msg)
	c.msgs = append(c.msgs, msg)
	return nil
}

// turn starts an assistant turn: it takes the reasoning before it and
// opens no calls yet.
func (c *conversation) turn(msg *chat.Message) {
	c.open, c.seen = nil, nil
	if msg.Role == chat.RoleAssistant {
		msg.Thinking, c.thinking, c.thinkingFrom = c.thinking, nil, ""
	}
}

// call decodes a function_call item into the assistant turn it belongs to.
func (c *conversation) call(it *inputItem, param string) error {
	if !c.inTurn() {
		msg := chat.Message{Role: chat.RoleAssistant}
		c.turn(&msg)
		c.msgs = append(c.msgs, msg)
	}
	msg := &c.msgs[len(c.msgs)-1]
	if len(msg.ToolCalls) == maxToolCalls {
		return gateway.Invalid(param, "invalid_value", "at most "+strconv.Itoa(maxToolCalls)+" function calls are allowed in one answer")
	}
	if c.seen == nil {
		c.seen, c.open = map[string]bool{}, map[string]bool{}
	}
	args := ""
	if it.Arguments != nil {
		args = *it.Arguments
	}
	call, err := gateway.ToolCall(chat.ToolCall{ID: it.CallID, Name: it.Name, Arguments: args}, c.seen,
		param+".call_id", param+".name", param+".arguments")
	if err != nil {
		return err
	}
	msg.ToolCalls = append(msg.ToolCalls, call)
	c.open[call.ID] = true
	return nil
}

// output decodes a function_call_output item: the result of an open call.
func (c *conversation) output(it *inputItem, param string) error {
	if it.CallID == "" {
		return gateway.Invalid(param+".call_id", "invalid_value", "a function_call_output needs the call_id of the call it answers")
	}
	if !c.open[it.CallID] {
		return gateway.Invalid(param+".call_id", "invalid_value",
			"function_call_output answers "+gateway.Quote(it.CallID)+", which is not a function_call before it (or was answered already)")
	}
	delete(c.open, it.CallID)
	msg := chat.Message{Role: chat.RoleTool, ToolCallID: it.CallID}
	var err error
	if msg.Content, _, err = c.content(it.Output, "tool", param+".output"); err != nil {
		return err
	}
	c.msgs = append(c.msgs, msg)
	return nil
}

// unanswered is the error of function calls whose outputs do not follow
// them, which OpenAI and every model with tools refuse.
func (c *conversation) unanswered(param string) error {
	ids := make([]string, 0, len(c.open))
	for id := range c.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return gateway.Invalid(param, "invalid_value", "each function_call must be followed by a function_call_output with its call_id; no result for "+gateway.Quote(strings.Join(ids, ", ")))
}

// content decodes a message's content or a call's output: a string, or
// input_text and input_image parts (and, from the assistant, output_text
// and refusal parts). Text parts are joined with newlines; the parts are
// kept only when there is an image among them, which only a user may send.
func (c *conversation) content(raw json.RawMessage, role, param string) (string, []chat.Part, error) {
	if !gateway.IsSet(raw) {
		return "", nil, gateway.Invalid(param, "invalid_value", param+" is required")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", nil, gateway.Invalid(param, "invalid_type", param+" must be a string or an array of content parts")
		}
		return s, nil, nil
	}
	var in []inputPart
	if err := json.Unmarshal(raw, &in); err != nil {
		return "", nil, gateway.Invalid(param, "invalid_type", param+" must be a string or an array of content parts")
	}
	if len(in) == 0 {
		return "", nil, gateway.Invalid(param, "invalid_value", param+" must not be an empty array")
	}
	parts := make([]chat.Part, 0, len(in))
	images := false
	for j, part := range in {
		p := param + "[" + strconv.Itoa(j) + "]"
		switch {
		case part.Type == "input_text", role == "assistant" && part.Type == "output_text":
			parts = append(parts, chat.Part{Text: part.Text})
		case role == "assistant" && part.Type == "refusal":
			parts = append(parts, chat.Part{Text: part.Refusal})
		case part.Type == "input_image" && part.FileID != nil:
			return "", nil, gateway.Invalid(p+".file_id", "unsupported_parameter", "file ids name stored files, which this gateway does not keep; send the image inline as a data: URL")
		case part.Type == "input_image" && part.ImageURL == nil:
			return "", nil, gateway.Invalid(p+".image_url", "invalid_value", "an input_image needs an image_url")
		case part.Type == "input_image" && role != "user":
			return "", nil, gateway.Invalid(p+".type", "invalid_value", "images are allowed in user messages only")
		case part.Type == "input_image":
			img, err := c.images.Decode(*part.ImageURL, p+".image_url")
			if err != nil {
				return "", nil, err
			}
			parts = append(parts, chat.Part{Image: img})
			images = true
		default:
			return "", nil, gateway.Invalid(p+".type", "unsupported_parameter", "content part type "+gateway.Quote(part.Type)+" is not supported here; only text and input_image")
		}
	}
	text := chat.JoinText(parts)
	if !images {
		parts = nil
	}
	return text, parts, nil
}

// thinking decodes the encrypted_content of a reasoning item: base64 of
// the blocks' JSON, as the gateway sent it (see newOutputReasoning).
func thinking(enc, param string) ([]chat.ThinkingBlock, error) {
	refuse := gateway.Invalid(param, "invalid_value", "encrypted_content must be returned as this gateway sent it")
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(b) == 0 || b[0] != '[' {
		return nil, refuse
	}
	blocks, err := gateway.DecodeThinking(b, param)
	if err != nil {
		return nil, refuse
	}
	return blocks, nil
}
