package bedrock

import (
	"context"
	"time"
)

// Defaults for the Bedrock settings.
const (
	DefaultFirstTokenTimeout = 10 * time.Second
	DefaultMaxRetries        = 2
	DefaultRetryBudget       = 2 * time.Second
	DefaultIdleTimeout       = 30 * time.Second
)

// Config is the Bedrock part of the gateway's configuration. The zero value
// is disabled; the gateway's configuration (internal/app) fills it from
// the environment.
type Config struct {
	// DefaultModel is the model that answers requests that name no model
	// (BEDROCK_MODEL_ID). Empty disables Bedrock.
	DefaultModel string
	// Models are further model ids a request may name (BEDROCK_MODELS).
	Models []string
	// SystemPrompt leads every conversation (SYSTEM_PROMPT).
	SystemPrompt string
	// AllowClientSystem passes the client's system messages on after
	// SystemPrompt (ALLOW_CLIENT_SYSTEM, default true).
	AllowClientSystem bool
	// FirstTokenTimeout bounds the wait for the first text, over all
	// attempts (BEDROCK_FIRST_TOKEN_TIMEOUT, default 10s).
	FirstTokenTimeout time.Duration
	// MaxRetries is how many times a retryable failure before the first
	// token is retried (BEDROCK_MAX_RETRIES, default 2).
	MaxRetries int
	// RetryBudget bounds the total backoff time spent between attempts
	// (BEDROCK_RETRY_BUDGET, default 2s).
	RetryBudget time.Duration
	// IdleTimeout bounds the silence between stream events once the first
	// text has arrived (BEDROCK_IDLE_TIMEOUT, default 30s); zero means the
	// default. Heartbeats keep proxies from noticing a stalled upstream, so
	// without this bound only the Lambda deadline would end it.
	IdleTimeout time.Duration
	// GuardrailID and GuardrailVersion name an Amazon Bedrock guardrail
	// applied to every call (BEDROCK_GUARDRAIL_ID, _VERSION); empty: none.
	GuardrailID, GuardrailVersion string
	// GuardrailTrace asks Bedrock for the guardrail's trace
	// (BEDROCK_GUARDRAIL_TRACE).
	GuardrailTrace bool

	// Sleep waits between attempts; nil means a timer that stops when ctx
	// ends. Tests replace it to observe backoff without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter picks the actual backoff from its exponential ceiling; nil
	// means uniform in [d/2, d].
	Jitter func(d time.Duration) time.Duration
}

// Enabled reports whether Bedrock is configured. When it is not, the
// built-in model is the default.
func (c Config) Enabled() bool { return c.DefaultModel != "" }

// ModelIDs lists the configured model ids, the default first, without
// duplicates.
func (c Config) ModelIDs() []string {
	if !c.Enabled() {
		return nil
	}
	ids := []string{c.DefaultModel}
	seen := map[string]bool{c.DefaultModel: true}
	for _, id := range c.Models {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}
