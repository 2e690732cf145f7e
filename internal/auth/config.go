package auth

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Token uses accepted in COGNITO_TOKEN_USE.
const (
	TokenUseID     = "id"
	TokenUseAccess = "access"
	TokenUseAny    = "any"
)

// Config is the auth configuration. Build it with LoadConfig; the zero value
// has no checks at all (auth off).
type Config struct {
	// Lambda is true when running as a Lambda function behind CloudFront: the
	// viewer address then comes from CloudFront-Viewer-Address.
	Lambda bool
	// JWT configures JWT verification; JWT.Enabled() says whether it is on.
	JWT JWTConfig
	// APIKeys configures API keys and minted tokens.
	APIKeys APIKeyConfig
	// RequireContentSHA256 makes x-amz-content-sha256 mandatory on requests
	// with a body (REQUIRE_CONTENT_SHA256; default true in Lambda mode).
	RequireContentSHA256 bool
	// AllowedOrigins are the exact origins CORS allows ("*" alone: any).
	AllowedOrigins []string
	// AllowedCIDRs restricts viewer addresses when non-empty.
	AllowedCIDRs []netip.Prefix
	// OriginVerifySecret, when set, must arrive in X-Origin-Verify.
	OriginVerifySecret Secret
}

// JWTConfig configures the JWT issuer and the claims a token must carry.
type JWTConfig struct {
	Issuer  string // exact "iss"
	JWKSURL string // where the issuer's public keys are
	// ClientIDs gives Cognito semantics: the client id must be in "aud" for
	// ID tokens and in "client_id" for access tokens.
	ClientIDs []string
	// Audiences (OIDC_AUDIENCE): "aud" must contain one of them.
	Audiences []string
	// TokenUse is "id", "access", "any", or "" (token_use not checked).
	TokenUse string
	// Groups, when set, requires one of them in "cognito:groups".
	Groups []string
	// Algorithms allowed in the token header; default RS256.
	Algorithms []string
}

// Enabled reports whether JWTs are checked.
func (c JWTConfig) Enabled() bool { return c.Issuer != "" }

// Enabled reports whether any credential check (JWT or API key) is configured.
func (c Config) Enabled() bool { return c.JWT.Enabled() || c.APIKeys.Enabled() }

// Secret is a string that does not print itself.
type Secret string

// String redacts the secret so it never reaches a log by accident.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString redacts the secret in %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// errNoCredentialCheck is returned in Lambda mode when nothing checks callers.
var errNoCredentialCheck = errors.New("no credential check configured: set COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS, " +
	"OIDC_ISSUER and OIDC_AUDIENCE, or API_KEY_SHA256S / API_KEYS_SECRET_ARN; " +
	"Lambda mode refuses to start with auth off")

// LoadConfig reads the auth settings through getenv (os.Getenv in
// production). lambda selects Lambda-mode defaults and fails closed: without
// a credential check it returns an error. Errors name the variable at fault.
func LoadConfig(getenv func(string) string, lambda bool) (Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	cfg := Config{Lambda: lambda, RequireContentSHA256: lambda}
	var errs []error
	fail := func(err error) { errs = append(errs, err) }

	jwtCfg, err := loadJWT(get)
	if err != nil {
		fail(err)
	}
	cfg.JWT = jwtCfg
	keys, err := loadAPIKeys(get)
	if err != nil {
		fail(err)
	}
	cfg.APIKeys = keys
	if err := applyAuthMode(get("AUTH_MODE"), &cfg); err != nil {
		fail(err)
	}

	if v := get("REQUIRE_CONTENT_SHA256"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fail(fmt.Errorf("REQUIRE_CONTENT_SHA256: want true or false, got %q", v))
		}
		cfg.RequireContentSHA256 = b
	}
	if cfg.AllowedOrigins, err = parseOrigins(get("ALLOWED_ORIGINS")); err != nil {
		fail(fmt.Errorf("ALLOWED_ORIGINS: %w", err))
	}
	if cfg.AllowedCIDRs, err = parseCIDRs(get("ALLOWED_CIDRS")); err != nil {
		fail(fmt.Errorf("ALLOWED_CIDRS: %w", err))
	}
	cfg.OriginVerifySecret = Secret(getenv("ORIGIN_VERIFY_SECRET"))
	if s := cfg.OriginVerifySecret; s != "" && len(s) < 16 {
		fail(errors.New("ORIGIN_VERIFY_SECRET: too short, use at least 16 random characters"))
	}
	if len(errs) == 0 && lambda && !cfg.Enabled() {
		fail(errNoCredentialCheck)
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("load auth config: %w", errors.Join(errs...))
	}
	return cfg, nil
}

// loadJWT reads COGNITO_* and OIDC_*.
func loadJWT(get func(string) string) (JWTConfig, error) {
	pool, issuer := get("COGNITO_USER_POOL_ID"), get("OIDC_ISSUER")
	jwksURL := get("OIDC_JWKS_URL")
	c := JWTConfig{
		ClientIDs:  splitList(get("COGNITO_CLIENT_IDS")),
		Audiences:  splitList(get("OIDC_AUDIENCE")),
		Groups:     splitList(get("COGNITO_GROUPS")),
		Algorithms: []string{"RS256"},
	}
	tokenUse := get("COGNITO_TOKEN_USE")
	switch {
	case pool == "" && issuer == "":
		for _, name := range []string{"OIDC_JWKS_URL", "OIDC_AUDIENCE", "COGNITO_CLIENT_IDS", "COGNITO_TOKEN_USE", "COGNITO_GROUPS"} {
			if get(name) != "" {
				return JWTConfig{}, fmt.Errorf("%s: set without COGNITO_USER_POOL_ID or OIDC_ISSUER", name)
			}
		}
		return JWTConfig{}, nil
	case pool != "" && issuer != "":
		return JWTConfig{}, errors.New("COGNITO_USER_POOL_ID and OIDC_ISSUER: set one, not both")
	case pool != "":
		if jwksURL != "" {
			return JWTConfig{}, errors.New("OIDC_JWKS_URL: not used with COGNITO_USER_POOL_ID (the pool's key set URL is derived from it)")
		}
		region, err := poolRegion(pool)
		if err != nil {
			return JWTConfig{}, err
		}
		c.Issuer = "https://cognito-idp." + region + ".amazonaws.com/" + pool
		c.JWKSURL = c.Issuer + "/.well-known/jwks.json"
		if len(c.ClientIDs) == 0 {
			return JWTConfig{}, errors.New("COGNITO_CLIENT_IDS: required with COGNITO_USER_POOL_ID " +
				"(otherwise a token issued to any app client of the pool would be accepted)")
		}
	default:
		if err := checkURL(issuer); err != nil {
			return JWTConfig{}, fmt.Errorf("OIDC_ISSUER: %w", err)
		}
		c.Issuer = issuer
		c.JWKSURL = jwksURL
		if c.JWKSURL == "" {
			c.JWKSURL = strings.TrimSuffix(issuer, "/") + "/.well-known/jwks.json"
		}
		if err := checkURL(c.JWKSURL); err != nil {
			return JWTConfig{}, fmt.Errorf("OIDC_JWKS_URL: %w", err)
		}
		if len(c.ClientIDs) == 0 && len(c.Audiences) == 0 {
			return JWTConfig{}, errors.New("OIDC_AUDIENCE: required with OIDC_ISSUER (or COGNITO_CLIENT_IDS for " +
				"Cognito-shaped tokens); otherwise a token issued to any client would be accepted")
		}
	}
	switch tokenUse {
	case "":
		if len(c.ClientIDs) > 0 {
			tokenUse = TokenUseAccess
		}
	case TokenUseID, TokenUseAccess, TokenUseAny:
	default:
		return JWTConfig{}, fmt.Errorf("COGNITO_TOKEN_USE: want id, access or any, got %q", tokenUse)
	}
	c.TokenUse = tokenUse
	return c, nil
}

// poolRegion takes the region from a user pool id such as "eu-west-1_AbC123".
func poolRegion(pool string) (string, error) {
	region, id, ok := strings.Cut(pool, "_")
	if !ok || !isRegion(region) || id == "" || !isAlnum(id) {
		return "", fmt.Errorf("COGNITO_USER_POOL_ID: want <region>_<id> such as eu-west-1_AbC123, got %q", pool)
	}
	return region, nil
}

// CheckLocal refuses to run with auth off on anything but a loopback address.
// addr is the listen address (CHATBOT_ADDR), host:port.
func CheckLocal(cfg Config, addr string) error {
	if cfg.Enabled() {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("check listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("auth is off (no COGNITO_*, OIDC_* or API key settings) and the listen address %q is not "+
		"a loopback address: configure auth or listen on 127.0.0.1", addr)
}
