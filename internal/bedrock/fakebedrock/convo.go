package fakebedrock

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// convo is a request body read into one shape for every family: what the
// fake checks as Bedrock would, and what its answer is made from.
type convo struct {
	tools    []toolDef
	choice   string // "", "auto", "none", "any" (some tool) or a tool's name
	thinking bool   // the model reasons before it answers
	msgs     []cmsg
	// needTools: the family refuses tool blocks when no tools are defined.
	needTools bool
	vision    bool // the family takes images
}

type toolDef struct {
	name   string
	schema json.RawMessage
}

// cmsg is one message; a user message may carry tool results.
type cmsg struct {
	role     string // user, assistant
	text     string
	images   []fakeImage
	calls    []fakeCall
	results  []fakeResult
	thinking []thinkBlock
}

type fakeImage struct {
	format string // png, jpeg, gif, webp
	data   []byte
}

type fakeCall struct{ id, name, args string }

type fakeResult struct{ id, content string }

type thinkBlock struct{ text, signature, redacted string }

// signature is what the fake signs a thinking text with, so it can tell a
// block sent back intact from one that was changed.
func signature(text string) string {
	sum := sha256.Sum256([]byte("fakebedrock thinking:" + text))
	return base64.StdEncoding.EncodeToString(sum[:12])
}

// plan is the fake's answer to a request with features: reasoning before
// the text, what the text says first, or a tool call instead of text.
type plan struct {
	reasoning []string
	preface   string
	call      *fakeCall
}

func (p plan) featured() bool { return p.reasoning != nil || p.preface != "" || p.call != nil }

// invalid is a ValidationException message, as Bedrock words them.
type invalid string

// check returns Bedrock's complaint about c, or "".
func (c *convo) check() invalid {
	if !c.vision {
		for _, m := range c.msgs {
			if len(m.images) > 0 {
				return "This model doesn't support image input."
			}
		}
	}
	for i, m := range c.msgs {
		if len(m.images) > 0 && m.role != "user" {
			return invalid(fmt.Sprintf("messages.%d: images are only allowed in user messages", i))
		}
		for _, img := range m.images {
			if msg := checkImage(img); msg != "" {
				return invalid(fmt.Sprintf("messages.%d: %s", i, msg))
			}
		}
		if (len(m.calls) > 0 || len(m.results) > 0) && len(c.tools) == 0 && c.needTools {
			return "Requests which include `tool_use` or `tool_result` blocks must define tools."
		}
		if len(m.results) > 0 {
			var prev []fakeCall
			if i > 0 {
				prev = c.msgs[i-1].calls
			}
			for _, r := range m.results {
				if !slices.ContainsFunc(prev, func(call fakeCall) bool { return call.id == r.id }) {
					return invalid(fmt.Sprintf("messages.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, r.id))
				}
			}
		}
		for _, b := range m.thinking {
			if b.redacted == "" && b.signature != signature(b.text) {
				return invalid(fmt.Sprintf("messages.%d: Invalid `signature` in `thinking` block", i))
			}
		}
	}
	for i, m := range c.msgs {
		if len(m.calls) > 0 {
			var next []fakeResult
			if i+1 < len(c.msgs) {
				next = c.msgs[i+1].results
			}
			for _, call := range m.calls {
				if !slices.ContainsFunc(next, func(r fakeResult) bool { return r.id == call.id }) && i+1 < len(c.msgs) {
					return invalid(fmt.Sprintf("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s", i, call.id))
				}
			}
		}
	}
	if c.choice != "" && c.choice != "auto" && c.choice != "none" && c.choice != "any" &&
		!slices.ContainsFunc(c.tools, func(t toolDef) bool { return t.name == c.choice }) {
		return invalid("tool_choice names a tool that is not defined: " + c.choice)
	}
	return ""
}

func checkImage(img fakeImage) string {
	want := map[string]string{"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}[img.format]
	switch {
	case want == "":
		return "image format must be one of png, jpeg, gif, webp"
	case len(img.data) == 0:
		return "image data is empty"
	case http.DetectContentType(img.data) != want:
		return "image data does not match its media type " + want
	}
	return ""
}

// plan reads what to answer from the conversation: the results of the
// tools it called, a tool call when tools are offered and the user names
// one (or the tool choice forces one), reasoning when thinking is on, and
// what it sees in the images of the last user message.
func (c *convo) plan() plan {
	var p plan
	if c.thinking {
		p.reasoning = []string{"The user wrote to me. ", "I will answer briefly."}
	}
	if len(c.msgs) == 0 {
		return p
	}
	last := c.msgs[len(c.msgs)-1]
	if last.role != "user" {
		return p
	}
	var said []string
	if n := len(last.images); n > 0 {
		said = append(said, fmt.Sprintf("I see %d image(s): %s.", n, describe(last.images)))
	}
	if len(last.results) > 0 {
		var rs []string
		for _, r := range last.results {
			rs = append(rs, r.content)
		}
		said = append(said, "Tool result: "+strings.Join(rs, "; ")+".")
	} else if t := c.toolToCall(last.text); t != nil {
		p.call = &fakeCall{name: t.name, args: exampleArgs(t.schema)}
	}
	if len(said) > 0 {
		p.preface = strings.Join(said, " ") + " "
	}
	return p
}

func describe(images []fakeImage) string {
	var ds []string
	for _, img := range images {
		ds = append(ds, fmt.Sprintf("%s %d bytes", img.format, len(img.data)))
	}
	return strings.Join(ds, ", ")
}

func (c *convo) toolToCall(text string) *toolDef {
	if len(c.tools) == 0 || c.choice == "none" {
		return nil
	}
	for i, t := range c.tools {
		if c.choice == t.name || (c.choice == "" || c.choice == "auto" || c.choice == "any") && strings.Contains(text, t.name) {
			return &c.tools[i]
		}
	}
	if c.choice == "any" {
		return &c.tools[0]
	}
	return nil
}

// exampleArgs fills a schema's properties (its required ones, when it
// names them) with example values of their types.
func exampleArgs(schema json.RawMessage) string {
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	_ = json.Unmarshal(schema, &s)
	names := s.Required
	if names == nil {
		for k := range s.Properties {
			names = append(names, k)
		}
		slices.Sort(names)
	}
	args := make(map[string]any, len(names))
	for _, k := range names {
		switch t, _ := s.Properties[k].Type.(string); t {
		case "integer", "number":
			args[k] = 1
		case "boolean":
			args[k] = true
		case "array":
			args[k] = []any{}
		case "object":
			args[k] = map[string]any{}
		default:
			args[k] = "example"
		}
	}
	return string(mustJSON(args))
}
