package bedrock

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Defaults for the Bedrock settings.
const (
	DefaultFirstTokenTimeout = 10 * time.Second
	DefaultMaxRetries        = 2
	DefaultRetryBudget       = 2 * time.Second
)

// Config is the Bedrock part of the gateway's configuration. The zero value
// is disabled; LoadConfig fills it from the environment.
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

	// Sleep waits between attempts; nil means a timer that stops when ctx
	// ends. Tests replace it to observe backoff without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter picks the actual backoff from its exponential ceiling; nil
	// means uniform in [d/2, d].
	Jitter func(d time.Duration) time.Duration
}

// LoadConfig reads the Bedrock settings through getenv (os.Getenv in
// production). Every model id must name a supported family, so a typo fails
// at start-up rather than on the first request.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DefaultModel:      strings.TrimSpace(getenv("BEDROCK_MODEL_ID")),
		SystemPrompt:      getenv("SYSTEM_PROMPT"),
		AllowClientSystem: true,
		FirstTokenTimeout: DefaultFirstTokenTimeout,
		MaxRetries:        DefaultMaxRetries,
		RetryBudget:       DefaultRetryBudget,
	}
	for _, id := range strings.Split(getenv("BEDROCK_MODELS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.Models = append(c.Models, id)
		}
	}
	if c.DefaultModel == "" && len(c.Models) > 0 {
		return Config{}, fmt.Errorf("BEDROCK_MODELS is set but BEDROCK_MODEL_ID is not: set BEDROCK_MODEL_ID to the default model")
	}
	if c.DefaultModel != "" {
		if _, err := FamilyOf(c.DefaultModel); err != nil {
			return Config{}, fmt.Errorf("BEDROCK_MODEL_ID: %w", err)
		}
	}
	for _, id := range c.Models {
		if _, err := FamilyOf(id); err != nil {
			return Config{}, fmt.Errorf("BEDROCK_MODELS: %w", err)
		}
	}
	if v := strings.TrimSpace(getenv("ALLOW_CLIENT_SYSTEM")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("ALLOW_CLIENT_SYSTEM: want true or false, got %q", v)
		}
		c.AllowClientSystem = b
	}
	var err error
	if c.FirstTokenTimeout, err = duration(getenv, "BEDROCK_FIRST_TOKEN_TIMEOUT", c.FirstTokenTimeout, false); err != nil {
		return Config{}, err
	}
	if c.RetryBudget, err = duration(getenv, "BEDROCK_RETRY_BUDGET", c.RetryBudget, true); err != nil {
		return Config{}, err
	}
	if v := strings.TrimSpace(getenv("BEDROCK_MAX_RETRIES")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return Config{}, fmt.Errorf("BEDROCK_MAX_RETRIES: want an integer from 0 to 10, got %q", v)
		}
		c.MaxRetries = n
	}
	return c, nil
}

// duration parses a Go duration ("10s", "1500ms"); a bare number means
// seconds.
func duration(getenv func(string) string, name string, def time.Duration, zeroOK bool) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, nerr := strconv.ParseFloat(v, 64)
		if nerr != nil {
			return 0, fmt.Errorf("%s: want a duration such as 10s or 1500ms, got %q", name, v)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 || (d == 0 && !zeroOK) {
		return 0, fmt.Errorf("%s: must be positive, got %q", name, v)
	}
	return d, nil
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
