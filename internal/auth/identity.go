package auth

import "context"

// Methods by which an Identity was established.
const (
	MethodJWT    = "jwt"    // a JWT from the configured issuer (Cognito or OIDC)
	MethodAPIKey = "apikey" // an API key (server-to-server)
	MethodToken  = "token"  // a short-lived token minted by Guard.Mint
	MethodNone   = "none"   // auth is off (local mode on loopback only)
)

// Identity is who made a request, once verified. Log Subject or KeyName,
// never a credential.
type Identity struct {
	Subject  string   // "sub"; "apikey:<name>" for API keys and the tokens they mint
	Issuer   string   // the JWT's "iss" (MethodJWT): a sub is unique only within its issuer
	Username string   // cognito:username (ID tokens) or username (access tokens)
	ClientID string   // the app client the token was issued to
	Groups   []string // cognito:groups
	Method   string   // MethodJWT, MethodAPIKey, MethodToken or MethodNone
	KeyName  string   // the API key's name (MethodAPIKey and MethodToken)
}

type identityKey struct{}

// NewContext returns a copy of ctx carrying id.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// FromContext returns the Identity stored by NewContext, if any.
func FromContext(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(*Identity)
	return id, ok && id != nil
}
