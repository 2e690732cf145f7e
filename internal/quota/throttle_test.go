package quota_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
	"github.com/chatbot-gateway/chatbot/internal/quota/fakedynamo"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// mallory hammers her own items until DynamoDB throttles them.
var mallory = &auth.Identity{Subject: "mallory", Issuer: "https://issuer.example.com", Method: auth.MethodJWT}

// dynamoOn is the production DynamoStore, its SDK client speaking to p.
func dynamoOn(t *testing.T, p *fakedynamo.Pipe) *quota.DynamoStore {
	t.Helper()
	opts := append(dynalite.AWSOptions(p.URL), config.WithHTTPClient(p.Client()),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
	s, err := quota.NewDynamoStore(context.Background(), "quota", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestThrottlingIsNeverAdmission: with either policy, a caller whose own
// item DynamoDB throttles is refused with Throttled, at once (the SDK does
// not sleep and retry into the store timeout, which would turn the throttle
// into a failed store and, under Allow, into admission); what the call took
// is given back, and another caller is admitted. It runs in a synctest
// bubble: the SDK's backoff and the store timeout run on the fake clock.
func TestThrottlingIsNeverAdmission(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    fakedynamo.Error
		policy quota.Policy
	}{
		{"provisioned, allow", fakedynamo.ProvisionedThroughputExceeded, quota.Allow},
		{"provisioned, deny", fakedynamo.ProvisionedThroughputExceeded, quota.Deny},
		{"on demand, allow", fakedynamo.Throttling, quota.Allow},
		{"on demand, deny", fakedynamo.Throttling, quota.Deny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := fakedynamo.New()
				p := fakedynamo.NewPipe(srv)
				defer p.Close()
				hot := "rpm#" + quota.Caller(mallory) + "#"
				srv.Fail(hot, tc.err)
				l := quota.New(quota.Config{
					Default:      quota.Limits{RequestsPerMinute: 10, TokensPerDay: 1000, ConcurrentStreams: 2},
					OnStoreError: tc.policy, Logger: quiet, // the default store timeout, 150 ms
				}, dynamoOn(t, p))

				start := time.Now()
				g, err := l.Admit(context.Background(), mallory, "r1", 100)
				if err == nil {
					g.Done(chat.Usage{}) // ends its slot's renewal before the test fails
				}
				le := refusal(t, err, quota.Throttled)
				if !errors.Is(err, quota.ErrThrottled) || le.RetryAfter != time.Second {
					t.Fatalf("refusal = %+v (%v); want the store's throttle, retry after 1s", le, err)
				}
				if waited := time.Since(start); waited != 0 {
					t.Errorf("the refusal took %v: the SDK slept before returning the throttle", waited)
				}
				if n := srv.Requests(hot); n != 1 {
					t.Errorf("the throttled item was asked %d times; want once, with no retry", n)
				}
				if n := srv.Count("tok#" + quota.Caller(mallory)); n != 0 {
					t.Errorf("the refused call kept %d tokens reserved", n)
				}

				g, err = l.Admit(context.Background(), alice, "r2", 100)
				if err != nil || g.StoreErr != nil {
					t.Fatalf("another caller: %v, %v; want admitted and counted", err, g.StoreErr)
				}
				g.Done(chat.Usage{PromptTokens: 1})
			})
		})
	}
}

// TestOtherStoreErrorsFollowThePolicy: an error of DynamoDB itself on the
// caller's item is a failed store: admitted under Allow, refused with
// ErrUnavailable under Deny.
func TestOtherStoreErrorsFollowThePolicy(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := fakedynamo.New()
		p := fakedynamo.NewPipe(srv)
		defer p.Close()
		srv.Fail("rpm#"+quota.Caller(mallory)+"#", fakedynamo.InternalServer)
		store := dynamoOn(t, p)
		cfg := quota.Config{Default: quota.Limits{RequestsPerMinute: 10}, Logger: quiet}
		g, err := quota.New(cfg, store).Admit(context.Background(), mallory, "r1", 100)
		if err != nil || g == nil || g.StoreErr == nil || errors.Is(g.StoreErr, quota.ErrThrottled) {
			t.Fatalf("allow: Admit = %v, %v; want admitted with the store error", g, err)
		}
		g.Done(chat.Usage{})
		cfg.OnStoreError = quota.Deny
		if _, err := quota.New(cfg, store).Admit(context.Background(), mallory, "r2", 100); !errors.Is(err, quota.ErrUnavailable) {
			t.Fatalf("deny: err = %v; want ErrUnavailable", err)
		}
	})
}
