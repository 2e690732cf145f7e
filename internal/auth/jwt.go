package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// MaxTokenBytes is the largest token accepted; larger ones are refused before
// any parsing.
const MaxTokenBytes = 16 << 10

// Leeway is the clock skew tolerated on exp and nbf.
const Leeway = 5 * time.Second

// header is the part of a JOSE header the verifier looks at before handing
// the token to the jwt parser. jku, jwk, x5u and x5c are never read: keys
// come only from the configured key set.
type header struct {
	Alg  string
	Kid  *string
	Typ  string
	Crit json.RawMessage
}

// jwtVerifier checks tokens from the configured issuer the way aws-jwt-verify
// does.
type jwtVerifier struct {
	cfg    JWTConfig
	parser *jwt.Parser
	store  *keyStore
	kf     keyfunc.Keyfunc
}

func newJWTVerifier(cfg JWTConfig, store *keyStore, now func() time.Time) (*jwtVerifier, error) {
	kf, err := keyfunc.New(keyfunc.Options{Storage: store.mem})
	if err != nil {
		return nil, err
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods(cfg.Algorithms),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
	return &jwtVerifier{cfg: cfg, parser: parser, store: store, kf: kf}, nil
}

// decodeHeader splits a compact JWS and decodes its header. Anything but
// three non-empty base64url segments with a JSON object header is malformed.
func decodeHeader(raw string) (header, *Error) {
	var h header
	if len(raw) > MaxTokenBytes {
		return h, unauthenticated(CodeTokenTooLarge, nil)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return h, unauthenticated(CodeMalformedToken, errors.New("want three dot-separated segments"))
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		return h, unauthenticated(CodeMalformedToken, errors.New("header is not base64url"))
	}
	// Members are read by exact name, as the jwt parser and keyfunc read
	// them: encoding/json would match struct fields case-insensitively, so
	// a "KID" could pass the checks here while keyfunc picks the key by
	// "kid", or by no kid at all.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || !isJSONObject(b) {
		return h, unauthenticated(CodeMalformedToken, errors.New("header is not a JSON object"))
	}
	for name, dst := range map[string]any{"alg": &h.Alg, "kid": &h.Kid, "typ": &h.Typ} {
		if v, ok := members[name]; ok {
			if err := json.Unmarshal(v, dst); err != nil {
				return h, unauthenticated(CodeMalformedToken, fmt.Errorf("header %s is not a string", name))
			}
		}
	}
	if v, ok := members["crit"]; ok {
		h.Crit = v
	}
	if len(h.Crit) > 0 {
		return h, unauthenticated(CodeUnsupportedHeader, errors.New("crit header is not supported"))
	}
	return h, nil
}

func isJSONObject(b []byte) bool {
	s := strings.TrimLeft(string(b), " \t\r\n")
	return strings.HasPrefix(s, "{")
}

// verify checks a token whose header h was already decoded.
func (v *jwtVerifier) verify(ctx context.Context, raw string, h header) (*Identity, error) {
	if h.Kid == nil || *h.Kid == "" {
		return nil, unauthenticated(CodeMissingKID, nil)
	}
	if !slices.Contains(v.cfg.Algorithms, h.Alg) {
		return nil, unauthenticated(CodeAlgNotAllowed, nil)
	}
	claims := jwt.MapClaims{}
	_, err := v.parser.ParseWithClaims(raw, claims, v.keyfunc(ctx, *h.Kid, h.Alg))
	if err != nil {
		return nil, v.classify(err, claims)
	}
	return v.checkClaims(claims)
}

// Errors the keyfunc returns, classified by classify.
var (
	errKeyAlg = errors.New("token alg differs from the key's alg")
	errKeyUse = errors.New(`key use is not "sig"`)
	errKeyKID = errors.New("kid differs from the one checked")
)

// keyfunc finds the key for kid, checks its alg and use like aws-jwt-verify,
// and lets keyfunc extract the public key.
func (v *jwtVerifier) keyfunc(ctx context.Context, kid, alg string) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if got, _ := t.Header["kid"].(string); got != kid {
			return nil, errKeyKID
		}
		jwk, err := v.store.lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		m := jwk.Marshal()
		if m.USE != "" && m.USE != jwkset.UseSig {
			return nil, errKeyUse
		}
		if m.ALG != "" && m.ALG.String() != alg {
			return nil, errKeyAlg
		}
		return v.kf.KeyfuncCtx(ctx)(t)
	}
}

// classify turns a jwt parser error into an *Error with the failed check.
func (v *jwtVerifier) classify(err error, claims jwt.MapClaims) error {
	code := CodeMalformedToken
	switch {
	case errors.Is(err, errNoKeys):
		return &Error{Kind: ErrKeysUnavailable, Code: CodeKeysUnavailable, RetryAfter: v.store.retryAfter(), Err: err}
	case errors.Is(err, errUnknownKID):
		code = CodeUnknownKID
	case errors.Is(err, errKeyAlg):
		code = CodeKeyAlgMismatch
	case errors.Is(err, errKeyUse):
		code = CodeKeyUseMismatch
	case errors.Is(err, errKeyKID):
		code = CodeMalformedToken
	case errors.Is(err, jwt.ErrTokenMalformed):
		code = CodeMalformedToken
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		code = CodeBadSignature
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// exp and iss are the required claims; the error does not say which.
		code = CodeWrongIssuer
		if exp, ok := claims["exp"]; !ok || exp == nil || exp == float64(0) {
			code = CodeMissingExp
		}
	case errors.Is(err, jwt.ErrInvalidType):
		code = CodeInvalidClaim
	case errors.Is(err, jwt.ErrTokenExpired):
		code = CodeTokenExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		code = CodeTokenNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		code = CodeWrongIssuer
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		code = CodeUnknownKID
	}
	return unauthenticated(code, err)
}

// checkClaims applies the checks jwt.Parser does not know: token_use, client
// id, audience and groups.
func (v *jwtVerifier) checkClaims(c jwt.MapClaims) (*Identity, error) {
	tokenUse, _ := c["token_use"].(string)
	switch v.cfg.TokenUse {
	case "":
	case TokenUseAny:
		if tokenUse != TokenUseID && tokenUse != TokenUseAccess {
			return nil, unauthenticated(CodeWrongTokenUse, nil)
		}
	default:
		if tokenUse != v.cfg.TokenUse {
			return nil, unauthenticated(CodeWrongTokenUse, nil)
		}
	}
	aud, err := c.GetAudience()
	if err != nil {
		return nil, unauthenticated(CodeInvalidClaim, err)
	}
	id := &Identity{Method: MethodJWT}
	// iss has been checked against the configured issuer.
	id.Issuer, _ = c["iss"].(string)
	if len(v.cfg.ClientIDs) > 0 {
		// Cognito: ID tokens name the client in aud, access tokens in client_id.
		var client string
		switch tokenUse {
		case TokenUseID:
			client = firstIn(aud, v.cfg.ClientIDs)
		case TokenUseAccess:
			cid, _ := c["client_id"].(string)
			client = firstIn([]string{cid}, v.cfg.ClientIDs)
		default:
			return nil, unauthenticated(CodeWrongTokenUse, nil)
		}
		if client == "" {
			return nil, unauthenticated(CodeWrongClient, nil)
		}
		id.ClientID = client
	}
	if len(v.cfg.Audiences) > 0 {
		a := firstIn(aud, v.cfg.Audiences)
		if a == "" {
			return nil, unauthenticated(CodeWrongClient, nil)
		}
		if id.ClientID == "" {
			id.ClientID = a
		}
	}
	if id.Subject, err = subject(c, tokenUse); err != nil {
		return nil, err
	}
	if tokenUse == TokenUseAccess {
		id.Username, _ = c["username"].(string)
	} else {
		id.Username, _ = c["cognito:username"].(string)
	}
	groups, ok := stringList(c["cognito:groups"])
	if !ok {
		return nil, unauthenticated(CodeInvalidClaim, errors.New("cognito:groups is not a list of strings"))
	}
	id.Groups = groups
	if len(v.cfg.Groups) > 0 && firstIn(groups, v.cfg.Groups) == "" {
		return nil, forbidden(CodeGroupNotAllowed)
	}
	return id, nil
}

// subject returns the caller a token names: its sub. An access token of
// the client-credentials grant names no user, only the client it was
// issued to, and RFC 9068 (section 2.2) has its sub name that client; an
// issuer that leaves sub out of such a token names the client in
// client_id, so that is its caller. Any other token without a non-empty
// sub names no one: were it accepted, every such token would count as one
// caller.
func subject(c jwt.MapClaims, tokenUse string) (string, error) {
	raw, present := c["sub"]
	if sub, _ := raw.(string); sub != "" {
		return sub, nil
	}
	_, user := c["username"]
	if cid, _ := c["client_id"].(string); !present && !user && tokenUse != TokenUseID && cid != "" {
		return cid, nil
	}
	return "", unauthenticated(CodeMissingSubject, errors.New("the token has no sub"))
}

// firstIn returns the first of have that is in want, or "".
func firstIn(have, want []string) string {
	for _, h := range have {
		if h != "" && slices.Contains(want, h) {
			return h
		}
	}
	return ""
}

// stringList reads an optional JSON array of strings.
func stringList(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	list, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
