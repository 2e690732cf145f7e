package quota_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// TestHandedOverGrantSettledElsewhere: a grant handed over as a ticket is
// settled by another limiter on the same store (another invocation): the
// reservation stays taken in between, and the answer's tokens are what
// the caller is charged in the end; HandOver settles nothing.
func TestHandedOverGrantSettledElsewhere(t *testing.T) {
	t.Parallel()
	clock := clockAt(t0)
	store := quota.NewMemoryStore(clock.Now)
	accepting := newLimiter(quota.Limits{TokensPerDay: 1000}, clock, store)
	producing := newLimiter(quota.Limits{TokensPerDay: 1000}, clock, store)
	ctx := context.Background()
	g, err := accepting.Admit(ctx, alice, "bg", 600)
	if err != nil {
		t.Fatal(err)
	}
	ticket, err := g.Ticket()
	if err != nil {
		t.Fatal(err)
	}
	g.HandOver()
	g.Done(chat.Usage{CompletionTokens: 999}) // after HandOver: nothing
	probe, err := accepting.Admit(ctx, alice, "probe", 0)
	if err != nil || probe.Tokens.Remaining != 400 {
		t.Fatalf("between the POST and the job: %+v, %v; want the 600 reserved, 400 left", probe.Tokens, err)
	}
	probe.Done(chat.Usage{})

	reopened, err := producing.Reopen(ctx, ticket)
	if err != nil {
		t.Fatal(err)
	}
	reopened.Done(chat.Usage{PromptTokens: 10, CompletionTokens: 40})
	probe, err = accepting.Admit(ctx, alice, "probe", 0)
	if err != nil || probe.Tokens.Remaining != 950 {
		t.Fatalf("after the job: %+v, %v; want 950 left (the answer's 50 tokens charged)", probe.Tokens, err)
	}
	if _, err := producing.Reopen(ctx, []byte(`{"nothing":1}`)); err == nil {
		t.Error("Reopen accepted a ticket without a caller")
	}
}

// TestHandedOverSlot: the concurrency slot stays held from the POST to
// the job's end: the job's invocation renews it, and Done frees it.
func TestHandedOverSlot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		store := quota.NewMemoryStore(nil)
		cfg := quota.Config{Default: quota.Limits{ConcurrentStreams: 1}, SlotTTL: 30 * time.Second, Logger: quiet}
		accepting, producing := quota.New(cfg, store), quota.New(cfg, store)
		g, err := accepting.Admit(context.Background(), alice, "bg", 10)
		if err != nil {
			t.Fatal(err)
		}
		ticket, _ := g.Ticket()
		g.HandOver()
		time.Sleep(10 * time.Second) // the event on its way
		job, stop := context.WithCancel(context.Background())
		defer stop()
		reopened, err := producing.Reopen(job, ticket)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute) // a long answer: renewed by the job
		if _, err := accepting.Admit(context.Background(), alice, "r", 10); err == nil {
			t.Fatal("a second stream was admitted while the background answer runs")
		}
		reopened.Done(chat.Usage{})
		g2, err := accepting.Admit(context.Background(), alice, "r", 10)
		if err != nil {
			t.Fatalf("the slot was not freed when the job ended: %v", err)
		}
		g2.Done(chat.Usage{})
	})
}
