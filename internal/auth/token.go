package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Minted tokens. Their header typ and issuer differ from any identity
// provider's, they are signed with HMAC (which the issuer path never
// accepts), and token_use names them, so they are never confused with
// Cognito tokens in either direction.
const (
	DefaultTokenTTL = 15 * time.Minute
	MaxTokenTTL     = time.Hour
	// TokenScope is what a minted token allows: chatting, not minting.
	TokenScope = "chat"
	// TokenType is the typ header of minted tokens.
	TokenType = "chatbot-token+jwt"
	// TokenIssuer is the iss claim of minted tokens.
	TokenIssuer = "urn:chatbot:gateway"

	tokenUse = "ephemeral"

	// keyBindingClaim holds keyBinding of the minting key's stored hash.
	keyBindingClaim = "key_fp"
	// keyBindingLabel separates the binding from any other use of the hash.
	keyBindingLabel = "chatbot-token-binding"
)

// keyBinding is a short fingerprint of an API key's stored SHA-256: the
// first 8 bytes of SHA-256(keyBindingLabel || hash), base64url. A token
// carries it so that it dies when its key is replaced, even under the same
// name. It reveals nothing useful: the hash is already one-way, and the
// token is signed, so the claim cannot be changed.
func keyBinding(hash [32]byte) string {
	h := sha256.New()
	h.Write([]byte(keyBindingLabel))
	h.Write(hash[:])
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:8])
}

// tokenSigner mints and verifies the Guard's own tokens.
type tokenSigner struct {
	key    []byte
	now    func() time.Time
	parser *jwt.Parser
}

func newTokenSigner(key []byte, now func() time.Time) *tokenSigner {
	return &tokenSigner{
		key: key,
		now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(TokenIssuer),
			jwt.WithTimeFunc(now),
			jwt.WithStrictDecoding(),
		),
	}
}

// Mint returns a short-lived token for a browser, signed with
// TOKEN_SIGNING_KEY. Only an API-key identity may mint (a token cannot mint
// another). ttl 0 means DefaultTokenTTL; otherwise it must lie within
// [1s, MaxTokenTTL]. The token carries the key's name, a fingerprint of its
// hash (keyBinding) and Subject.
func (g *Guard) Mint(id *Identity, ttl time.Duration) (token string, expires time.Time, err error) {
	if id == nil || id.Method != MethodAPIKey {
		return "", time.Time{}, forbidden(CodeMintNotAllowed)
	}
	if g.tokens == nil {
		return "", time.Time{}, forbidden(CodeTokensDisabled)
	}
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Second || ttl > MaxTokenTTL {
		return "", time.Time{}, &Error{Kind: ErrInvalidTTL, Code: CodeInvalidTTL}
	}
	key, ok := g.keys.find(id.KeyName)
	if !ok {
		return "", time.Time{}, forbidden(CodeMintNotAllowed)
	}
	return g.tokens.mint(id, keyBinding(key.SHA256), ttl)
}

func (s *tokenSigner) mint(id *Identity, binding string, ttl time.Duration) (string, time.Time, error) {
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	expires := time.Unix(now.Add(ttl).Unix(), 0)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":           TokenIssuer,
		"sub":           id.Subject,
		"key":           id.KeyName,
		keyBindingClaim: binding,
		"scope":         TokenScope,
		"token_use":     tokenUse,
		"iat":           now.Unix(),
		"exp":           expires.Unix(),
		"jti":           base64.RawURLEncoding.EncodeToString(jti[:]),
	})
	t.Header["typ"] = TokenType
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", time.Time{}, err
	}
	return signed, expires, nil
}

// verify checks a minted token; keys is consulted so that a token dies with
// the API key that minted it: a configured key must have the token's key
// name and binding. A token without a binding (minted before tokens were
// bound, at most MaxTokenTTL ago) is refused the same way.
func (s *tokenSigner) verify(raw string, keys *keyRing) (*Identity, error) {
	claims := jwt.MapClaims{}
	_, err := s.parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.key, nil })
	if err != nil {
		code := CodeMalformedToken
		switch {
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			code = CodeBadSignature
		case errors.Is(err, jwt.ErrTokenExpired):
			code = CodeTokenExpired
		case errors.Is(err, jwt.ErrTokenRequiredClaimMissing), errors.Is(err, jwt.ErrTokenInvalidIssuer):
			code = CodeInvalidClaim
		case errors.Is(err, jwt.ErrTokenInvalidClaims):
			code = CodeInvalidClaim
		}
		return nil, unauthenticated(code, err)
	}
	if claims["token_use"] != tokenUse {
		return nil, unauthenticated(CodeWrongTokenUse, nil)
	}
	if claims["scope"] != TokenScope {
		return nil, unauthenticated(CodeWrongScope, nil)
	}
	sub, _ := claims["sub"].(string)
	name, _ := claims["key"].(string)
	if sub == "" || name == "" {
		return nil, unauthenticated(CodeInvalidClaim, errors.New("sub or key missing"))
	}
	binding, _ := claims[keyBindingClaim].(string)
	if binding == "" {
		return nil, unauthenticated(CodeKeyRevoked, errors.New("the token is not bound to a key"))
	}
	key, ok := keys.find(name)
	if !ok {
		return nil, unauthenticated(CodeKeyRevoked, errors.New("the minting key is no longer configured"))
	}
	if subtle.ConstantTimeCompare([]byte(binding), []byte(keyBinding(key.SHA256))) != 1 {
		return nil, unauthenticated(CodeKeyRevoked, errors.New("the minting key was replaced"))
	}
	return &Identity{Subject: sub, Method: MethodToken, KeyName: name}, nil
}
