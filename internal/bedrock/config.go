package bedrock

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	// API is the runtime operation models answer through unless their
	// entry names one (BEDROCK_API; "" means APIInvoke).
	API API
	// ModelAPI holds the operation an entry of BEDROCK_MODEL_ID or
	// BEDROCK_MODELS named with an invoke: or converse: prefix, by id.
	ModelAPI map[string]API
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
	// GuardrailStreamAsync has the guardrail check a Converse stream
	// asynchronously: text reaches the client before the guardrail has
	// seen it (BEDROCK_GUARDRAIL_STREAM_MODE=async; the default, sync,
	// holds each piece until it has). InvokeModel has no such setting.
	GuardrailStreamAsync bool
	// PromptCacheAuto adds a prompt cache point after the system prompt
	// and after the tools, for models that cache prompts
	// (BEDROCK_PROMPT_CACHE=auto; off: only where the client marks one).
	PromptCacheAuto bool

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

// API is the Bedrock runtime operation a model answers through.
type API string

// The runtime operations.
const (
	// APIInvoke is InvokeModelWithResponseStream: each family's own body
	// and chunks.
	APIInvoke API = "invoke"
	// APIConverse is ConverseStream: one message format for every model,
	// in the SDK's own types.
	APIConverse API = "converse"
)

// ParseModelEntry takes an entry of BEDROCK_MODEL_ID or BEDROCK_MODELS
// apart: an optional "invoke:" or "converse:" prefix, then the model id.
// api is "" without a prefix. A model id never starts with either word
// (ids start with a provider, a geo prefix or "arn:").
func ParseModelEntry(entry string) (id string, api API) {
	for _, a := range [...]API{APIInvoke, APIConverse} {
		if rest, ok := strings.CutPrefix(entry, string(a)+":"); ok {
			return strings.TrimSpace(rest), a
		}
	}
	return strings.TrimSpace(entry), ""
}

// CheckModel reports why model id cannot answer through api ("" for the
// default), or nil. Any non-empty id can answer through Converse; through
// InvokeModel only an id an InvokeModel family knows.
func CheckModel(id string, api API) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty model id", ErrUnsupportedModel)
	case strings.ContainsAny(id, " \t\r\n"):
		return fmt.Errorf("%w: %q contains white space", ErrUnsupportedModel, id)
	case len(id) > 2048: // Bedrock's own bound on a model id
		return fmt.Errorf("%w: longer than 2048 characters", ErrUnsupportedModel)
	case api == APIInvoke && !IsApplicationProfile(id): // a profile's family is known once resolved
		if _, err := FamilyOf(id); err != nil {
			return fmt.Errorf("%w; without the invoke: prefix it is served through Converse", err)
		}
	case api != "" && api != APIConverse:
		return errors.New("unknown API " + string(api) + ": want invoke or converse")
	}
	return nil
}

// APIOf returns the operation model id answers through: what its entry
// named, else Config.API; and Converse, whatever Config.API says, for a
// model that no InvokeModel family knows (Cohere, AI21, newer ids).
func (c Config) APIOf(id string) API {
	_, err := FamilyOf(id)
	return c.apiFor(id, err == nil)
}

// apiFor is APIOf for a model whose family is known, or not (an
// application inference profile's family is known once it is resolved).
func (c Config) apiFor(id string, known bool) API {
	if a := c.ModelAPI[id]; a != "" {
		return a
	}
	if !known {
		return APIConverse
	}
	if c.API == APIConverse {
		return APIConverse
	}
	return APIInvoke
}

// Operation is the Bedrock Runtime operation of the API.
func (a API) Operation() string {
	if a == APIConverse {
		return "ConverseStream"
	}
	return "InvokeModelWithResponseStream"
}

// Operations names the runtime operations the configured models answer
// through, for the start-up line: one operation, or each with its models.
func (c Config) Operations() string {
	var order []API
	by := map[API][]string{}
	for _, id := range c.ModelIDs() {
		a := c.APIOf(id)
		if by[a] == nil {
			order = append(order, a)
		}
		by[a] = append(by[a], id)
	}
	if len(order) == 1 {
		return order[0].Operation()
	}
	var parts []string
	for _, a := range order {
		parts = append(parts, a.Operation()+" ("+strings.Join(by[a], ", ")+")")
	}
	return strings.Join(parts, "; ")
}
