package gatewaytest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// ResponseStream is a Responses stream that followed the documented
// sequence.
type ResponseStream struct {
	Events []ResponseEvent
	// Terminal is the last event's type: response.completed,
	// response.incomplete or response.failed.
	Terminal string
	Final    *Response // the terminal event's response
	Text     string    // every output_text.delta, joined
	// Reasoning is every reasoning_summary_text.delta, joined.
	Reasoning string
}

// The terminal events.
const (
	Completed  = "response.completed"
	Incomplete = "response.incomplete"
	Failed     = "response.failed"
)

// ReadResponseStream reads a whole Responses stream with the
// spec-following SSE parser and checks it against the documented sequence:
// every event named by its SSE event field and numbered from 0;
// response.created, then response.in_progress; each output item (message,
// reasoning, function call) added, its parts added (content or summary
// parts), their text deltas, text done, parts done, a call's arguments
// deltas and done, and the item done, in order and with matching indexes,
// ids and text; and one terminal event, last, whose response holds the
// output as streamed. A stream that ends without a terminal event is an
// error.
func ReadResponseStream(body io.Reader) (*ResponseStream, error) {
	evs, err := ssetest.NewReader(body).All()
	if err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	c := &checker{s: &ResponseStream{}}
	for i, ev := range evs {
		var re ResponseEvent
		if err := json.Unmarshal([]byte(ev.Data), &re); err != nil {
			return c.s, fmt.Errorf("event %d is not JSON: %q", i, ev.Data)
		}
		if ev.Type != re.Type {
			return c.s, fmt.Errorf("event %d: SSE event %q carries type %q", i, ev.Type, re.Type)
		}
		if re.SequenceNumber == nil || *re.SequenceNumber != i {
			return c.s, fmt.Errorf("event %d (%s): sequence_number %s, want %d", i, re.Type, num(re.SequenceNumber), i)
		}
		if c.s.Terminal != "" {
			return c.s, fmt.Errorf("event %d (%s) after %s", i, re.Type, c.s.Terminal)
		}
		c.s.Events = append(c.s.Events, re)
		if err := c.step(i, &re); err != nil {
			return c.s, fmt.Errorf("event %d (%s): %w", i, re.Type, err)
		}
	}
	if c.s.Terminal == "" {
		return c.s, fmt.Errorf("stream ended after %d events without a terminal event", len(evs))
	}
	return c.s, nil
}

type itemState struct {
	item     OutputItem
	parts    []partState // a message's content, a reasoning item's summary
	args     string      // a function call's arguments
	argsDone bool
	done     bool
}

type partState struct {
	text             string
	textDone, closed bool
}

type checker struct {
	s     *ResponseStream
	id    string // the response id
	items []itemState
}

// The events about a part of an item, by the item type they belong to.
var partEvents = map[string]string{
	"response.content_part.added": "message", "response.output_text.delta": "message",
	"response.output_text.done": "message", "response.content_part.done": "message",
	"response.reasoning_summary_part.added": "reasoning", "response.reasoning_summary_text.delta": "reasoning",
	"response.reasoning_summary_text.done": "reasoning", "response.reasoning_summary_part.done": "reasoning",
}

func (c *checker) step(i int, e *ResponseEvent) error {
	switch e.Type {
	case "response.created", "response.in_progress":
		want := []string{"response.created", "response.in_progress"}[min(i, 1)]
		if i > 1 || e.Type != want {
			return fmt.Errorf("want %s as event %d", want, i)
		}
		if e.Response == nil || e.Response.Status != "in_progress" || len(e.Response.Output) != 0 || e.Response.Object != "response" {
			return fmt.Errorf("response = %+v, want an in_progress response with no output", e.Response)
		}
		return c.sameResponse(e.Response)
	case Completed, Incomplete, Failed:
		return c.terminal(e)
	}
	if i < 2 {
		return fmt.Errorf("before response.created and response.in_progress")
	}
	if e.Type == "response.output_item.added" {
		return c.added(e)
	}
	it, err := c.openItem(e)
	if err != nil {
		return err
	}
	switch e.Type {
	case "response.output_item.done":
		return c.itemDone(it, e)
	case "response.function_call_arguments.delta", "response.function_call_arguments.done":
		if it.item.Type != "function_call" || it.argsDone {
			return fmt.Errorf("arguments of a %s item, or after their done", it.item.Type)
		}
		if e.Type == "response.function_call_arguments.done" {
			if e.Arguments == nil || *e.Arguments != it.args {
				return fmt.Errorf("arguments %s, streamed %q", str(e.Arguments), it.args)
			}
			it.argsDone = true
		} else if e.Delta == nil {
			return fmt.Errorf("no delta")
		} else {
			it.args += *e.Delta
		}
		return nil
	}
	kind, ok := partEvents[e.Type]
	if !ok {
		return fmt.Errorf("unknown event type")
	}
	if it.item.Type != kind {
		return fmt.Errorf("a %s event on a %s item", kind, it.item.Type)
	}
	index := e.ContentIndex
	if kind == "reasoning" {
		index = e.SummaryIndex
	}
	if strings.HasSuffix(e.Type, "_part.added") {
		want := "output_text"
		if kind == "reasoning" {
			want = "summary_text"
		}
		if index == nil || *index != len(it.parts) || e.Part == nil || e.Part.Type != want || e.Part.Text != "" {
			return fmt.Errorf("index %s (want %d), part %+v", num(index), len(it.parts), e.Part)
		}
		it.parts = append(it.parts, partState{})
		return nil
	}
	if index == nil || *index >= len(it.parts) || it.parts[*index].closed {
		return fmt.Errorf("index %s names no open part", num(index))
	}
	p := &it.parts[*index]
	switch {
	case strings.HasSuffix(e.Type, "_text.delta"):
		if e.Delta == nil || p.textDone {
			return fmt.Errorf("delta missing or after the text was done")
		}
		p.text += *e.Delta
		if kind == "message" {
			c.s.Text += *e.Delta
		} else {
			c.s.Reasoning += *e.Delta
		}
	case strings.HasSuffix(e.Type, "_text.done"):
		if e.Text == nil || *e.Text != p.text || p.textDone {
			return fmt.Errorf("text missing, repeated or not %q", p.text)
		}
		p.textDone = true
	default: // the part's done
		if !p.textDone || e.Part == nil || e.Part.Text != p.text {
			return fmt.Errorf("part %+v, want %q after its text was done", e.Part, p.text)
		}
		p.closed = true
	}
	return nil
}

func (c *checker) added(e *ResponseEvent) error {
	if e.OutputIndex == nil || *e.OutputIndex != len(c.items) || e.Item == nil || e.Item.ID == "" {
		return fmt.Errorf("output_index %s, want %d, item %+v", num(e.OutputIndex), len(c.items), e.Item)
	}
	it := e.Item
	for _, other := range c.items {
		if other.item.ID == it.ID {
			return fmt.Errorf("item id %q used twice", it.ID)
		}
	}
	switch it.Type {
	case "message":
		if it.Status != "in_progress" || len(it.Content) != 0 || it.Role != "assistant" {
			return fmt.Errorf("added message %+v, want in_progress, assistant, no content", it)
		}
	case "reasoning":
		if len(it.Summary) != 0 {
			return fmt.Errorf("added reasoning %+v, want no summary yet", it)
		}
	case "function_call":
		if it.Status != "in_progress" || it.CallID == "" || it.Name == "" || it.Arguments == nil || *it.Arguments != "" {
			return fmt.Errorf("added function call %+v, want in_progress with a call_id, a name and no arguments", it)
		}
	default:
		return fmt.Errorf("item type %q", it.Type)
	}
	c.items = append(c.items, itemState{item: *it})
	return nil
}

func (c *checker) sameResponse(r *Response) error {
	if r.ID == "" || (c.id != "" && r.ID != c.id) {
		return fmt.Errorf("response id %q, want %q", r.ID, c.id)
	}
	c.id = r.ID
	return nil
}

// openItem returns the item an item-level event names; it must be open.
func (c *checker) openItem(e *ResponseEvent) (*itemState, error) {
	if e.OutputIndex == nil || *e.OutputIndex >= len(c.items) {
		return nil, fmt.Errorf("output_index %s names no item", num(e.OutputIndex))
	}
	it := &c.items[*e.OutputIndex]
	if it.done {
		return nil, fmt.Errorf("item %d is already done", *e.OutputIndex)
	}
	if id := e.ItemID; e.Type != "response.output_item.done" && id != it.item.ID {
		return nil, fmt.Errorf("item_id %q, want %q", id, it.item.ID)
	}
	return it, nil
}

// parts returns an item's streamed parts as the output shows them.
func parts(o *OutputItem) []ContentPart {
	if o.Type == "reasoning" {
		return o.Summary
	}
	return o.Content
}

func (c *checker) itemDone(it *itemState, e *ResponseEvent) error {
	o := e.Item
	if o == nil || o.ID != it.item.ID || o.Type != it.item.Type {
		return fmt.Errorf("done item %+v does not match the added one", o)
	}
	if o.Type != "reasoning" && o.Status != "completed" && o.Status != "incomplete" {
		return fmt.Errorf("done item status %q", o.Status)
	}
	if o.Type == "function_call" {
		if !it.argsDone || o.Arguments == nil || *o.Arguments != it.args || o.CallID != it.item.CallID || o.Name != it.item.Name {
			return fmt.Errorf("done call %+v, streamed %q (done %v)", o, it.args, it.argsDone)
		}
	}
	ps := parts(o)
	if len(ps) != len(it.parts) {
		return fmt.Errorf("done item has %d parts, %d were streamed", len(ps), len(it.parts))
	}
	for j, p := range it.parts {
		if !p.closed || ps[j].Text != p.text {
			return fmt.Errorf("part %d: closed=%v text %q, streamed %q", j, p.closed, ps[j].Text, p.text)
		}
	}
	it.done, it.item = true, *o
	return nil
}

func (c *checker) terminal(e *ResponseEvent) error {
	r := e.Response
	if r == nil {
		return fmt.Errorf("no response")
	}
	if err := c.sameResponse(r); err != nil {
		return err
	}
	c.s.Terminal, c.s.Final = e.Type, r
	want := map[string]string{Completed: "completed", Incomplete: "incomplete", Failed: "failed"}[e.Type]
	if r.Status != want {
		return fmt.Errorf("status %q, want %q", r.Status, want)
	}
	if e.Type == Failed {
		if r.Error == nil || r.Error.Code == "" || r.Error.Message == "" {
			return fmt.Errorf("error = %+v, want a code and a message", r.Error)
		}
		return c.output(r, false)
	}
	if r.Error != nil {
		return fmt.Errorf("error %+v on a %s response", r.Error, r.Status)
	}
	if (e.Type == Incomplete) != (r.IncompleteDetails != nil && r.IncompleteDetails.Reason != "") {
		return fmt.Errorf("incomplete_details %+v on a %s response", r.IncompleteDetails, r.Status)
	}
	if u := r.Usage; u == nil || u.TotalTokens != u.InputTokens+u.OutputTokens {
		return fmt.Errorf("usage %+v, want total = input + output", u)
	}
	return c.output(r, true)
}

// output checks that r's output is what was streamed: every item done
// when the answer ended, each partial one when it failed.
func (c *checker) output(r *Response, ended bool) error {
	if len(r.Output) != len(c.items) {
		return fmt.Errorf("output has %d items, %d were streamed", len(r.Output), len(c.items))
	}
	for i, it := range c.items {
		o := &r.Output[i]
		if ended && !it.done {
			return fmt.Errorf("item %d never done", i)
		}
		ps := parts(o)
		if o.ID != it.item.ID || o.Type != it.item.Type || len(ps) < len(it.parts) {
			return fmt.Errorf("output item %d = %+v, streamed %+v", i, o, it.item)
		}
		for j, p := range it.parts {
			if ps[j].Text != p.text {
				return fmt.Errorf("output item %d part %d = %q, streamed %q", i, j, ps[j].Text, p.text)
			}
		}
		if o.Type == "function_call" && (o.Arguments == nil || *o.Arguments != it.args) {
			return fmt.Errorf("output call %d arguments %s, streamed %q", i, str(o.Arguments), it.args)
		}
	}
	return nil
}

func num(p *int) string {
	if p == nil {
		return "missing"
	}
	return fmt.Sprint(*p)
}

func str(p *string) string {
	if p == nil {
		return "missing"
	}
	return fmt.Sprintf("%q", *p)
}
