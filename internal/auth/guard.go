package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
)

// Header names the Guard reads.
const (
	HeaderXAuthorization = "X-Authorization"
	HeaderAPIKey         = "X-Api-Key"
	HeaderOriginVerify   = "X-Origin-Verify"
	HeaderContentSHA256  = "X-Amz-Content-Sha256"
	HeaderViewerAddress  = "CloudFront-Viewer-Address"
)

// UnsignedPayload is the x-amz-content-sha256 value that claims no hash.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// Guard checks requests against a Config. It is safe for concurrent use.
type Guard struct {
	cfg          Config
	opt          options
	jwt          *jwtVerifier // nil when JWTs are off
	keys         *keyRing     // nil when API keys are off
	tokens       *tokenSigner // nil when minting is off
	originSecret [32]byte     // SHA-256 of the origin secret
}

type options struct {
	now           func() time.Time
	client        *http.Client
	refreshWindow time.Duration
	log           *slog.Logger
}

// Option changes how New builds a Guard; the defaults suit production.
type Option func(*options)

// WithTimeFunc sets the clock used for token times and fetch rate limits.
func WithTimeFunc(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithHTTPClient sets the client that fetches the issuer's key set.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithRefreshWindow sets the least time between key-set fetches caused by
// unknown kids (default 1 minute).
func WithRefreshWindow(d time.Duration) Option { return func(o *options) { o.refreshWindow = d } }

// WithLogger sets where key-set fetch failures are logged (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// New builds a Guard for cfg, which it trusts to have passed Validate. With
// JWTs on it fetches the issuer's key set once, waiting at most
// defaultFetchTimeout: if that fails it logs and carries on, and Check
// answers ErrKeysUnavailable until a later fetch succeeds. ctx is used for
// start-up work only; nothing runs in the background.
func New(ctx context.Context, cfg Config, opts ...Option) (*Guard, error) {
	o := options{
		now:           time.Now,
		client:        &http.Client{},
		refreshWindow: defaultRefreshWindow,
		log:           slog.Default(),
	}
	for _, opt := range opts {
		opt(&o)
	}
	g := &Guard{cfg: cfg, opt: o}
	if cfg.OriginVerifySecret != "" {
		g.originSecret = sha256.Sum256([]byte(cfg.OriginVerifySecret))
	}
	if err := g.initAPIKeys(); err != nil {
		return nil, fmt.Errorf("new guard: %w", err)
	}
	if cfg.JWT.Enabled() {
		if len(cfg.JWT.Algorithms) == 0 {
			g.cfg.JWT.Algorithms = []string{"RS256"}
		}
		for _, alg := range g.cfg.JWT.Algorithms {
			if strings.HasPrefix(alg, "HS") || alg == "none" {
				return nil, fmt.Errorf("new guard: algorithm %q is not allowed for issuer tokens", alg)
			}
		}
		store := &keyStore{
			url: cfg.JWT.JWKSURL, client: withKeySetRedirects(o.client), timeout: defaultFetchTimeout,
			window: o.refreshWindow, retry: min(defaultEmptyRetry, o.refreshWindow),
			maxAge: defaultKeysMaxAge, now: o.now, log: o.log, mem: jwkset.NewMemoryStorage(),
		}
		v, err := newJWTVerifier(g.cfg.JWT, store, o.now)
		if err != nil {
			return nil, fmt.Errorf("new guard: %w", err)
		}
		g.jwt = v
		store.mu.Lock()
		store.refreshLocked(ctx, reasonStart)
		store.mu.Unlock()
	}
	return g, nil
}

// initAPIKeys loads the key ring and the token signer.
func (g *Guard) initAPIKeys() error {
	c := g.cfg.APIKeys
	if !c.Enabled() {
		return nil
	}
	g.keys = &keyRing{keys: c.Keys}
	if c.TokenSigningKey != "" {
		g.tokens = newTokenSigner([]byte(c.TokenSigningKey), g.opt.now)
	}
	return nil
}

// Config returns the configuration the Guard enforces.
func (g *Guard) Config() Config { return g.cfg }

// Check decides whether r may proceed. body is the request body the caller
// has already read (and capped); its hash is compared with
// x-amz-content-sha256. The checks run in order: origin secret, CIDR, payload
// hash, credential. The error is an *Error. With auth off the Identity has
// Method "none".
func (g *Guard) Check(r *http.Request, body []byte) (*Identity, error) {
	if err := g.checkOrigin(r); err != nil {
		return nil, err
	}
	if err := g.checkCIDR(r); err != nil {
		return nil, err
	}
	if err := g.checkPayloadHash(r, body); err != nil {
		return nil, err
	}
	return g.checkCredential(r)
}

func (g *Guard) checkOrigin(r *http.Request) error {
	if g.cfg.OriginVerifySecret == "" {
		return nil
	}
	// Hashing first makes the comparison independent of the length guessed.
	got := sha256.Sum256([]byte(r.Header.Get(HeaderOriginVerify)))
	if subtle.ConstantTimeCompare(got[:], g.originSecret[:]) != 1 {
		return forbidden(CodeOriginNotVerified)
	}
	return nil
}

func (g *Guard) checkCIDR(r *http.Request) error {
	if len(g.cfg.AllowedCIDRs) == 0 {
		return nil
	}
	addr, ok := g.viewerAddr(r)
	if !ok {
		return forbidden(CodeViewerAddressUnknown)
	}
	for _, p := range g.cfg.AllowedCIDRs {
		if p.Contains(addr) {
			return nil
		}
	}
	return forbidden(CodeCIDRDenied)
}

// viewerAddr finds the caller's address: CloudFront-Viewer-Address in Lambda
// mode (only CloudFront can invoke the function there, so the header is
// CloudFront's), else RemoteAddr, which lambdaurl sets to the function URL's
// sourceIp and net/http to the socket peer. Locally the header is ignored:
// any client could forge it.
func (g *Guard) viewerAddr(r *http.Request) (netip.Addr, bool) {
	if g.cfg.BehindCloudFront {
		if v := r.Header.Get(HeaderViewerAddress); v != "" {
			return parseViewerAddress(v)
		}
	}
	return parseAddr(r.RemoteAddr)
}

// parseViewerAddress reads CloudFront-Viewer-Address, which is always
// "ip:port", IPv6 unbracketed ("2001:db8::1:443"). The port must be cut off
// before parsing: a port of up to four digits would otherwise read as one
// more IPv6 group and shift the address.
func parseViewerAddress(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil { // "ipv4:port", "[ipv6]:port"
		return ap.Addr().Unmap(), true
	}
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return netip.Addr{}, false
	}
	if _, err := strconv.ParseUint(s[i+1:], 10, 16); err != nil {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s[:i])
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseAddr reads a RemoteAddr: "ip" (a function URL's sourceIp), "ip:port"
// or "[ipv6]:port" (net/http).
func parseAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 {
		if a, err := netip.ParseAddr(s[:i]); err == nil {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// checkPayloadHash compares x-amz-content-sha256 with the body. GET, HEAD and
// OPTIONS are not checked: they carry no body the gateway reads, and
// CloudFront signs them without a viewer-supplied hash.
func (g *Guard) checkPayloadHash(r *http.Request, body []byte) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	got := r.Header.Get(HeaderContentSHA256)
	switch {
	case got == "":
		if g.cfg.RequireContentSHA256 {
			return badHash(CodePayloadHashMissing)
		}
		return nil
	case got == UnsignedPayload:
		if g.cfg.RequireContentSHA256 {
			return badHash(CodePayloadUnsigned)
		}
		return nil
	case len(got) != 64 || !isHex(got, true):
		return badHash(CodePayloadHashMalformed)
	}
	sum := sha256.Sum256(body)
	var want [64]byte
	hex.Encode(want[:], sum[:])
	if subtle.ConstantTimeCompare([]byte(got), want[:]) != 1 {
		return badHash(CodePayloadHashMismatch)
	}
	return nil
}

// checkCredential finds the credential and verifies it: "sk-…" is an API
// key; a JWT whose typ is TokenType is a token this gateway minted; any other
// JWT must come from the configured issuer.
func (g *Guard) checkCredential(r *http.Request) (*Identity, error) {
	if !g.cfg.Enabled() {
		return &Identity{Method: MethodNone}, nil
	}
	cred, err := extractCredential(r)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(cred, APIKeyPrefix) {
		return g.checkAPIKey(cred)
	}
	h, herr := decodeHeader(cred)
	if herr != nil {
		return nil, herr
	}
	if h.Typ == TokenType {
		if g.tokens == nil {
			return nil, unauthenticated(CodeTokensDisabled, nil)
		}
		return g.tokens.verify(cred, g.keys)
	}
	if g.jwt == nil {
		return nil, unauthenticated(CodeJWTDisabled, nil)
	}
	return g.jwt.verify(r.Context(), cred, h)
}

// extractCredential takes the bearer credential from X-Authorization, else
// from Authorization, else the key in X-Api-Key. An Authorization header that
// is not Bearer is ignored: behind CloudFront OAC it holds CloudFront's SigV4
// signature. Query strings are never read: they end up in logs.
func extractCredential(r *http.Request) (string, error) {
	if v := r.Header.Get(HeaderXAuthorization); v != "" {
		tok, ok := bearer(v)
		if !ok {
			return "", unauthenticated(CodeMalformedAuth, errors.New("X-Authorization is not a Bearer credential"))
		}
		return tok, nil
	}
	if tok, ok := bearer(r.Header.Get("Authorization")); ok {
		return tok, nil
	}
	if v := strings.TrimSpace(r.Header.Get(HeaderAPIKey)); v != "" {
		if !strings.HasPrefix(v, APIKeyPrefix) {
			return "", unauthenticated(CodeInvalidAPIKey, errors.New("X-Api-Key does not hold an sk- key"))
		}
		return v, nil
	}
	return "", unauthenticated(CodeMissingToken, nil)
}

// bearer returns the credential of "Bearer <credential>" (scheme case-insensitive).
func bearer(v string) (string, bool) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	return cred, cred != ""
}

// maxKeySetRedirects bounds the redirects a key-set fetch follows.
const maxKeySetRedirects = 5

// withKeySetRedirects returns a copy of c that applies keySetRedirect to
// every redirect before c's own policy, so that a client passed in with
// WithHTTPClient cannot bypass it.
func withKeySetRedirects(c *http.Client) *http.Client {
	out := *c
	own := c.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := keySetRedirect(req, via); err != nil {
			return err
		}
		if own != nil {
			return own(req, via)
		}
		return nil
	}
	return &out
}

// keySetRedirect is the key-set fetch's redirect policy. Each hop must pass
// the rule the configured URL passed (https, or http only to a loopback
// host; see CheckKeySetURL), so a loopback issuer cannot send the fetch in
// clear text across a network; and once a hop was https, every later one
// stays https, so a public issuer cannot point the fetch at a loopback port
// (on Lambda, the Runtime API). The check runs before any connection to the
// new location is made.
func keySetRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxKeySetRedirects {
		return fmt.Errorf("stopped after %d redirects", maxKeySetRedirects)
	}
	if err := checkKeySetLocation(req.URL); err != nil {
		return fmt.Errorf("refusing a redirect: %w", err)
	}
	if req.URL.Scheme != "https" && slices.ContainsFunc(via, func(r *http.Request) bool { return r.URL.Scheme == "https" }) {
		return fmt.Errorf("refusing a redirect from https to %s", req.URL.Scheme)
	}
	return nil
}
