package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
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
				if err := emit(chat.Delta{Text: "w" + string(rune('0'+i))}); err != nil {
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
	s := newServer(t, func(c *gateway.Config) { c.Models[0].Model = firstThenWait(stopped) })
	resp := s.post(t, hello)
	newEventReader(resp.Body).chunk(t)
	resp.Body.Close()
	checkStoppedByDisconnect(t, s, stopped)
}

// TestHeartbeatWhileModelSilent runs in a synctest bubble: the clock is
// fake, so the pings of a silent model come at exact times.
func TestHeartbeatWhileModelSilent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h, _ := newGateway(t, func(c *gateway.Config) {
			c.Heartbeat = 10 * time.Second
			c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				time.Sleep(25 * time.Second)
				if err := emit(chat.Delta{Text: "late"}); err != nil {
					return chat.Result{}, err
				}
				time.Sleep(15 * time.Second)
				return chat.Result{}, emit(chat.Delta{Text: " and later"})
			})
		})
		resp := serve(t.Context(), h, hello)
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		// Pings at 10s and 20s, the first word at 25s, a ping at 35s, since
		// the first word restarted the interval, and the last word at 40s.
		var seq []string
		for _, f := range strings.Split(strings.TrimSuffix(string(body), "\n\n"), "\n\n") {
			if _, rest, ok := strings.Cut(f, "\n"); ok && strings.HasPrefix(f, "id: ") {
				f = rest // every event carries its id
			}
			switch {
			case f == ": ping":
				seq = append(seq, "ping")
			case f == "data: [DONE]":
				seq = append(seq, "[DONE]")
			default:
				var c chunk
				if err := json.Unmarshal([]byte(strings.TrimPrefix(f, "data: ")), &c); err != nil || len(c.Choices) != 1 {
					t.Fatalf("frame %q is neither a ping nor a chunk", f)
				}
				if ct := c.Choices[0].Delta.Content; ct != nil {
					seq = append(seq, *ct)
				} else {
					seq = append(seq, "finish")
				}
			}
		}
		if got, want := strings.Join(seq, "|"), "ping|ping|late|ping| and later|finish|[DONE]"; got != want {
			t.Errorf("frames = %s, want %s", got, want)
		}
	})
}
