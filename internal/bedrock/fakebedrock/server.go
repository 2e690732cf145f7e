package fakebedrock

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

// maxBody is Bedrock's request body limit.
const maxBody = 25_000_000

// sigV4 matches a well-formed SigV4 Authorization header for Bedrock.
var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=[A-Za-z0-9]+/[0-9]{8}/[a-z0-9-]+/bedrock/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$`)

// Request is one call the fake received.
type Request struct {
	ModelID string
	Body    []byte
	Header  http.Header
}

// Option configures a Handler.
type Option func(*Handler)

// WithScenario sets the scenario used when the queue is empty (default
// Tokens(5)).
func WithScenario(s Scenario) Option { return func(h *Handler) { h.def = s } }

// WithModelScenario sets the scenario that answers calls of modelID when
// the queue is empty: one model of a chain fails while another answers.
func WithModelScenario(modelID string, s Scenario) Option {
	return func(h *Handler) {
		if h.byModel == nil {
			h.byModel = map[string]Scenario{}
		}
		h.byModel[modelID] = s
	}
}

// WithTimeFunc sets the clock used for stamped chunks.
func WithTimeFunc(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// WithoutAuthCheck accepts requests without a SigV4 Authorization header.
func WithoutAuthCheck() Option { return func(h *Handler) { h.noAuth = true } }

// Handler is the fake as an http.Handler, to mount on any server.
type Handler struct {
	mux    *http.ServeMux
	now    func() time.Time
	noAuth bool
	// guardrail, when set, answers calls that name it (see Guardrail).
	guardrail *Guardrail
	// profiles are the application inference profiles the control plane
	// knows.
	profiles []InferenceProfile

	mu       sync.Mutex
	def      Scenario
	byModel  map[string]Scenario // see WithModelScenario
	queue    []Scenario
	requests []Request
	opened   int
	closed   int
	changed  chan struct{} // closed and replaced when a stream opens or closes
	// cached holds the prompt prefixes a Converse call marked for caching,
	// by model, so that the next call with one reads it.
	cached map[string]bool
}

// NewHandler returns the fake as a handler.
func NewHandler(opts ...Option) *Handler {
	h := &Handler{mux: http.NewServeMux(), now: time.Now, def: Tokens(5), changed: make(chan struct{})}
	for _, o := range opts {
		o(h)
	}
	h.mux.HandleFunc("POST /model/{modelId}/invoke-with-response-stream", h.invoke)
	h.mux.HandleFunc("POST /model/{modelId}/converse-stream", h.converse)
	h.mux.HandleFunc("GET /inference-profiles/{id}", h.getInferenceProfile)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "unknown operation")
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Push queues scenarios for the next calls, one per call, in order. When
// the queue is empty the default scenario answers.
func (h *Handler) Push(s ...Scenario) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queue = append(h.queue, s...)
}

// SetDefault replaces the scenario used when the queue is empty.
func (h *Handler) SetDefault(s Scenario) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.def = s
}

// maxRecorded bounds the request log, so a long load run against the fake
// does not grow without limit; the oldest calls are dropped first.
const maxRecorded = 1000

// Requests returns the calls received so far, the latest maxRecorded.
func (h *Handler) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// Streams returns how many event streams were opened and how many of them
// have ended (finished, failed, cut, or closed by the client).
func (h *Handler) Streams() (opened, closed int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.opened, h.closed
}

// WaitIdle blocks until every opened stream has ended, or ctx ends.
func (h *Handler) WaitIdle(ctx context.Context) error {
	for {
		h.mu.Lock()
		idle, ch := h.opened == h.closed, h.changed
		h.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (h *Handler) count(open bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if open {
		h.opened++
	} else {
		h.closed++
	}
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *Handler) next(r Request) Scenario {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.requests) == maxRecorded {
		h.requests = append(h.requests[:0], h.requests[1:]...)
	}
	h.requests = append(h.requests, r)
	if len(h.queue) > 0 {
		s := h.queue[0]
		h.queue = h.queue[1:]
		return s
	}
	if s, ok := h.byModel[r.ModelID]; ok {
		return s
	}
	return h.def
}

func (h *Handler) invoke(w http.ResponseWriter, r *http.Request) {
	body, modelID, s, ok := h.receive(w, r)
	if !ok {
		return
	}
	f, err := bedrock.FamilyOf(h.routed(modelID))
	if err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", "The provided model identifier is invalid.")
		return
	}
	if s.Status != 0 {
		writeError(w, s.Status, s.ErrorType, s.Message)
		return
	}
	fam := families[f]
	msg := verify(body, fam.verify)
	if msg == "" && fam.check != nil {
		msg = fam.check(body)
	}
	var p plan
	if msg == "" && fam.parse != nil {
		c, complaint := fam.parse(body)
		if complaint == "" && c != nil {
			complaint = c.check()
			p = c.plan()
		}
		msg = string(complaint)
	}
	if msg != "" {
		writeError(w, http.StatusBadRequest, "ValidationException", msg)
		return
	}
	if limit := fam.maxTokens(body); limit > 0 && s.count() > limit {
		s.Tokens, s.Finish = limit, "length"
		if len(s.Words) > 0 {
			s.Words = s.Words[:limit]
		}
	}
	iv, gmsg := h.guard(r, body, s)
	if gmsg != "" {
		writeError(w, http.StatusBadRequest, "ValidationException", gmsg)
		return
	}
	if p.featured() && fam.compose != nil {
		h.streamPlan(w, r, fam, s, p)
		return
	}
	h.stream(w, r, fam, s, iv)
}

// verify checks that body is a JSON object with the required keys.
func verify(body []byte, keys []string) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return "Malformed input request: body is not a JSON object."
	}
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			return "Malformed input request: required key [" + k + "] not found, please reformat your input and try again."
		}
	}
	return ""
}

func writeError(w http.ResponseWriter, status int, errType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", errType)
	w.Header().Set("X-Amzn-RequestId", "fake-request")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": message})
	_, _ = w.Write(b)
}

// open starts an event stream and counts it until the returned func runs.
func (h *Handler) open(w http.ResponseWriter) (*frameWriter, func()) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Bedrock-Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", "fake-request")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	h.count(true)
	return &frameWriter{w: w, rc: rc, enc: eventstream.NewEncoder()}, func() { h.count(false) }
}

// stream writes the event stream of scenario s in family f's shapes.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request, f family, s Scenario, iv intervention) {
	ctx := r.Context()
	fw, done := h.open(w)
	defer done()
	rc := fw.rc
	if s.Hang {
		<-ctx.Done()
		return
	}
	if !pause(ctx, s.Delay) {
		return
	}
	n := s.count()
	u := usage{prompt: s.PromptTokens, completion: n}
	if u.prompt == 0 {
		u.prompt = 11
	}
	for _, c := range f.start(u) {
		if fw.chunk(c) != nil {
			return
		}
	}
	for i := 0; ; i++ {
		if s.Cut && i == s.CutAfter {
			cut(rc)
			return
		}
		if s.Stall && i == s.StallAfter {
			<-ctx.Done()
			return
		}
		if s.HugeFrame > 0 && i == s.HugeFrameAfter {
			if fw.prelude(s.HugeFrame) == nil {
				<-ctx.Done()
			}
			return
		}
		if s.Exception != "" && i == s.ExceptionAfter {
			_ = fw.exception(s.Exception, s.Message)
			return
		}
		if s.ErrorEvent != "" && i == s.ExceptionAfter {
			b, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": s.ErrorEvent, "message": s.Message}})
			_ = fw.chunk(b)
			return
		}
		if iv.on && i == iv.at {
			if fw.chunk(f.text(i, iv.message, u)) != nil {
				return
			}
			break
		}
		if i == n {
			break
		}
		if i > 0 && !pause(ctx, s.Interval) {
			return
		}
		if fw.chunk(f.text(i, s.word(i, h.now), u)) != nil {
			return
		}
	}
	stop, ok := f.stops[s.Finish]
	if !ok {
		stop = f.stops["stop"]
	}
	ends := f.end(stop, u)
	if iv.on {
		ends[len(ends)-1] = iv.intervened(ends[len(ends)-1])
	}
	for _, c := range ends {
		if fw.chunk(c) != nil {
			return
		}
	}
}

// pause waits d, and reports false when the client went away first.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// cut closes the connection under the stream, as a network failure would.
func cut(rc *http.ResponseController) {
	conn, _, err := rc.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}

// Server is the fake listening on a free port of 127.0.0.1.
type Server struct {
	*Handler
	// URL is the base URL, for BaseEndpoint or AWS_ENDPOINT_URL_BEDROCK_RUNTIME.
	URL string
	ts  *httptest.Server
}

// New starts the fake on 127.0.0.1. Call Close when done.
func New(opts ...Option) *Server {
	h := NewHandler(opts...)
	ts := httptest.NewServer(h)
	return &Server{Handler: h, URL: ts.URL, ts: ts}
}

// Close stops the server and cuts any stream still open.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}
