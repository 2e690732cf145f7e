package gateway_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

const responsesHello = `{"model":"echo","stream":true,"input":"hi"}`

func (s *server) postResponses(t testing.TB, body string) *http.Response {
	t.Helper()
	return s.postTo(t, "/v1/responses", body)
}

// serveResponses is serve for POST /v1/responses, for synctest bubbles.
func serveResponses(ctx context.Context, h http.Handler, body string) *http.Response {
	return serveAt(ctx, h, "/v1/responses", body)
}

func readResponses(t testing.TB, resp *http.Response) *gatewaytest.ResponseStream {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, Content-Type %q; want a 200 event stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s, err := gatewaytest.ReadResponseStream(resp.Body)
	if err != nil {
		t.Fatalf("the stream does not follow the documented sequence: %v", err)
	}
	return s
}

func teeReader(resp *http.Response, b *strings.Builder) io.Reader { return io.TeeReader(resp.Body, b) }

func eventTypes(s *gatewaytest.ResponseStream) string {
	var b []string
	for _, e := range s.Events {
		b = append(b, strings.TrimPrefix(e.Type, "response."))
	}
	return strings.Join(b, " ")
}

func TestResponsesStreamSequence(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	st := readResponses(t, s.postResponses(t, responsesHello))
	want := "created in_progress output_item.added content_part.added output_text.delta output_text.delta output_text.delta " +
		"output_text.done content_part.done output_item.done completed"
	if got := eventTypes(st); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	f := st.Final
	if st.Text != "Hello there!" || f.Output[0].Content[0].Text != "Hello there!" || f.Output[0].Role != "assistant" {
		t.Errorf("text %q, output %+v", st.Text, f.Output)
	}
	if f.Model != "echo" || f.Usage.InputTokens != 7 || f.Usage.OutputTokens != 3 || f.Usage.TotalTokens != 10 {
		t.Errorf("model %q, usage %+v", f.Model, f.Usage)
	}
	if f.Store == nil || *f.Store || f.Usage.OutputTokensDetails == nil || f.Usage.OutputTokensDetails.ReasoningTokens == nil {
		t.Errorf("store %v, output_tokens_details %+v; want store false and reasoning_tokens", f.Store, f.Usage.OutputTokensDetails)
	}
	if !strings.HasPrefix(f.ID, "resp_") || !strings.HasPrefix(f.Output[0].ID, "msg_") {
		t.Errorf("ids %q %q", f.ID, f.Output[0].ID)
	}
}

func TestResponsesEmptyAnswerHasItsMessage(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) { c.Models[0].Model = words() })
	st := readResponses(t, s.postResponses(t, responsesHello))
	want := "created in_progress output_item.added content_part.added output_text.done content_part.done output_item.done completed"
	if got := eventTypes(st); got != want || len(st.Final.Output) != 1 {
		t.Errorf("events %s, output %+v", got, st.Final.Output)
	}
}

func TestResponsesNonStream(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	resp := s.postResponses(t, `{"model":"echo","input":"hi","instructions":"Be brief.","metadata":{"k":"v"},"user":"u1","temperature":0.5,"max_output_tokens":50}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var r gatewaytest.Response
	if err := jsonDecode(resp, &r); err != nil {
		t.Fatal(err)
	}
	if r.Object != "response" || r.Status != "completed" || r.Model != "echo" || r.Error != nil || r.IncompleteDetails != nil {
		t.Errorf("response = %+v", r)
	}
	if len(r.Output) != 1 || r.Output[0].Type != "message" || r.Output[0].Status != "completed" ||
		len(r.Output[0].Content) != 1 || r.Output[0].Content[0].Type != "output_text" || r.Output[0].Content[0].Text != "Hello there!" {
		t.Errorf("output = %+v", r.Output)
	}
	if r.Usage == nil || r.Usage.TotalTokens != 10 {
		t.Errorf("usage = %+v", r.Usage)
	}
	if r.Instructions == nil || *r.Instructions != "Be brief." || r.Metadata["k"] != "v" || r.User == nil || *r.User != "u1" ||
		r.Temperature == nil || *r.Temperature != 0.5 || r.MaxOutputTokens == nil || *r.MaxOutputTokens != 50 || r.Store == nil || *r.Store {
		t.Errorf("echoed fields: %+v", r)
	}
}

// stopAt answers with words and ends with reason.
func stopAt(reason chat.FinishReason, ws ...string) fakeModel {
	return func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		for _, w := range ws {
			if err := emit(chat.Delta{Text: w}); err != nil {
				return chat.Result{}, err
			}
		}
		return chat.Result{FinishReason: reason}, nil
	}
}

func TestResponsesIncomplete(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		finish chat.FinishReason
		reason string
	}{{chat.FinishLength, "max_output_tokens"}, {chat.FinishContentFilter, "content_filter"}} {
		s := newServer(t, func(c *gateway.Config) { c.Models[0].Model = stopAt(tt.finish, "cut", " short") })
		st := readResponses(t, s.postResponses(t, responsesHello))
		f := st.Final
		if st.Terminal != gatewaytest.Incomplete || f.IncompleteDetails.Reason != tt.reason || f.Output[0].Status != "incomplete" {
			t.Errorf("%s: terminal %s, details %+v, item status %q", tt.finish, st.Terminal, f.IncompleteDetails, f.Output[0].Status)
		}
		var r gatewaytest.Response
		if err := jsonDecode(s.postResponses(t, `{"input":"hi"}`), &r); err != nil {
			t.Fatal(err)
		}
		if r.Status != "incomplete" || r.IncompleteDetails == nil || r.IncompleteDetails.Reason != tt.reason || r.Output[0].Content[0].Text != "cut short" {
			t.Errorf("%s without streaming: %+v", tt.finish, r)
		}
	}
}

func TestResponsesFailureAfterStartEndsWithFailed(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(errUpstream, "partial")
		c.Fallback = policy
	})
	st := readResponses(t, s.postResponses(t, responsesHello))
	if st.Terminal != gatewaytest.Failed {
		t.Fatalf("terminal event %q, want response.failed", st.Terminal)
	}
	for _, e := range st.Events {
		if e.Type == gatewaytest.Completed || e.Type == "response.output_item.done" {
			t.Errorf("%s in a failed stream", e.Type)
		}
	}
	f := st.Final
	if f.Error.Code != "model_error" || strings.Contains(f.Error.Message, "throttled") {
		t.Errorf("error = %+v, want model_error without the internal cause", f.Error)
	}
	if st.Text != "partial" || f.Output[0].Status != "incomplete" || f.Output[0].Content[0].Text != "partial" {
		t.Errorf("text %q, output %+v", st.Text, f.Output)
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	if l := s.logs.lines(t, "request")[0]; l["outcome"] != "error" || !strings.Contains(l["error"].(string), "throttled") {
		t.Errorf("log line %v, want the cause", l)
	}
}

func TestResponsesFallbackBeforeFirstToken(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(errUpstream)
		c.Fallback = policy
	})
	st := readResponses(t, s.postResponses(t, responsesHello))
	if st.Terminal != gatewaytest.Completed || st.Text != "Please go on." || st.Final.Model != "eliza" {
		t.Errorf("terminal %s, text %q, model %q; want ELIZA's answer", st.Terminal, st.Text, st.Final.Model)
	}
	// response.created leaves with the first text, after the fallback, so
	// clients that take the model from it (the AI SDK) see ELIZA's name.
	if m := st.Events[0].Response.Model; m != "eliza" {
		t.Errorf("response.created names %q, want eliza", m)
	}
	var r gatewaytest.Response
	if err := jsonDecode(s.postResponses(t, `{"input":"hi"}`), &r); err != nil || r.Model != "eliza" {
		t.Errorf("without streaming: model %q, err %v", r.Model, err)
	}
}

func TestResponsesClientErrorFromModel(t *testing.T) {
	t.Parallel()
	bad := &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: "max_tokens exceeds the model's limit"}
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(bad)
		c.Fallback = policy
	})
	resp := s.postResponses(t, `{"input":"hi"}`)
	if e := decodeError(t, resp); resp.StatusCode != 400 || e.Message != bad.Message {
		t.Errorf("status %d, error %+v", resp.StatusCode, e)
	}
	// Streamed, the status has not left before the first text: a 400 too.
	resp = s.postResponses(t, responsesHello)
	if e := decodeError(t, resp); resp.StatusCode != 400 || e.Message != bad.Message {
		t.Errorf("streamed: status %d, error %+v", resp.StatusCode, e)
	}
}

func TestResponsesPanicEndsWithFailed(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			_ = emit(chat.Delta{Text: "before"})
			panic("boom")
		})
	})
	st := readResponses(t, s.postResponses(t, responsesHello))
	if st.Terminal != gatewaytest.Failed || strings.Contains(st.Final.Error.Message, "boom") {
		t.Errorf("terminal %s, error %+v", st.Terminal, st.Final.Error)
	}
	// Before the stream started, a panic is a 500 JSON error.
	s = newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) { panic("boom") })
	})
	resp := s.postResponses(t, responsesHello)
	if e := decodeError(t, resp); resp.StatusCode != 500 || strings.Contains(e.Message, "boom") {
		t.Errorf("panic before the first text: status %d, error %+v", resp.StatusCode, e)
	}
}

func TestResponsesDeadlineEndsWithFailed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const deadline, margin = 30 * time.Second, 2 * time.Second
		h, _ := newGateway(t, func(c *gateway.Config) {
			c.DeadlineMargin = margin
			c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				if err := emit(chat.Delta{Text: "some"}); err != nil {
					return chat.Result{}, err
				}
				<-ctx.Done()
				return chat.Result{}, ctx.Err()
			})
		})
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		defer cancel()
		start := time.Now()
		st := readResponses(t, serveResponses(ctx, h, responsesHello))
		if took := time.Since(start); took != deadline-margin {
			t.Errorf("stream ended after %v, want %v", took, deadline-margin)
		}
		if st.Terminal != gatewaytest.Failed || st.Final.Error.Code != "deadline_exceeded" || st.Text != "some" {
			t.Errorf("terminal %s, error %+v, text %q", st.Terminal, st.Final.Error, st.Text)
		}
	})
}

// TestResponsesHeartbeat runs in a synctest bubble: pings of a silent
// model are SSE comments, which the sequence check does not see.
func TestResponsesHeartbeat(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h, _ := newGateway(t, func(c *gateway.Config) {
			c.Heartbeat = 10 * time.Second
			c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				time.Sleep(25 * time.Second)
				return chat.Result{}, emit(chat.Delta{Text: "late"})
			})
		})
		resp := serveResponses(t.Context(), h, responsesHello)
		body := new(strings.Builder)
		st, err := gatewaytest.ReadResponseStream(teeReader(resp, body))
		if err != nil || st.Text != "late" {
			t.Fatalf("stream: %v, text %q", err, st.Text)
		}
		if n := strings.Count(body.String(), ": ping\n\n"); n != 2 {
			t.Errorf("%d pings, want 2 (at 10s and 20s):\n%s", n, body)
		}
	})
}

func TestResponsesDisconnectStopsModel(t *testing.T) {
	t.Parallel()
	stopped := make(chan error, 1)
	s := newServer(t, func(c *gateway.Config) { c.Models[0].Model = firstThenWait(stopped) })
	resp := s.postResponses(t, responsesHello)
	r := newEventReader(resp.Body)
	for range 5 { // created, in_progress, item added, part added, the delta
		if _, err := r.r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	resp.Body.Close()
	checkStoppedByDisconnect(t, s, stopped)
}

func TestResponsesRecord(t *testing.T) {
	t.Parallel()
	got := make(chan gateway.Record, 1)
	s := newServer(t, func(c *gateway.Config) { c.Observe = func(r *gateway.Record) { got <- *r } })
	readResponses(t, s.postResponses(t, responsesHello))
	r := <-got
	if r.Path != "/v1/responses" || r.Model != "echo" || r.OutputTokens != 3 || r.Outcome != "complete" || r.FirstToken <= 0 {
		t.Errorf("record = %+v", r)
	}
}
