package gateway

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Route is a route a wire format adds beside its POST: reading, changing,
// deleting and listing what it keeps for a caller. The core does what it
// does for every route — CORS, the loopback check, the body under its
// limit (for POST and DELETE with a body), authentication with the payload
// hash, the record — and turns an error Serve returns into its status;
// Serve writes the JSON answer with WriteJSON.
type Route struct {
	Method string // GET, POST or DELETE
	// Pattern is a net/http path pattern, such as "/v1/responses/{id}":
	// r.PathValue reads its wildcards.
	Pattern string
	Serve   func(w http.ResponseWriter, r *http.Request, c *Call) error
}

// Call is what the core hands a route's Serve: who called, the body, and
// the limits a request's content is held to.
type Call struct {
	Caller string // CallerKey of the request
	Body   []byte // nil for GET, and for a request without a body
	Limits Limits
}

// Router is a Format that adds routes.
type Router interface {
	Routes() []Route
}

// Preparer is an Exchange that must read state before its model is asked:
// a stored response or conversation it continues. Prepare may add
// messages to the request; the core then checks the request again as a
// whole (its message count, its model's capabilities).
type Preparer interface {
	Prepare(ctx context.Context, caller string) error
}

// LocalCaller is the caller key of requests when the gateway checks no
// credentials (local mode, loopback only): one caller, the person at the
// machine.
const LocalCaller = "local"

// CallerKey is the key that stores file the request's caller under: the
// Authenticator's Key, or LocalCaller without authentication. It is ""
// for an authenticated caller the Authenticator gave no key: such a
// caller can keep nothing.
func CallerKey(ctx context.Context) string {
	if c, ok := CallerFrom(ctx); ok {
		return c.Key
	}
	return LocalCaller
}

// errNoKey refuses a caller without a key a route that reads or keeps
// state: nothing can be filed under it.
var errNoKey = &Error{Status: http.StatusForbidden, Type: typePermission, Code: "no_caller_key",
	Message: "these credentials cannot keep responses or conversations"}

// InBand is the error a format tells a client once its response has
// started: what its status and code say, never internal text.
func InBand(err error) *Error { return inBand(err) }

// WriteJSON answers v as JSON with status, as every route of the gateway
// does.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// routeSet is the formats' own routes, grouped by pattern, so that a path
// they serve answers 405 (with Allow) for a method they do not.
type routeSet struct {
	mux     *http.ServeMux
	methods map[string]map[string]Route // pattern → method → route
}

func (h *Handler) addRoutes(f Format) error {
	rt, ok := f.(Router)
	if !ok {
		return nil
	}
	if h.routes.mux == nil {
		h.routes = routeSet{mux: http.NewServeMux(), methods: map[string]map[string]Route{}}
	}
	for _, r := range rt.Routes() {
		if !strings.HasPrefix(r.Pattern, "/v1/") || r.Serve == nil {
			return fmt.Errorf("gateway: route %s %s needs a path under /v1/ and a handler", r.Method, r.Pattern)
		}
		byMethod := h.routes.methods[r.Pattern]
		if byMethod == nil {
			byMethod = map[string]Route{}
			h.routes.methods[r.Pattern] = byMethod
			pattern := r.Pattern
			h.routes.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				h.serveMatched(w, r, pattern)
			})
		}
		if _, dup := byMethod[r.Method]; dup {
			return fmt.Errorf("gateway: route %s %s served twice", r.Method, r.Pattern)
		}
		byMethod[r.Method] = r
	}
	return nil
}

// serveRoute serves r if a format's route matches its path, and reports
// whether one did.
func (h *Handler) serveRoute(w http.ResponseWriter, r *http.Request) bool {
	if h.routes.mux == nil {
		return false
	}
	if _, pattern := h.routes.mux.Handler(r); h.routes.methods[pattern] == nil {
		return false
	}
	h.routes.mux.ServeHTTP(w, r) // sets r's wildcards, then serveMatched
	return true
}

func (h *Handler) serveMatched(w http.ResponseWriter, r *http.Request, pattern string) {
	rec := w.(*recorder).rec
	rec.Route = pattern
	byMethod := h.routes.methods[pattern]
	methods := make([]string, 0, len(byMethod))
	for m := range byMethod {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	if !allow(w, r, rec, methods...) {
		return
	}
	var body []byte
	var err error
	if r.Method != http.MethodGet && (r.ContentLength != 0 || r.Header.Get("Content-Type") != "") {
		body, err = h.readBody(w, r)
	}
	if err == nil {
		r, err = h.authenticate(r, body, rec)
	}
	if err == nil && CallerKey(r.Context()) == "" {
		err = errNoKey
	}
	if err == nil {
		err = byMethod[r.Method].Serve(w, r, &Call{Caller: CallerKey(r.Context()), Body: body, Limits: h.lim})
	}
	if err != nil {
		fail(w, rec, err)
	}
}
