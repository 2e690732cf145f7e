package bedrock_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

func TestStreamFamilies(t *testing.T) {
	t.Parallel()
	ids := []string{
		haiku,
		"global.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"us.amazon.nova-lite-v1:0",
		"meta.llama3-1-8b-instruct-v1:0",
		"us.meta.llama4-scout-17b-instruct-v1:0",
		"mistral.mistral-7b-instruct-v0:2",
		"mistral.mistral-large-2407-v1:0",
		"amazon.titan-text-express-v1",
		"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.meta.llama3-2-1b-instruct-v1:0",
	}
	finishes := []struct {
		name string
		want chat.FinishReason
	}{
		{name: "stop", want: chat.FinishStop},
		{name: "length", want: chat.FinishLength},
	}
	for _, id := range ids {
		for _, fin := range finishes {
			t.Run(id+"/"+fin.name, func(t *testing.T) {
				t.Parallel()
				srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Scenario{Tokens: 4, Finish: fin.name, PromptTokens: 17}))
				m := newModel(t, srv, testConfig(id, &sleeps{}))
				var pieces []string
				res, err := m.Stream(context.Background(), hello(), func(d chat.Delta) error {
					s := d.Text
					pieces = append(pieces, s)
					return nil
				})
				if err != nil {
					t.Fatalf("Stream: %v", err)
				}
				if got, want := strings.Join(pieces, "|"), "tok1 |tok2 |tok3 |tok4 "; got != want {
					t.Errorf("pieces = %q, want %q", got, want)
				}
				want := chat.Result{FinishReason: fin.want, Usage: chat.Usage{PromptTokens: 17, CompletionTokens: 4}}
				if res != want {
					t.Errorf("result = %+v, want %+v", res, want)
				}
				reqs := srv.Requests()
				if len(reqs) != 1 || reqs[0].ModelID != id {
					t.Errorf("requests = %d, model %q; want 1 for %q", len(reqs), reqs[0].ModelID, id)
				}
			})
		}
	}
}

func TestStreamContentFilter(t *testing.T) {
	t.Parallel()
	for _, id := range []string{haiku, "amazon.nova-pro-v1:0", "amazon.titan-text-lite-v1"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Scenario{Tokens: 1, Finish: "content_filter"}))
			_, res, err := collect(context.Background(), newModel(t, srv, testConfig(id, &sleeps{})), hello())
			if err != nil || res.FinishReason != chat.FinishContentFilter {
				t.Errorf("Stream = %+v, %v; want content_filter", res, err)
			}
		})
	}
}

// Bedrock stops at the request's token limit with the family's length
// reason; the fake does the same, so the limit the gateway sends is seen to
// work for every family.
func TestStreamMaxTokens(t *testing.T) {
	t.Parallel()
	for _, id := range []string{
		haiku, "amazon.nova-lite-v1:0", "meta.llama3-1-8b-instruct-v1:0", "us.meta.llama4-scout-17b-instruct-v1:0",
		"mistral.mistral-7b-instruct-v0:2", "mistral.mistral-large-2407-v1:0", "amazon.titan-text-express-v1",
	} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(10)))
			req := hello()
			req.MaxTokens = 3
			text, res, err := collect(context.Background(), newModel(t, srv, testConfig(id, &sleeps{})), req)
			if err != nil || text != "tok1 tok2 tok3 " || res.FinishReason != chat.FinishLength || res.Usage.CompletionTokens != 3 {
				t.Errorf("Stream = %q, %+v, %v; want 3 pieces ending with length", text, res, err)
			}
		})
	}
}

func TestStreamFailures(t *testing.T) {
	t.Parallel()
	ok := fakebedrock.Tokens(2)
	tests := []struct {
		name      string
		scenarios []fakebedrock.Scenario
		budget    time.Duration // zero: default
		wantText  string
		wantErr   bool
		wantCalls int
		wantSleep []time.Duration
		// For errors: the fallback decision, or an invalid request.
		wantReason   string
		wantFallback bool
		wantInvalid  string
		// wantKind is the chat error the gateway maps to a status.
		wantKind error
	}{
		{
			name:      "throttled twice then answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Throttled(), ok},
			wantText:  "tok1 tok2 ", wantCalls: 3,
			wantSleep: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond},
		},
		{
			name:      "throttled beyond retries",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Throttled(), fakebedrock.Throttled(), ok},
			wantErr:   true, wantCalls: 3, wantReason: "throttled", wantFallback: true, wantKind: chat.ErrUnavailable,
			wantSleep: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond},
		},
		{
			name:      "retry budget caps waiting",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Throttled(), ok},
			budget:    150 * time.Millisecond,
			wantErr:   true, wantCalls: 2, wantReason: "throttled", wantFallback: true, wantKind: chat.ErrUnavailable,
			wantSleep: []time.Duration{150 * time.Millisecond},
		},
		{
			name:      "last wait shortened to fit the budget",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Throttled(), ok},
			budget:    300 * time.Millisecond,
			wantText:  "tok1 tok2 ", wantCalls: 3,
			wantSleep: []time.Duration{200 * time.Millisecond, 100 * time.Millisecond},
		},
		{
			name:      "model not ready then answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.HTTPError(429, "ModelNotReadyException", "not ready"), ok},
			wantText:  "tok1 tok2 ", wantCalls: 2, wantSleep: []time.Duration{200 * time.Millisecond},
		},
		{
			name:      "unavailable then answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.Unavailable(), ok},
			wantText:  "tok1 tok2 ", wantCalls: 2, wantSleep: []time.Duration{200 * time.Millisecond},
		},
		{
			name:      "internal server error then answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.HTTPError(500, "InternalServerException", "boom"), ok},
			wantText:  "tok1 tok2 ", wantCalls: 2, wantSleep: []time.Duration{200 * time.Millisecond},
		},
		{
			name:      "access denied is a configuration error",
			scenarios: []fakebedrock.Scenario{fakebedrock.AccessDenied(), ok},
			wantErr:   true, wantCalls: 1, wantReason: "access_denied", wantKind: chat.ErrModelConfig,
		},
		{
			name:      "model not found is a configuration error",
			scenarios: []fakebedrock.Scenario{fakebedrock.NotFound(), ok},
			wantErr:   true, wantCalls: 1, wantReason: "model_not_found", wantKind: chat.ErrModelConfig,
		},
		{
			name:      "a retired model is a configuration error",
			scenarios: []fakebedrock.Scenario{fakebedrock.EndOfLife(), ok},
			wantErr:   true, wantCalls: 1, wantReason: "end_of_life", wantKind: chat.ErrModelConfig,
		},
		{
			name:      "validation is the client's error",
			scenarios: []fakebedrock.Scenario{fakebedrock.Invalid("max_tokens: 999999 > 8192"), ok},
			wantErr:   true, wantCalls: 1, wantReason: "invalid_request", wantInvalid: "max_tokens: 999999 > 8192", wantKind: chat.ErrInvalidRequest,
		},
		{
			name:      "in-stream throttling before tokens then answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.InStream("throttlingException", 0), ok},
			wantText:  "tok1 tok2 ", wantCalls: 2, wantSleep: []time.Duration{200 * time.Millisecond},
		},
		{
			name: "in-stream model stream errors exhaust retries",
			scenarios: []fakebedrock.Scenario{
				fakebedrock.InStream("modelStreamErrorException", 0),
				fakebedrock.InStream("internalServerException", 0),
				fakebedrock.InStream("serviceUnavailableException", 0),
			},
			wantErr: true, wantCalls: 3, wantReason: "unavailable", wantFallback: true, wantKind: chat.ErrUnavailable,
			wantSleep: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond},
		},
		{
			name:      "in-stream validation before tokens",
			scenarios: []fakebedrock.Scenario{{Exception: "validationException", Message: "prompt too long"}},
			wantErr:   true, wantCalls: 1, wantReason: "invalid_request", wantInvalid: "prompt too long", wantKind: chat.ErrInvalidRequest,
		},
		{
			name:      "in-stream exception after tokens is not retried",
			scenarios: []fakebedrock.Scenario{fakebedrock.InStream("internalServerException", 2), ok},
			wantText:  "tok1 tok2 ", wantErr: true, wantCalls: 1, wantKind: chat.ErrUpstream,
		},
		{
			name:      "cut before tokens then answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.CutAfter(3, 0), ok},
			wantText:  "tok1 tok2 ", wantCalls: 2, wantSleep: []time.Duration{200 * time.Millisecond},
		},
		{
			name:      "cut after tokens",
			scenarios: []fakebedrock.Scenario{fakebedrock.CutAfter(5, 2), ok},
			wantText:  "tok1 tok2 ", wantErr: true, wantCalls: 1, wantKind: chat.ErrUpstream,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(9)))
			srv.Push(tt.scenarios...)
			s := &sleeps{}
			cfg := testConfig(haiku, s)
			if tt.budget > 0 {
				cfg.RetryBudget = tt.budget
			}
			text, _, err := collect(context.Background(), newModel(t, srv, cfg), hello())
			if text != tt.wantText {
				t.Errorf("text = %q, want %q", text, tt.wantText)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got := len(srv.Requests()); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			if got := s.get(); !equalDurations(got, tt.wantSleep) {
				t.Errorf("backoff = %v, want %v", got, tt.wantSleep)
			}
			if (tt.wantKind != nil) != (err != nil) || (err != nil && !errors.Is(err, tt.wantKind)) {
				t.Errorf("err = %v, want one of kind %v", err, tt.wantKind)
			}
			if err == nil || tt.wantText != "" {
				return
			}
			reason, fallback := bedrock.FallbackReason(err)
			if reason != tt.wantReason || fallback != tt.wantFallback {
				t.Errorf("FallbackReason(%v) = %q, %v; want %q, %v", err, reason, fallback, tt.wantReason, tt.wantFallback)
			}
			var pe *chat.PublicError
			isInvalid := errors.As(err, &pe) && errors.Is(err, chat.ErrInvalidRequest)
			if isInvalid != (tt.wantInvalid != "") || (isInvalid && pe.Message != tt.wantInvalid) {
				t.Errorf("err = %#v, want invalid request %q", err, tt.wantInvalid)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStreamConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New()
	url := srv.URL
	srv.Close()
	cfg := testConfig(haiku, &sleeps{})
	models, err := bedrock.NewModels(context.Background(), cfg, awsOptions(t, url, nil)...)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = collect(context.Background(), models[haiku], hello())
	if reason, ok := bedrock.FallbackReason(err); reason != "connection_failed" || !ok {
		t.Errorf("FallbackReason(%v) = %q, %v; want connection_failed", err, reason, ok)
	}
}

type noCredentials struct{}

func (noCredentials) Retrieve(context.Context) (awsCredentials, error) {
	return awsCredentials{}, errors.New("no credential source")
}

func TestStreamNoCredentials(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	cfg := testConfig(haiku, &sleeps{})
	models, err := bedrock.NewModels(context.Background(), cfg, awsOptions(t, srv.URL, noCredentials{})...)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = collect(context.Background(), models[haiku], hello())
	if reason, ok := bedrock.FallbackReason(err); reason != "no_credentials" || !ok {
		t.Errorf("FallbackReason(%v) = %q, %v; want no_credentials", err, reason, ok)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("calls = %d, want none", n)
	}
}

func TestStreamCancelClosesUpstream(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Scenario{Tokens: 100000, Interval: time.Millisecond}))
	m := newModel(t, srv, testConfig(haiku, &sleeps{}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	_, err := m.Stream(ctx, hello(), func(chat.Delta) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n != 3 {
		t.Errorf("emitted %d pieces, want 3 (none after cancel)", n)
	}
	if reason, ok := bedrock.FallbackReason(err); ok {
		t.Errorf("FallbackReason = %q, true; a client that left must not get a fallback", reason)
	}
	if errors.Is(err, chat.ErrUpstream) {
		t.Errorf("err = %v: a client that left is not the upstream's failure", err)
	}
	waitIdle(t, srv.Handler)
}

func TestStreamEmitErrorStops(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Scenario{Tokens: 100000, Interval: time.Millisecond}))
	m := newModel(t, srv, testConfig(haiku, &sleeps{}))
	n := 0
	_, err := m.Stream(context.Background(), hello(), func(chat.Delta) error {
		n++
		return errEmit
	})
	if !errors.Is(err, errEmit) || n != 1 || errors.Is(err, chat.ErrUpstream) {
		t.Fatalf("err = %v after %d emits, want errEmit (and not an upstream failure) after 1", err, n)
	}
	waitIdle(t, srv.Handler)
	if opened, _ := srv.Streams(); opened != 1 {
		t.Errorf("opened %d streams, want 1", opened)
	}
}
