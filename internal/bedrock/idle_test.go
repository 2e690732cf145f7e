package bedrock_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// timedCollect streams req and returns the text and when the last piece
// came.
func timedCollect(m chat.Model, req *chat.Request) (text string, last time.Time, err error) {
	_, err = m.Stream(context.Background(), req, func(d chat.Delta) error {
		s := d.Text
		text += s
		last = time.Now()
		return nil
	})
	return text, last, err
}

// An upstream that stalls after its first token is given up on exactly
// IdleTimeout after its last event, and its connection is closed.
func TestStreamIdleTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.StallAfter(5, 2)))
		cfg := testConfig(haiku, &sleeps{})
		cfg.IdleTimeout = 30 * time.Second
		text, last, err := timedCollect(newPipeModel(t, srv, cfg), hello())
		if text != "tok1 tok2 " || !errors.Is(err, bedrock.ErrIdleTimeout) || !errors.Is(err, chat.ErrUpstreamTimeout) {
			t.Fatalf("Stream = %q, %v; want the two tokens, then ErrIdleTimeout (an upstream timeout)", text, err)
		}
		if took := time.Since(last); took != cfg.IdleTimeout {
			t.Errorf("gave up %v after the last token, want exactly the idle timeout %v", took, cfg.IdleTimeout)
		}
		synctest.Wait()
		if opened, closed := srv.Streams(); opened != 1 || closed != 1 {
			t.Errorf("fake streams %d opened, %d closed: the stalled upstream was not closed", opened, closed)
		}
	})
}

// The idle timeout restarts with every event: an answer whose chunks are
// each just inside it completes.
func TestStreamIdleTimeoutRestarts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.Scenario{Tokens: 4, Interval: 30*time.Second - time.Nanosecond}))
		cfg := testConfig(haiku, &sleeps{})
		cfg.IdleTimeout = 30 * time.Second
		text, _, err := timedCollect(newPipeModel(t, srv, cfg), hello())
		if text != "tok1 tok2 tok3 tok4 " || err != nil {
			t.Fatalf("Stream = %q, %v; want the whole answer", text, err)
		}
	})
}

// A frame that announces more than the bound is refused as soon as its
// length is read, not waited for; before the first token it is a fallback
// case, after it a failure of the upstream.
func TestStreamRefusesHugeFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		after    int
		size     uint32
		wantText string
	}{
		{name: "before the first token", after: 0, size: 16 << 20},
		{name: "after two tokens", after: 2, size: 1<<20 + 1, wantText: "tok1 tok2 "},
		{name: "shorter than a frame can be", after: 1, size: 15, wantText: "tok1 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.HugeFrameAfter(tt.after, tt.size)))
				cfg := testConfig(haiku, &sleeps{})
				cfg.IdleTimeout = time.Minute
				start := time.Now()
				text, _, err := timedCollect(newPipeModel(t, srv, cfg), hello())
				if text != tt.wantText || !errors.Is(err, bedrock.ErrBadFrame) {
					t.Fatalf("Stream = %q, %v; want %q, then ErrBadFrame", text, err, tt.wantText)
				}
				if took := time.Since(start); took != 0 {
					t.Errorf("refused after %v, want at once", took)
				}
				if tt.wantText == "" {
					if reason, ok := bedrock.FallbackReason(err); reason != "bad_response" || !ok {
						t.Errorf("FallbackReason = %q, %v; want bad_response, true", reason, ok)
					}
				} else if !errors.Is(err, chat.ErrUpstream) {
					t.Errorf("err = %v, want an upstream failure", err)
				}
			})
		})
	}
}
