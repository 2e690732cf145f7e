package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// StartupMessage is the msg of the one log line New writes once the gateway
// is assembled, saying what it talks to: models, Bedrock, auth, limits and
// the rate-limit store. docs/operations.md describes its fields.
const StartupMessage = "configuration"

// ElizaOnly is the models field of the start-up line without Bedrock.
const ElizaOnly = "ELIZA only"

// logStartup writes the start-up line. endpoint is where the Bedrock client
// sends its calls ("" without Bedrock). No secret reaches it: keys are
// counted, never listed, and the signing key and origin secret are only
// said to be set.
func logStartup(log *slog.Logger, cfg Config, endpoint string) {
	log.Info(StartupMessage,
		"default_model", defaultModel(cfg),
		"models", otherModels(cfg),
		slog.Group("bedrock", bedrockAttrs(cfg, endpoint)...),
		"auth", authSummary(cfg),
		slog.Group("limits",
			"max_body_bytes", cfg.MaxBodyBytes,
			"max_tokens", cfg.MaxTokens,
			"max_images", cfg.MaxImages,
			"max_image_bytes", cfg.MaxImageBytes,
			"read_timeout", cfg.ReadTimeout.String(),
			"rate_limits", rateLimits(cfg),
		),
		"store", store(cfg),
	)
}

func defaultModel(cfg Config) string {
	if cfg.Bedrock.Enabled() {
		return cfg.Bedrock.DefaultModel
	}
	return ElizaID
}

// otherModels lists the models a request may name besides the default,
// ELIZA last as the fallback.
func otherModels(cfg Config) string {
	if !cfg.Bedrock.Enabled() {
		return ElizaOnly
	}
	ids := cfg.Bedrock.ModelIDs()[1:]
	return strings.Join(append(ids, ElizaID+" (fallback)"), ", ")
}

func bedrockAttrs(cfg Config, endpoint string) []any {
	if !cfg.Bedrock.Enabled() {
		return []any{"api", "off"}
	}
	a := []any{"api", cfg.Bedrock.Operations(), "endpoint", endpoint}
	if cfg.Bedrock.GuardrailID != "" {
		a = append(a, "guardrail", cfg.Bedrock.GuardrailID+":"+cfg.Bedrock.GuardrailVersion)
	}
	return a
}

// authSummary names the credential checks in force, in the words of
// docs/security.md.
func authSummary(cfg Config) string {
	a := cfg.Auth
	var parts []string
	if a.JWT.Enabled() {
		parts = append(parts, "JWT from "+a.JWT.Issuer)
	}
	if n := len(a.APIKeys.Keys); n > 0 {
		parts = append(parts, fmt.Sprintf("API keys (%d)", n))
	}
	if cfg.APIKeysSecretARN != "" {
		parts = append(parts, "API keys from "+cfg.APIKeysSecretARN)
	}
	if len(parts) == 0 {
		if cfg.Lambda {
			return "off"
		}
		return "off (loopback only)"
	}
	if a.APIKeys.TokenSigningKey != "" {
		parts = append(parts, "minted tokens")
	}
	if a.RequireContentSHA256 {
		parts = append(parts, "payload hash required")
	}
	if a.OriginVerifySecret != "" {
		parts = append(parts, "origin secret")
	}
	if len(a.AllowedCIDRs) > 0 {
		parts = append(parts, fmt.Sprintf("CIDRs (%d)", len(a.AllowedCIDRs)))
	}
	return strings.Join(parts, ", ")
}

func rateLimits(cfg Config) string {
	q := cfg.Quota
	if !q.Enabled() {
		return "off"
	}
	d := q.Default
	s := fmt.Sprintf("%d requests/min, %d streams, %d tokens/day per caller (0: none)",
		d.RequestsPerMinute, d.ConcurrentStreams, d.TokensPerDay)
	if n := len(q.Groups) + len(q.Keys); n > 0 {
		s += fmt.Sprintf(", %d overrides", n)
	}
	return s
}

// store names where the rate limits are counted.
func store(cfg Config) string {
	switch {
	case !cfg.Quota.Enabled():
		return "none (no rate limits)"
	case cfg.QuotaTable != "":
		return "DynamoDB table " + cfg.QuotaTable
	default:
		return "memory (this process only)"
	}
}

// bedrockEndpoint is the resolved endpoint of the default model's client
// (all models share one), or a note saying why it is not known.
func bedrockEndpoint(ctx context.Context, models map[string]chat.Model, id string) string {
	m, ok := models[id].(*bedrock.Model)
	if !ok {
		return ""
	}
	ep, err := m.Endpoint(ctx)
	if err != nil {
		return "unresolved: " + err.Error()
	}
	return ep
}
