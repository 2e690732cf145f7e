package gateway

import (
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Collected is a whole answer assembled from the model's deltas, for a
// format's Collect.
type Collected struct {
	text      strings.Builder
	reasoning strings.Builder
	// since is where the reasoning of the open thinking block starts.
	since    int
	thinking []chat.ThinkingBlock
	calls    []chat.ToolCall
}

// Add appends a delta.
func (a *Collected) Add(d chat.Delta) {
	a.text.WriteString(d.Text)
	a.reasoning.WriteString(d.Reasoning)
	if t := d.Thinking; t != nil {
		block := *t
		if block.Redacted == "" && block.Text == "" {
			// The block's text came as reasoning deltas.
			block.Text = a.reasoning.String()[a.since:]
		}
		a.since = a.reasoning.Len()
		a.thinking = append(a.thinking, block)
	}
	if t := d.ToolCall; t != nil {
		for len(a.calls) <= t.Index {
			a.calls = append(a.calls, chat.ToolCall{})
		}
		c := &a.calls[t.Index]
		if t.ID != "" {
			c.ID = t.ID
		}
		if t.Name != "" {
			c.Name = t.Name
		}
		c.Arguments += t.Arguments
	}
}

// Text is the answer's text.
func (a *Collected) Text() string { return a.text.String() }

// Reasoning is the answer's reasoning text.
func (a *Collected) Reasoning() string { return a.reasoning.String() }

// Thinking are the answer's signed reasoning blocks.
func (a *Collected) Thinking() []chat.ThinkingBlock { return a.thinking }

// ToolCalls are the answer's tool calls, in order.
func (a *Collected) ToolCalls() []chat.ToolCall { return a.calls }
