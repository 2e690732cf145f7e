package gateway

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// ErrShuttingDown is the cause the server cancels in-flight requests with
// when its shutdown grace period ends: streams then end with an in-band
// error instead of silently.
var ErrShuttingDown = errShuttingDown

// Handler serves the gateway's HTTP API.
type Handler struct {
	cfg       Config
	models    map[string]ModelEntry
	ids       []string
	lim       Limits
	formats   map[string]Format
	routes    routeSet
	log       *slog.Logger
	anyOrigin bool
}

// New checks cfg and builds the handler.
func New(cfg Config) (*Handler, error) {
	if len(cfg.Models) == 0 {
		return nil, errors.New("gateway: no models configured")
	}
	h := &Handler{cfg: cfg, models: make(map[string]ModelEntry, len(cfg.Models))}
	for _, m := range cfg.Models {
		if m.ID == "" || m.Model == nil {
			return nil, errors.New("gateway: a model entry needs an id and a model")
		}
		if _, dup := h.models[m.ID]; dup {
			return nil, fmt.Errorf("gateway: model %q configured twice", m.ID)
		}
		h.models[m.ID] = m
		h.ids = append(h.ids, m.ID)
	}
	c := &h.cfg
	if c.DefaultModel == "" {
		c.DefaultModel = cfg.Models[0].ID
	}
	if _, ok := h.models[c.DefaultModel]; !ok {
		return nil, fmt.Errorf("gateway: default model %q is not configured", c.DefaultModel)
	}
	if _, ok := h.models[c.FallbackModel]; c.FallbackModel != "" && !ok {
		return nil, fmt.Errorf("gateway: fallback model %q is not configured", c.FallbackModel)
	}
	for _, id := range c.Chain {
		if _, ok := h.models[id]; !ok {
			return nil, fmt.Errorf("gateway: chain model %q is not configured", id)
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.MaxStreamTime <= 0 {
		c.MaxStreamTime = 15 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.RequestID == nil {
		c.RequestID = func(*http.Request) string { return rand.Text() }
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if _, err := ParseOrigins(c.AllowedOrigins); err != nil {
		return nil, fmt.Errorf("gateway: allowed origins: %w", err)
	}
	h.anyOrigin = len(c.AllowedOrigins) == 1 && c.AllowedOrigins[0] == "*"
	h.lim = c.Limits
	h.formats = make(map[string]Format, len(c.Formats))
	for _, f := range c.Formats {
		if f == nil || !strings.HasPrefix(f.Path(), "/v1/") {
			return nil, errors.New("gateway: a format needs a path under /v1/")
		}
		if _, dup := h.formats[f.Path()]; dup || reserved[f.Path()] {
			return nil, fmt.Errorf("gateway: route %s served twice", f.Path())
		}
		h.formats[f.Path()] = f
		if err := h.addRoutes(f); err != nil {
			return nil, err
		}
	}
	h.log = c.Logger
	return h, nil
}

// ServeHTTP routes a request, recovers from panics and logs one line.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &Record{ID: h.cfg.RequestID(r), Method: r.Method, Path: r.URL.Path, Route: h.routeOf(r.URL.Path), Start: h.cfg.Now()}
	rw := &recorder{ResponseWriter: w, rec: rec, now: h.cfg.Now}
	rw.Header().Set("X-Request-Id", rec.ID)
	if h.cfg.Tracer != nil {
		r = h.startSpan(r, rec)
	}
	defer func() {
		if v := recover(); v != nil {
			rec.Outcome = "panic"
			rec.Err = fmt.Errorf("%w: %v", errPanic, v)
			h.log.Error("panic", "request_id", rec.ID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rw.stream != nil && rw.failStream != nil {
				rw.failStream(inBand(errPanic))
			} else if !rw.wrote {
				writeError(rw, toAPIError(errPanic))
			}
		}
		h.finish(rec)
	}()
	if malformed(rw, r, rec) || h.loopbackHost(rw, r, rec) || h.cors(rw, r, rec) {
		return
	}
	h.route(rw, r, rec)
}

func (h *Handler) route(w http.ResponseWriter, r *http.Request, rec *Record) {
	path := r.URL.Path
	if f, ok := h.formats[path]; ok {
		if allow(w, r, rec, http.MethodPost) {
			h.answer(w, r, rec, f)
		}
		return
	}
	// A kept stream's routes first: GET /v1/responses/{id} reads the
	// stream while it runs, and a stored response when there is none.
	if f, id, action, ok := h.kept(path); ok && (action != "" || r.Method == http.MethodGet) {
		h.resumeRoute(w, r, rec, f, id, action)
		return
	}
	if h.serveRoute(w, r) {
		return
	}
	switch path {
	case "/v1/models":
		if allow(w, r, rec, http.MethodGet, http.MethodHead) {
			h.listModels(w, r, rec)
		}
	case "/v1/tokens":
		if h.cfg.Tokens == nil {
			h.notFound(w, r, rec)
		} else if allow(w, r, rec, http.MethodPost) {
			h.tokens(w, r, rec)
		}
	case "/v1/usage":
		if h.cfg.Usage == nil {
			h.notFound(w, r, rec)
		} else if allow(w, r, rec, http.MethodGet) {
			h.usage(w, r, rec)
		}
	case "/healthz":
		if allow(w, r, rec, http.MethodGet, http.MethodHead) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	default:
		if h.cfg.Static != nil && !strings.HasPrefix(path, "/v1/") &&
			(r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("X-Content-Type-Options", "nosniff")
			h.cfg.Static.ServeHTTP(w, r)
			return
		}
		h.notFound(w, r, rec)
	}
}

// routeOf returns path if the gateway serves it, "" otherwise.
func (h *Handler) routeOf(path string) string {
	_, format := h.formats[path]
	switch {
	case format, path == "/v1/models", path == "/healthz", path == "/",
		path == "/v1/tokens" && h.cfg.Tokens != nil, path == "/v1/usage" && h.cfg.Usage != nil:
		return path
	}
	if f, _, action, ok := h.kept(path); ok {
		// One route per action, whatever the id.
		return f.Path() + "/{id}" + action
	}
	return ""
}

// reserved are the routes of the core, which no format may take.
var reserved = map[string]bool{"/v1/models": true, "/v1/tokens": true, "/v1/usage": true}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, rec *Record) {
	fail(w, rec, &Error{Status: http.StatusNotFound, Type: typeNotFound, Code: "not_found",
		Message: "no route for " + r.Method + " " + Quote(r.URL.Path)})
}

// allow answers 405 with an Allow header unless r's method is one of methods.
func allow(w http.ResponseWriter, r *http.Request, rec *Record, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	list := strings.Join(methods, ", ")
	w.Header().Set("Allow", list)
	fail(w, rec, &Error{Status: http.StatusMethodNotAllowed, Type: typeInvalidRequest, Code: "method_not_allowed",
		Message: r.Method + " is not allowed here; use " + list})
	return false
}

// authenticate runs the Authenticator, if any, and records who called.
func (h *Handler) authenticate(r *http.Request, body []byte, rec *Record) (*http.Request, error) {
	if h.cfg.Auth == nil {
		return r, nil
	}
	c, err := h.cfg.Auth.Check(r, body)
	if err != nil {
		rec.AuthRefusal = toAPIError(err).Code
		return r, err
	}
	if c == nil {
		c = &Caller{}
	}
	rec.Subject, rec.CallerGroup = c.Subject, c.Group
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c)), nil
}

func (h *Handler) listModels(w http.ResponseWriter, r *http.Request, rec *Record) {
	if _, err := h.authenticate(r, nil, rec); err != nil {
		fail(w, rec, err)
		return
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: make([]model, 0, len(h.ids))}
	for _, id := range h.ids {
		list.Data = append(list.Data, model{ID: id, Object: "model", OwnedBy: h.models[id].OwnedBy})
	}
	writeJSON(w, http.StatusOK, list)
}

// readBody checks the content type and reads the body under the size limit.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return nil, errNotJSON()
	}
	limit := h.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The local server's CHATBOT_READ_TIMEOUT passed.
			return nil, fmt.Errorf("%w: %w", &Error{Status: http.StatusRequestTimeout, Type: typeInvalidRequest,
				Code: "request_timeout", Message: "the request body did not arrive in time"}, err)
		}
		return nil, fmt.Errorf("%w: %w", Invalid("", "invalid_body", "could not read the request body"), err)
	}
	return body, nil
}

func errNotJSON() *Error {
	return &Error{Status: http.StatusUnsupportedMediaType, Type: typeInvalidRequest, Code: "unsupported_media_type",
		Message: "Content-Type must be application/json"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"internal error","type":"server_error","param":null,"code":"internal_error"}}`)
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fail answers err before anything of the response has left, as the
// client is told it (see toAPIError), and records its code and its cause
// for the request's log line and metrics.
func fail(w http.ResponseWriter, rec *Record, err error) {
	e := toAPIError(err)
	if rec.Err == nil {
		rec.Err = err
	}
	rec.ErrorCode = e.Code
	writeError(w, e)
}

func writeError(w http.ResponseWriter, e *Error) {
	setErrorHeaders(w.Header(), e)
	writeJSON(w, e.Status, struct {
		Error *Error `json:"error"`
	}{e})
}
