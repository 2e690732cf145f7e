package auth

import (
	"errors"
	"net/netip"
	"strconv"
)

// Token uses accepted in COGNITO_TOKEN_USE.
const (
	TokenUseID     = "id"
	TokenUseAccess = "access"
	TokenUseAny    = "any"
)

// Config is the auth configuration. The zero value has no checks at all
// (auth off). Validate says whether it is one to run with; New trusts it.
type Config struct {
	// RequireCredential is the policy that every caller proves who it is:
	// a configuration without a credential check is refused (on Lambda).
	RequireCredential bool
	// BehindCloudFront reads the viewer address from
	// CloudFront-Viewer-Address, which only CloudFront can send when it is
	// the only way in (a function URL behind origin access control).
	BehindCloudFront bool
	// JWT configures JWT verification; JWT.Enabled() says whether it is on.
	JWT JWTConfig
	// APIKeys configures API keys and minted tokens.
	APIKeys APIKeyConfig
	// RequireContentSHA256 makes x-amz-content-sha256 mandatory on requests
	// with a body (REQUIRE_CONTENT_SHA256; default true in Lambda mode).
	RequireContentSHA256 bool
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

// The refusals of Validate.
var (
	// ErrNoCredentialCheck: RequireCredential, and nothing checks callers.
	ErrNoCredentialCheck = errors.New("no credential check configured: set COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS, " +
		"OIDC_ISSUER and OIDC_AUDIENCE, or API_KEY_SHA256S / API_KEYS_SECRET_ARN; " +
		"Lambda mode refuses to start with auth off")
	// ErrSigningKeyWithoutAPIKeys: tokens are minted with an API key, so a
	// signing key alone would sign nothing.
	ErrSigningKeyWithoutAPIKeys = errors.New("tokens are minted with an API key; set API_KEY_SHA256S or API_KEYS_SECRET_ARN too")
	// ErrCIDRsNeedOriginSecret: behind CloudFront the viewer address is
	// read from CloudFront-Viewer-Address, which any caller that reaches
	// the function can write; only the origin secret proves the header came
	// from CloudFront.
	ErrCIDRsNeedOriginSecret = errors.New("needs an origin secret in Lambda mode (ORIGIN_VERIFY_SECRET, or origin_verify_secret " +
		"in the API_KEYS_SECRET_ARN secret): CloudFront-Viewer-Address is trusted only from requests that prove they came through CloudFront")
)

// Validate reports every rule c breaks, joined; each error is one of
// ErrNoCredentialCheck, ErrSigningKeyWithoutAPIKeys and
// ErrCIDRsNeedOriginSecret. Call it once the configuration is whole (keys
// read from a secret included): New does not check again.
func (c Config) Validate() error {
	var errs []error
	if c.APIKeys.TokenSigningKey != "" && !c.APIKeys.Enabled() {
		errs = append(errs, ErrSigningKeyWithoutAPIKeys)
	}
	if c.BehindCloudFront && len(c.AllowedCIDRs) > 0 && c.OriginVerifySecret == "" {
		errs = append(errs, ErrCIDRsNeedOriginSecret)
	}
	if c.RequireCredential && !c.Enabled() {
		errs = append(errs, ErrNoCredentialCheck)
	}
	return errors.Join(errs...)
}
