package gatewaytest

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// Response is OpenAI's Response object, as far as tests look at it.
type Response struct {
	ID                string                   `json:"id"`
	Object            string                   `json:"object"`
	CreatedAt         int64                    `json:"created_at"`
	Status            string                   `json:"status"`
	Model             string                   `json:"model"`
	Output            []OutputItem             `json:"output"`
	Usage             *ResponseUsage           `json:"usage"`
	Error             *ResponseError           `json:"error"`
	IncompleteDetails *struct{ Reason string } `json:"incomplete_details"`
	Instructions      *string                  `json:"instructions"`
	MaxOutputTokens   *int                     `json:"max_output_tokens"`
	Temperature       *float64                 `json:"temperature"`
	Store             *bool                    `json:"store"`
	User              *string                  `json:"user"`
	Metadata          map[string]string        `json:"metadata"`
}

// OutputItem is an item of a response's output.
type OutputItem struct {
	ID      string        `json:"id"`
	Type    string        `json:"type"`
	Status  string        `json:"status"`
	Role    string        `json:"role"`
	Content []ContentPart `json:"content"`
}

// ContentPart is a part of a message item.
type ContentPart struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
}

// ResponseUsage is a response's token count.
type ResponseUsage struct {
	InputTokens         int `json:"input_tokens"`
	OutputTokens        int `json:"output_tokens"`
	TotalTokens         int `json:"total_tokens"`
	OutputTokensDetails *struct {
		ReasoningTokens *int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

// ResponseError is the error of a failed response.
type ResponseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ResponseEvent is one event of a Responses stream.
type ResponseEvent struct {
	Type           string       `json:"type"`
	SequenceNumber *int         `json:"sequence_number"`
	Response       *Response    `json:"response"`
	OutputIndex    *int         `json:"output_index"`
	ContentIndex   *int         `json:"content_index"`
	ItemID         string       `json:"item_id"`
	Item           *OutputItem  `json:"item"`
	Part           *ContentPart `json:"part"`
	Delta          *string      `json:"delta"`
	Text           *string      `json:"text"`
}

// ResponseStream is a Responses stream that followed the documented
// sequence.
type ResponseStream struct {
	Events []ResponseEvent
	// Terminal is the last event's type: response.completed,
	// response.incomplete or response.failed.
	Terminal string
	Final    *Response // the terminal event's response
	Text     string    // every output_text.delta, joined
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
// response.created, then response.in_progress; each output item added,
// its parts added, their text deltas, text done, parts done and the item
// done, in order and with matching indexes, ids and text; and one terminal
// event, last, whose response holds the output as streamed. A stream that
// ends without a terminal event is an error.
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
	item  OutputItem
	parts []partState
	done  bool
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
	switch e.Type {
	case "response.output_item.added":
		if e.OutputIndex == nil || *e.OutputIndex != len(c.items) || e.Item == nil {
			return fmt.Errorf("output_index %s, want %d, item %+v", num(e.OutputIndex), len(c.items), e.Item)
		}
		if e.Item.Status != "in_progress" || e.Item.ID == "" || len(e.Item.Content) != 0 {
			return fmt.Errorf("added item = %+v, want in_progress with an id and no content", e.Item)
		}
		c.items = append(c.items, itemState{item: *e.Item})
		return nil
	}
	it, err := c.openItem(e)
	if err != nil {
		return err
	}
	switch e.Type {
	case "response.content_part.added":
		if e.ContentIndex == nil || *e.ContentIndex != len(it.parts) || e.Part == nil || e.Part.Type != "output_text" || e.Part.Text != "" {
			return fmt.Errorf("content_index %s (want %d), part %+v", num(e.ContentIndex), len(it.parts), e.Part)
		}
		it.parts = append(it.parts, partState{})
		return nil
	case "response.output_item.done":
		return c.itemDone(it, e)
	}
	if e.ContentIndex == nil || *e.ContentIndex >= len(it.parts) || it.parts[*e.ContentIndex].closed {
		return fmt.Errorf("content_index %s names no open part", num(e.ContentIndex))
	}
	p := &it.parts[*e.ContentIndex]
	switch e.Type {
	case "response.output_text.delta":
		if e.Delta == nil || p.textDone {
			return fmt.Errorf("delta missing or after the text was done")
		}
		p.text += *e.Delta
		c.s.Text += *e.Delta
	case "response.output_text.done":
		if e.Text == nil || *e.Text != p.text || p.textDone {
			return fmt.Errorf("text missing, repeated or not %q", p.text)
		}
		p.textDone = true
	case "response.content_part.done":
		if !p.textDone || e.Part == nil || e.Part.Text != p.text || e.Part.Type != "output_text" {
			return fmt.Errorf("part %+v, want output_text %q after output_text.done", e.Part, p.text)
		}
		p.closed = true
	default:
		return fmt.Errorf("unknown event type")
	}
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

func (c *checker) itemDone(it *itemState, e *ResponseEvent) error {
	if e.Item == nil || e.Item.ID != it.item.ID || e.Item.Type != it.item.Type || len(e.Item.Content) != len(it.parts) {
		return fmt.Errorf("done item %+v does not match the added one with %d parts", e.Item, len(it.parts))
	}
	if e.Item.Status != "completed" && e.Item.Status != "incomplete" {
		return fmt.Errorf("done item status %q", e.Item.Status)
	}
	for j, p := range it.parts {
		if !p.closed || e.Item.Content[j].Text != p.text {
			return fmt.Errorf("part %d: closed=%v text %q, streamed %q", j, p.closed, e.Item.Content[j].Text, p.text)
		}
	}
	it.done, it.item = true, *e.Item
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
		o := r.Output[i]
		if ended && !it.done {
			return fmt.Errorf("item %d never done", i)
		}
		if o.ID != it.item.ID || len(o.Content) < len(it.parts) {
			return fmt.Errorf("output item %d = %+v, streamed %+v", i, o, it.item)
		}
		for j, p := range it.parts {
			if o.Content[j].Text != p.text {
				return fmt.Errorf("output item %d part %d = %q, streamed %q", i, j, o.Content[j].Text, p.text)
			}
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
