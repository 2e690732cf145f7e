package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

func TestStreamFrames(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	resp := s.post(t, `{"model":"echo","stream":true,"stream_options":{"include_usage":true},
		"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	chunks, done, _ := readStream(t, resp.Body)
	if !done {
		t.Fatal("stream did not end with [DONE]")
	}
	if got := text(chunks); got != "Hello there!" {
		t.Errorf("text = %q, want %q", got, "Hello there!")
	}
	roles, finishes := 0, 0
	for i, c := range chunks {
		if c.ID == nil || c.Object != "chat.completion.chunk" || c.Model != "echo" || *c.ID != *chunks[0].ID || !strings.HasPrefix(*c.ID, "chatcmpl-") {
			t.Errorf("chunk %d: object=%q model=%q id=%v", i, c.Object, c.Model, c.ID)
		}
		for _, ch := range c.Choices {
			if ch.Delta.Role != nil {
				roles++
				if i != 0 || *ch.Delta.Role != "assistant" {
					t.Errorf("role %q in chunk %d, want assistant in chunk 0 only", *ch.Delta.Role, i)
				}
			}
			if ch.FinishReason != nil {
				finishes++
				if *ch.FinishReason != "stop" {
					t.Errorf("finish_reason = %q", *ch.FinishReason)
				}
			}
		}
	}
	if roles != 1 || finishes != 1 {
		t.Errorf("%d role deltas and %d finish reasons, want 1 each", roles, finishes)
	}
	last := chunks[len(chunks)-1]
	if len(last.Choices) != 0 || last.Usage == nil {
		t.Fatalf("last chunk before [DONE] must carry usage and no choices: %+v", last)
	}
	if u := *last.Usage; u.PromptTokens != 7 || u.CompletionTokens != 3 || u.TotalTokens != 10 {
		t.Errorf("usage = %+v, want 7+3=10", u)
	}
}

func TestStreamWithoutUsageHasNoUsageChunk(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if !done {
		t.Fatal("no [DONE]")
	}
	for _, c := range chunks {
		if c.Usage != nil {
			t.Errorf("usage sent although not asked for")
		}
	}
	if f := chunks[len(chunks)-1].Choices[0].FinishReason; f == nil || *f != "stop" {
		t.Errorf("last chunk must carry finish_reason")
	}
}

func TestEmptyAnswerStillNamesRole(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) { c.Models[0].Model = words() })
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if !done || len(chunks) != 2 || chunks[0].Choices[0].Delta.Role == nil {
		t.Fatalf("empty answer: done=%v chunks=%+v", done, chunks)
	}
}

func TestNonStreamCompletion(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	resp := s.post(t, `{"messages":[{"role":"system","content":"be nice"},{"role":"user","content":[{"type":"text","text":"hi"}]}]}`)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var c struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		Model   string `json:"model"`
		Choices []struct {
			Index   int `json:"index"`
			Message struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Object != "chat.completion" || c.Model != "echo" || !strings.HasPrefix(c.ID, "chatcmpl-") || c.Created == 0 {
		t.Errorf("completion header fields: %+v", c)
	}
	if len(c.Choices) != 1 || c.Choices[0].Message.Role != "assistant" || c.Choices[0].Message.Content != "Hello there!" ||
		c.Choices[0].FinishReason != "stop" {
		t.Errorf("choices = %+v", c.Choices)
	}
	if c.Usage.TotalTokens != 10 {
		t.Errorf("usage = %+v", c.Usage)
	}
}

// TestIncrementalDelivery proves each frame reaches the client before the
// model produces the next: the model waits for the client to see a word
// before it emits another, so a buffered stream would deadlock.
func TestIncrementalDelivery(t *testing.T) {
	t.Parallel()
	seen := make(chan struct{})
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			for i := range 5 {
				if err := emit("w" + string(rune('0'+i))); err != nil {
					return chat.Result{}, err
				}
				select {
				case <-seen:
				case <-time.After(10 * time.Second):
					return chat.Result{}, errors.New("client never saw the frame")
				case <-ctx.Done():
					return chat.Result{}, ctx.Err()
				}
			}
			return chat.Result{}, nil
		})
	})
	resp := s.post(t, hello)
	r := newEventReader(resp.Body)
	for i := range 5 {
		c := r.chunk(t)
		if got, want := *c.Choices[0].Delta.Content, "w"+string(rune('0'+i)); got != want {
			t.Fatalf("frame %d = %q, want %q", i, got, want)
		}
		seen <- struct{}{}
	}
}

func TestClientDisconnectStopsModel(t *testing.T) {
	t.Parallel()
	stopped := make(chan error, 1)
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			if err := emit("first"); err != nil {
				return chat.Result{}, err
			}
			<-ctx.Done()
			stopped <- ctx.Err()
			return chat.Result{}, ctx.Err()
		})
	})
	resp := s.post(t, hello)
	newEventReader(resp.Body).chunk(t)
	resp.Body.Close()
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("model context ended with %v, want Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("model still running 10s after the client went away")
	}
	// The request's log line says the client went away.
	waitFor(t, func() bool {
		lines := s.logs.lines(t, "request")
		return len(lines) == 1 && lines[0]["outcome"] == "client_gone"
	})
}

func TestHeartbeatWhileModelSilent(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Heartbeat = 5 * time.Millisecond
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			time.Sleep(200 * time.Millisecond)
			return chat.Result{}, emit("late")
		})
	})
	chunks, done, r := readStream(t, s.post(t, hello).Body)
	if !done || text(chunks) != "late" {
		t.Fatalf("done=%v text=%q", done, text(chunks))
	}
	if len(r.Comments) == 0 || r.Comments[0] != "ping" {
		t.Errorf("comments = %q, want pings while the model was silent", r.Comments)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
