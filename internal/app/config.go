package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/loopback"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
	"github.com/chatbot-gateway/chatbot/internal/price"
	"github.com/chatbot-gateway/chatbot/internal/quota"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// Config is the whole configuration of the gateway, as Load reads it from
// the environment. docs/configuration.md lists every variable.
type Config struct {
	// Lambda is true when the process runs as a Lambda function.
	Lambda bool
	// RuntimeAPI is the Lambda Runtime API's host:port
	// (AWS_LAMBDA_RUNTIME_API); empty outside Lambda.
	RuntimeAPI string

	Addr     string     // CHATBOT_ADDR: the local server's listen address
	WebDir   string     // CHATBOT_WEB_DIR: the exported chat page
	LogLevel slog.Level // LOG_LEVEL

	MaxBodyBytes   int64         // CHATBOT_MAX_BODY_BYTES
	ReadTimeout    time.Duration // CHATBOT_READ_TIMEOUT: the local server's limit on reading a request
	MaxTokens      int           // CHATBOT_MAX_TOKENS
	MaxImages      int           // CHATBOT_MAX_IMAGES
	MaxImageBytes  int           // CHATBOT_MAX_IMAGE_BYTES
	Heartbeat      time.Duration // CHATBOT_HEARTBEAT; 0: off
	DeadlineMargin time.Duration // DEADLINE_MARGIN
	AllowedOrigins []string      // ALLOWED_ORIGINS
	ElizaWordDelay time.Duration // ELIZA_WORD_DELAY

	Auth auth.Config
	// APIKeysSecretARN names a Secrets Manager secret with more API keys
	// and the token signing key, read once by New (API_KEYS_SECRET_ARN).
	APIKeysSecretARN string

	Bedrock bedrock.Config
	// FallbackOn says which Bedrock failures ELIZA answers (FALLBACK_ON).
	FallbackOn bedrock.FallbackOn
	Metrics    metrics.Config

	// Quota holds the per-caller limits (RATE_LIMIT_*, QUOTA_*).
	Quota quota.Config
	// QuotaTable is the DynamoDB table the limits are counted in
	// (QUOTA_TABLE); empty: in memory, per process.
	QuotaTable string

	// Stream says where answers are kept for resuming (STREAM_*).
	Stream StreamConfig
	// Failover is the chain of models behind the requested one.
	Failover FailoverConfig
	// State says where stored responses and conversations are kept
	// (STATE_*).
	State StateConfig
	// Prices is the price table (built in, changed by PRICES_FILE), and
	// Region the AWS Region whose rows apply (AWS_REGION).
	Prices *price.Table
	Region string
	// Telemetry turns OpenTelemetry traces on (OTEL_*).
	Telemetry telemetry.Config
}

// Load reads the configuration through getenv (os.Getenv in production) in
// one grammar: durations are Go durations ("10s", "250ms"), booleans "true"
// or "false", lists comma-separated. lambda selects Lambda-mode defaults
// and fails closed: without a credential check it is an error. Every
// problem is reported, each naming its variable; the Config returned with
// an error still holds every value that was valid (so LOG_LEVEL can be
// honoured while the errors are logged).
func Load(getenv func(string) string, lambda bool) (Config, error) {
	e := &env{get: getenv}
	c := Config{
		Lambda:         lambda,
		RuntimeAPI:     e.str("AWS_LAMBDA_RUNTIME_API", ""),
		Addr:           e.str("CHATBOT_ADDR", "127.0.0.1:8080"),
		WebDir:         e.str("CHATBOT_WEB_DIR", "web/out"),
		LogLevel:       e.level("LOG_LEVEL"),
		MaxBodyBytes:   e.integer("CHATBOT_MAX_BODY_BYTES", gateway.DefaultMaxBodyBytes, 1<<10, 6<<20),
		ReadTimeout:    e.duration("CHATBOT_READ_TIMEOUT", 30*time.Second, time.Millisecond),
		MaxTokens:      int(e.integer("CHATBOT_MAX_TOKENS", gateway.DefaultMaxTokens, 1, 1<<20)),
		MaxImages:      int(e.integer("CHATBOT_MAX_IMAGES", gateway.DefaultMaxImages, 1, 100)),
		MaxImageBytes:  int(e.integer("CHATBOT_MAX_IMAGE_BYTES", gateway.DefaultMaxImageBytes, 1<<10, 5<<20)),
		Heartbeat:      e.duration("CHATBOT_HEARTBEAT", gateway.DefaultHeartbeat, 0),
		DeadlineMargin: e.duration("DEADLINE_MARGIN", gateway.DefaultDeadlineMargin, 0),
		ElizaWordDelay: e.duration("ELIZA_WORD_DELAY", 0, 0),
	}
	origins, err := gateway.ParseOrigins(e.list("ALLOWED_ORIGINS"))
	e.fail("ALLOWED_ORIGINS", err)
	c.AllowedOrigins = origins

	c.Auth, c.APIKeysSecretARN = loadAuth(e, lambda)
	c.Bedrock = loadBedrock(e)
	c.FallbackOn = loadFallback(e)
	loadGuardrail(e, &c.Bedrock)
	c.Quota, c.QuotaTable = loadQuota(e, lambda)
	c.Stream = loadStream(e, lambda)
	c.Failover = loadFailover(e, &c.Bedrock)
	c.State = loadState(e, lambda)
	c.Metrics = loadMetrics(e, lambda)
	c.Prices, c.Region = loadPrices(e)
	c.Telemetry = loadTelemetry(e)
	if !lambda && len(e.errs) == 0 {
		e.fail("CHATBOT_ADDR", checkLocal(c))
	}
	return c, e.err()
}

// limits are the gateway's request limits: those the environment sets,
// the defaults for the others.
func (c Config) limits() gateway.Limits {
	l := gateway.DefaultLimits()
	l.MaxTokens, l.MaxImages, l.MaxImageBytes = c.MaxTokens, c.MaxImages, c.MaxImageBytes
	return l
}

// FromEnvironment is Load over the process's environment, in Lambda mode
// when AWS_LAMBDA_RUNTIME_API is set.
func FromEnvironment() (Config, error) {
	return Load(os.Getenv, os.Getenv("AWS_LAMBDA_RUNTIME_API") != "")
}

// authEnabled reports whether any credential check is configured, counting API
// keys that New will read from Secrets Manager.
func (c Config) authEnabled() bool { return c.Auth.Enabled() || c.APIKeysSecretARN != "" }

// checkLocal refuses to run with auth off on anything but a loopback address.
func checkLocal(c Config) error {
	if c.authEnabled() {
		return nil
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("want host:port, got %q", c.Addr)
	}
	if loopback.Host(host) {
		return nil
	}
	return fmt.Errorf("auth is off (no COGNITO_*, OIDC_* or API key settings) and %q is not "+
		"a loopback address: configure auth or listen on 127.0.0.1", c.Addr)
}

// authErrors names the variable behind each rule auth.Config.Validate
// reports broken.
func authErrors(err error) []error {
	var out []error
	for _, rule := range []struct {
		err  error
		name string
	}{
		{auth.ErrSigningKeyWithoutAPIKeys, "TOKEN_SIGNING_KEY"},
		{auth.ErrCIDRsNeedOriginSecret, "ALLOWED_CIDRS"},
		{auth.ErrNoCredentialCheck, ""},
	} {
		switch {
		case !errors.Is(err, rule.err):
		case rule.name == "":
			out = append(out, rule.err)
		default:
			out = append(out, fmt.Errorf("%s: %w", rule.name, rule.err))
		}
	}
	return out
}

func loadAuth(e *env, lambda bool) (auth.Config, string) {
	c := auth.Config{
		RequireCredential:    lambda,
		BehindCloudFront:     lambda,
		JWT:                  loadJWT(e),
		RequireContentSHA256: e.boolean("REQUIRE_CONTENT_SHA256", lambda),
		OriginVerifySecret:   auth.Secret(e.str("ORIGIN_VERIFY_SECRET", "")),
	}
	keys, err := auth.ParseAPIKeys(e.list("API_KEY_SHA256S"))
	e.fail("API_KEY_SHA256S", err)
	c.APIKeys.Keys = keys
	arn := e.str("API_KEYS_SECRET_ARN", "")
	if arn != "" && (!strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":secretsmanager:")) {
		e.bad("API_KEYS_SECRET_ARN", arn, "a Secrets Manager ARN (arn:aws:secretsmanager:…)", nil)
	}
	if v := e.str("TOKEN_SIGNING_KEY", ""); v != "" {
		key, err := auth.DecodeSigningKey(v)
		e.fail("TOKEN_SIGNING_KEY", err) // never quotes the value
		c.APIKeys.TokenSigningKey = auth.Secret(key)
	}
	cidrs, err := auth.ParseCIDRs(e.list("ALLOWED_CIDRS"))
	e.fail("ALLOWED_CIDRS", err)
	c.AllowedCIDRs = cidrs
	e.fail("ORIGIN_VERIFY_SECRET", auth.CheckOriginSecret(string(c.OriginVerifySecret)))

	arn = applyAuthMode(e, &c, arn)
	if arn == "" {
		// With a key secret, keys, the signing key and the origin secret
		// may still come from it: New validates once it has read it.
		for _, err := range authErrors(c.Validate()) {
			// Auth off is the consequence of a setting refused above.
			if !errors.Is(err, auth.ErrNoCredentialCheck) || len(e.errs) == 0 {
				e.errs = append(e.errs, err)
			}
		}
	}
	return c, arn
}

// loadJWT reads COGNITO_* and OIDC_*.
func loadJWT(e *env) auth.JWTConfig {
	pool, issuer := e.str("COGNITO_USER_POOL_ID", ""), e.str("OIDC_ISSUER", "")
	jwksURL := e.str("OIDC_JWKS_URL", "")
	c := auth.JWTConfig{
		ClientIDs:  e.list("COGNITO_CLIENT_IDS"),
		Audiences:  e.list("OIDC_AUDIENCE"),
		Groups:     e.list("COGNITO_GROUPS"),
		Algorithms: []string{"RS256"},
	}
	tokenUse := e.str("COGNITO_TOKEN_USE", "")
	switch {
	case pool == "" && issuer == "":
		for _, name := range []string{"OIDC_JWKS_URL", "OIDC_AUDIENCE", "COGNITO_CLIENT_IDS", "COGNITO_TOKEN_USE", "COGNITO_GROUPS"} {
			if e.str(name, "") != "" {
				e.fail(name, errors.New("set without COGNITO_USER_POOL_ID or OIDC_ISSUER"))
			}
		}
		return auth.JWTConfig{}
	case pool != "" && issuer != "":
		e.fail("COGNITO_USER_POOL_ID", errors.New("set one of COGNITO_USER_POOL_ID and OIDC_ISSUER, not both"))
		return auth.JWTConfig{}
	case pool != "":
		if jwksURL != "" {
			e.fail("OIDC_JWKS_URL", errors.New("not used with COGNITO_USER_POOL_ID (the pool's key set URL is derived from it)"))
		}
		var err error
		c.Issuer, c.JWKSURL, err = auth.CognitoIssuer(pool)
		e.fail("COGNITO_USER_POOL_ID", err)
		if len(c.ClientIDs) == 0 {
			e.fail("COGNITO_CLIENT_IDS", errors.New("required with COGNITO_USER_POOL_ID "+
				"(otherwise a token issued to any app client of the pool would be accepted)"))
		}
	default:
		e.fail("OIDC_ISSUER", auth.CheckKeySetURL(issuer))
		c.Issuer, c.JWKSURL = issuer, jwksURL
		if c.JWKSURL == "" {
			c.JWKSURL = strings.TrimSuffix(issuer, "/") + "/.well-known/jwks.json"
		}
		e.fail("OIDC_JWKS_URL", auth.CheckKeySetURL(c.JWKSURL))
		if len(c.ClientIDs) == 0 && len(c.Audiences) == 0 {
			e.fail("OIDC_AUDIENCE", errors.New("required with OIDC_ISSUER (or COGNITO_CLIENT_IDS for "+
				"Cognito-shaped tokens); otherwise a token issued to any client would be accepted"))
		}
	}
	switch tokenUse {
	case "":
		if len(c.ClientIDs) > 0 {
			tokenUse = auth.TokenUseAccess
		}
	case auth.TokenUseID, auth.TokenUseAccess, auth.TokenUseAny:
	default:
		e.bad("COGNITO_TOKEN_USE", tokenUse, "id, access or any", nil)
	}
	c.TokenUse = tokenUse
	return c
}

// applyAuthMode reads AUTH_MODE (jwt, apikey or jwt,apikey). Unset means
// every configured method; set, it selects methods, each of which must be
// configured, and the settings of the others are dropped. It returns the
// secret ARN that remains in force.
func applyAuthMode(e *env, c *auth.Config, arn string) string {
	modes := e.list("AUTH_MODE")
	if len(modes) == 0 {
		return arn
	}
	var useJWT, useKeys bool
	for _, m := range modes {
		switch m {
		case "jwt":
			useJWT = true
		case "apikey":
			useKeys = true
		default:
			e.bad("AUTH_MODE", e.str("AUTH_MODE", ""), "jwt, apikey or jwt,apikey", nil)
			return arn
		}
	}
	if useJWT && !c.JWT.Enabled() {
		e.fail("AUTH_MODE", errors.New("jwt selected but neither COGNITO_USER_POOL_ID nor OIDC_ISSUER is set"))
	}
	if useKeys && !c.APIKeys.Enabled() && arn == "" {
		e.fail("AUTH_MODE", errors.New("apikey selected but neither API_KEY_SHA256S nor API_KEYS_SECRET_ARN is set"))
	}
	if !useJWT {
		c.JWT = auth.JWTConfig{}
	}
	if !useKeys {
		c.APIKeys, arn = auth.APIKeyConfig{}, ""
	}
	return arn
}

func loadBedrock(e *env) bedrock.Config {
	c := bedrock.Config{
		SystemPrompt:      e.get("SYSTEM_PROMPT"),
		AllowClientSystem: e.boolean("ALLOW_CLIENT_SYSTEM", true),
		FirstTokenTimeout: e.duration("BEDROCK_FIRST_TOKEN_TIMEOUT", bedrock.DefaultFirstTokenTimeout, time.Millisecond),
		MaxRetries:        int(e.integer("BEDROCK_MAX_RETRIES", bedrock.DefaultMaxRetries, 0, 10)),
		RetryBudget:       e.duration("BEDROCK_RETRY_BUDGET", bedrock.DefaultRetryBudget, 0),
		IdleTimeout:       e.duration("BEDROCK_IDLE_TIMEOUT", bedrock.DefaultIdleTimeout, time.Millisecond),
	}
	switch api := bedrock.API(e.str("BEDROCK_API", string(bedrock.APIInvoke))); api {
	case bedrock.APIInvoke, bedrock.APIConverse:
		c.API = api
	default:
		e.bad("BEDROCK_API", string(api), "invoke or converse", nil)
	}
	if def := e.str("BEDROCK_MODEL_ID", ""); def != "" {
		c.DefaultModel = modelEntry(e, &c, "BEDROCK_MODEL_ID", def)
	}
	for _, raw := range e.list("BEDROCK_MODELS") {
		c.Models = append(c.Models, modelEntry(e, &c, "BEDROCK_MODELS", raw))
	}
	if c.DefaultModel == "" && len(c.Models) > 0 {
		e.fail("BEDROCK_MODEL_ID", errors.New("required with BEDROCK_MODELS: the default model"))
	}
	return c
}

// modelEntry reads one model entry of variable name (BEDROCK_MODEL_ID,
// BEDROCK_MODELS, BEDROCK_FALLBACK_MODELS): an optional invoke: or
// converse: prefix, recorded in c.ModelAPI, then the id, which it returns.
func modelEntry(e *env, c *bedrock.Config, name, raw string) string {
	id, api := bedrock.ParseModelEntry(raw)
	if err := bedrock.CheckModel(id, api); err != nil {
		e.fail(name, err)
		return id
	}
	if api != "" {
		if c.ModelAPI == nil {
			c.ModelAPI = map[string]bedrock.API{}
		}
		if prev, ok := c.ModelAPI[id]; ok && prev != api {
			e.fail(name, fmt.Errorf("model %q is named with both the invoke and the converse prefix", id))
		}
		c.ModelAPI[id] = api
	}
	return id
}

// loadFallback reads FALLBACK_ON: which Bedrock failures ELIZA answers.
func loadFallback(e *env) bedrock.FallbackOn {
	switch on := bedrock.FallbackOn(e.str("FALLBACK_ON", string(bedrock.FallbackOutage))); on {
	case bedrock.FallbackOutage, bedrock.FallbackAny:
		return on
	default:
		e.bad("FALLBACK_ON", string(on), "outage or any", nil)
		return bedrock.FallbackOutage
	}
}

// loadMetrics reads METRICS_*. METRICS_ENABLED, when set, decides;
// otherwise metrics are on in Lambda mode, and on locally only when
// METRICS_NAMESPACE is set, since asking for a namespace is asking for
// metrics. The namespace is checked even when metrics are off, so a typo is
// found before it is deployed.
func loadMetrics(e *env, lambda bool) metrics.Config {
	ns := e.str("METRICS_NAMESPACE", "")
	c := metrics.Config{Namespace: ns, Enabled: e.boolean("METRICS_ENABLED", lambda || ns != "")}
	if ns == "" {
		c.Namespace = metrics.DefaultNamespace
	}
	e.fail("METRICS_NAMESPACE", metrics.ValidateNamespace(c.Namespace))
	return c
}
