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
// (auth off).
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

// ErrNoCredentialCheck is returned in Lambda mode when nothing checks callers.
var ErrNoCredentialCheck = errors.New("no credential check configured: set COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS, " +
	"OIDC_ISSUER and OIDC_AUDIENCE, or API_KEY_SHA256S / API_KEYS_SECRET_ARN; " +
	"Lambda mode refuses to start with auth off")
