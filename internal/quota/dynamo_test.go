package quota_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// TestInstancesShareOneTable: two limiters with clients of their own, as
// two Lambda instances have, count against one table; the slot of an
// instance that died frees itself when its TTL passes.
func TestInstancesShareOneTable(t *testing.T) {
	t.Parallel()
	url := dynalite.Endpoint(t)
	table := dynalite.Table(t, url)
	clock := clockAt(t0)
	instance := func() *quota.Limiter {
		s, err := quota.NewDynamoStore(context.Background(), table, dynalite.AWSOptions(url)...)
		if err != nil {
			t.Fatal(err)
		}
		return quota.New(quota.Config{
			Default: quota.Limits{RequestsPerMinute: 3, ConcurrentStreams: 1},
			SlotTTL: time.Minute, Logger: quiet, Now: clock.Now,
			// Generous: this test is about sharing, not latency, and
			// a busy machine must not turn a count into a store error.
			StoreTimeout: 10 * time.Second,
		}, s)
	}
	a, b := instance(), instance()

	// A's stream runs; its instance then dies: renewals stop, Done never
	// comes.
	dying, die := context.WithCancel(context.Background())
	if g, err := a.Admit(dying, alice, "a1", 10); err != nil || g.StoreErr != nil {
		t.Fatalf("Admit = %v, %v", g, err)
	}
	die()
	_, err := b.Admit(context.Background(), alice, "b1", 10)
	refusal(t, err, quota.ConcurrentStreams)

	clock.Advance(time.Minute) // a new minute, and A's slot has expired
	g, err := b.Admit(context.Background(), alice, "b2", 10)
	if err != nil || g.StoreErr != nil {
		t.Fatalf("after the dead stream's TTL: %v %v", err, g.StoreErr)
	}
	g.Done(chat.Usage{})
	for i, l := range []*quota.Limiter{a, b} {
		g, err := l.Admit(context.Background(), alice, "r", 10)
		if err != nil || g.StoreErr != nil {
			t.Fatalf("request %d of the minute: %v %v", i+2, err, g.StoreErr)
		}
		g.Done(chat.Usage{})
	}
	_, err = a.Admit(context.Background(), alice, "r", 10)
	refusal(t, err, quota.RequestsPerMinute)
}

// TestUnreachableTableFollowsPolicy: a table that cannot be reached costs
// at most the store timeout and admits the call under the default policy.
func TestUnreachableTableFollowsPolicy(t *testing.T) {
	t.Parallel()
	// A port that refuses connections: listen, note it, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	s, err := quota.NewDynamoStore(context.Background(), "quota", dynalite.AWSOptions(url)...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := quota.Config{Default: quota.Limits{RequestsPerMinute: 1}, Logger: quiet}
	g, err := quota.New(cfg, s).Admit(context.Background(), alice, "r", 10)
	if err != nil || g == nil || g.StoreErr == nil {
		t.Fatalf("allow: Admit = %v, %v; want admitted with the store error", g, err)
	}
	cfg.OnStoreError = quota.Deny
	if _, err := quota.New(cfg, s).Admit(context.Background(), alice, "r", 10); !errors.Is(err, quota.ErrUnavailable) {
		t.Fatalf("deny: err = %v; want ErrUnavailable", err)
	}
}
