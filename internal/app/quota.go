package app

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// usd reads a dollar amount ("1.50") as micro-USD; unset is 0 (no budget).
func (e *env) usd(name string) int64 {
	v := e.str(name, "")
	if v == "" {
		return 0
	}
	n, err := quota.ParseUSD(v)
	if err != nil {
		e.fail(name, err)
	}
	return n
}

// tableName is DynamoDB's rule for a table name.
var tableName = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// loadQuota reads RATE_LIMIT_* and QUOTA_*. In Lambda mode limits need
// QUOTA_TABLE: instances share nothing, so counts kept in memory would
// let each instance admit the whole limit.
func loadQuota(e *env, lambda bool) (quota.Config, string) {
	c := quota.Config{
		Default: quota.Limits{
			RequestsPerMinute: e.integer("RATE_LIMIT_RPM", 0, 0, quota.MaxLimit),
			ConcurrentStreams: e.integer("RATE_LIMIT_CONCURRENT", 0, 0, quota.MaxConcurrent),
			TokensPerDay:      e.integer("RATE_LIMIT_TOKENS_PER_DAY", 0, 0, quota.MaxLimit),
			MicroUSDPerDay:    e.usd("RATE_LIMIT_USD_PER_DAY"),
			MicroUSDPerMonth:  e.usd("RATE_LIMIT_USD_PER_MONTH"),
		},
		AllowUnpriced: e.boolean("RATE_LIMIT_ALLOW_UNPRICED", false),
		StoreTimeout:  e.duration("QUOTA_STORE_TIMEOUT", quota.DefaultStoreTimeout, 10*time.Millisecond),
		SlotTTL:       e.duration("QUOTA_SLOT_TTL", quota.DefaultSlotTTL, 3*time.Second),
	}
	var err error
	c.Groups, c.Keys, err = quota.ParseOverrides(e.list("RATE_LIMIT_OVERRIDES"), c.Default)
	e.fail("RATE_LIMIT_OVERRIDES", err)
	switch p := quota.Policy(e.str("QUOTA_ON_STORE_ERROR", string(quota.Allow))); p {
	case quota.Allow, quota.Deny:
		c.OnStoreError = p
	default:
		e.bad("QUOTA_ON_STORE_ERROR", string(p), "allow or deny", nil)
	}
	table := e.str("QUOTA_TABLE", "")
	if table != "" && !tableName.MatchString(table) {
		e.bad("QUOTA_TABLE", table, "a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)", nil)
	}
	// Usage is recorded wherever it is counted anyway, and in a shared
	// table: GET /v1/usage reads it.
	c.TrackUsage = c.Enabled() || table != ""
	if lambda && table == "" && c.Enabled() {
		e.fail("QUOTA_TABLE", errors.New("required with RATE_LIMIT_* on Lambda: instances share nothing, "+
			"so each would count alone"))
	}
	return c, table
}

// Guardrail identifiers and versions as Bedrock accepts them.
var (
	guardrailID      = regexp.MustCompile(`^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+)$`)
	guardrailVersion = regexp.MustCompile(`^([1-9][0-9]{0,7}|DRAFT)$`)
)

// loadGuardrail reads BEDROCK_GUARDRAIL_* into c. The id and the version
// come together, and only with Bedrock on: a guardrail that silently
// applies to nothing is a safety setting that does not hold.
func loadGuardrail(e *env, c *bedrock.Config) {
	id, version := e.str("BEDROCK_GUARDRAIL_ID", ""), e.str("BEDROCK_GUARDRAIL_VERSION", "")
	c.GuardrailTrace = e.boolean("BEDROCK_GUARDRAIL_TRACE", false)
	switch mode := e.str("BEDROCK_PROMPT_CACHE", "off"); mode {
	case "off", "auto":
		c.PromptCacheAuto = mode == "auto"
	default:
		e.bad("BEDROCK_PROMPT_CACHE", mode, "off or auto", nil)
	}
	switch mode := e.str("BEDROCK_GUARDRAIL_STREAM_MODE", "sync"); mode {
	case "sync", "async":
		c.GuardrailStreamAsync = mode == "async"
	default:
		e.bad("BEDROCK_GUARDRAIL_STREAM_MODE", mode, "sync or async", nil)
	}
	switch {
	case id == "" && version == "":
		return
	case id == "":
		e.fail("BEDROCK_GUARDRAIL_ID", errors.New("required with BEDROCK_GUARDRAIL_VERSION"))
	case version == "":
		e.fail("BEDROCK_GUARDRAIL_VERSION", errors.New("required with BEDROCK_GUARDRAIL_ID (a version number or DRAFT)"))
	case !guardrailID.MatchString(id) || len(id) > 2048:
		e.bad("BEDROCK_GUARDRAIL_ID", id, "a guardrail id or ARN", nil)
	case !guardrailVersion.MatchString(version):
		e.bad("BEDROCK_GUARDRAIL_VERSION", version, "a version number or DRAFT", nil)
	case !c.Enabled():
		e.fail("BEDROCK_GUARDRAIL_ID", errors.New("set without BEDROCK_MODEL_ID: the guardrail would apply to nothing"))
	}
	c.GuardrailID, c.GuardrailVersion = id, version
}

// WithQuotaClock sets the clock the rate limits count windows by
// (default time.Now); tests use it to stay inside one minute.
func WithQuotaClock(now func() time.Time) Option { return func(o *options) { o.quotaNow = now } }

// newLimiter builds the rate limiter, or returns nil when no caller has
// limits: with QUOTA_TABLE a DynamoDB store (its client from the same AWS
// options as Bedrock's), else one in memory.
func newLimiter(ctx context.Context, cfg Config, o *options) (*quota.Limiter, error) {
	if !cfg.Quota.Enabled() && !cfg.Quota.TrackUsage {
		return nil, nil
	}
	qc := cfg.Quota
	qc.Logger, qc.Now = o.log, o.quotaNow
	var store quota.Store = quota.NewMemoryStore(o.quotaNow)
	if cfg.QuotaTable != "" {
		s, err := quota.NewDynamoStore(ctx, cfg.QuotaTable, o.awsOpts...)
		if err != nil {
			return nil, err
		}
		store = s
	}
	return quota.New(qc, store), nil
}
