package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

var doneFrame = []byte("[DONE]")

func (h *Handler) completions(w http.ResponseWriter, r *http.Request, rec *Record) {
	var p *parsed
	ctx, end, ok := h.accept(w, r, rec, func(body []byte) (*chat.Request, error) {
		var err error
		p, err = decodeRequest(body, h.lim)
		if err != nil {
			return nil, err
		}
		return &p.req, nil
	}, nil)
	if !ok {
		return
	}
	defer end()
	if p.stream {
		h.stream(ctx, w, p, rec)
	} else {
		h.collect(ctx, w, p, rec)
	}
}

// accept does what every model route does before the model is asked, in
// order: read the body, authenticate it, decode it (decode is the wire
// format's own), pick the model and check that it can honour the request
// (rename puts a refusal in the format's own terms; nil keeps it), and
// admit the caller under its rate limits. It answers any failure itself and
// reports ok=false. Otherwise ctx is the request's context bounded by the
// deadline margin, and end must run when the answer has ended.
func (h *Handler) accept(w http.ResponseWriter, r *http.Request, rec *Record,
	decode func(body []byte) (*chat.Request, error), rename func(error) error) (ctx context.Context, end func(), ok bool) {
	body, err := h.readBody(w, r)
	if err == nil {
		r, err = h.authenticate(r, body, rec)
	}
	var req *chat.Request
	if err == nil {
		req, err = decode(body)
	}
	if err == nil {
		err = h.pickModel(req, rec)
	}
	if err == nil {
		if err = h.supports(req.Model, req); err != nil && rename != nil {
			err = rename(err)
		}
	}
	if err != nil {
		fail(w, rec, err)
		return nil, nil, false
	}
	done, err := h.admit(r.Context(), w, req, rec)
	if err != nil {
		fail(w, rec, err)
		return nil, nil, false
	}
	ctx, cancel := h.bound(r.Context())
	return ctx, func() { cancel(); done() }, true
}

// pickModel resolves the request's model (the default when it names
// none) and records it.
func (h *Handler) pickModel(req *chat.Request, rec *Record) error {
	id := req.Model
	if id == "" {
		id = h.cfg.DefaultModel
	}
	if _, ok := h.models[id]; !ok {
		return invalid("model", "model_not_found", "model "+quote(id)+" does not exist; see GET /v1/models")
	}
	req.Model, rec.Model = id, id
	return nil
}

// bound ends ctx a margin before its deadline. On Lambda the deadline is
// the invocation's: stop early enough to say so in-band rather than be cut
// off mid-frame.
func (h *Handler) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadlineCause(ctx, dl.Add(-h.cfg.DeadlineMargin), chat.ErrDeadline)
	}
	return ctx, func() {}
}

func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "\uFFFD") + `"`
}

// run asks the request's model and, when it fails before its first token and
// the policy allows, the fallback model. onSwitch is told the new model's id
// before it emits anything. It returns the model's result and error, and
// adds each model's usage to rec, failed or not: a model that read the
// prompt and then failed was billed for it.
func (h *Handler) run(ctx context.Context, req *chat.Request, rec *Record, emit chat.Emit, onSwitch func(id string)) (chat.Result, error) {
	emitted := false
	counting := func(d chat.Delta) error {
		if d.Empty() {
			return nil
		}
		if !emitted {
			emitted = true
			rec.FirstToken = h.cfg.Now().Sub(rec.Start)
		}
		rec.OutputTokens++
		return emit(d)
	}
	res, err := h.models[req.Model].Model.Stream(ctx, req, counting)
	rec.used = addUsage(rec.used, res.Usage)
	if err != nil && !emitted && errors.Is(err, chat.ErrModelConfig) {
		h.modelConfigError(req.Model, err, rec)
	}
	if err == nil || emitted || ctx.Err() != nil || h.cfg.Fallback == nil ||
		h.cfg.FallbackModel == "" || req.Model == h.cfg.FallbackModel || !h.serves(h.cfg.FallbackModel, req) {
		return res, err
	}
	reason, ok := h.cfg.Fallback(err)
	if !ok {
		return res, err
	}
	h.log.Warn("model failed before its first token; falling back",
		slog.String("request_id", rec.ID), slog.String("model", req.Model),
		slog.String("fallback", h.cfg.FallbackModel), slog.String("reason", reason), slog.String("error", err.Error()))
	rec.Fallback, rec.Model = reason, h.cfg.FallbackModel
	onSwitch(h.cfg.FallbackModel)
	fb := *req
	fb.Model = h.cfg.FallbackModel
	res, err = h.models[fb.Model].Model.Stream(ctx, &fb, counting)
	rec.used = addUsage(rec.used, res.Usage)
	return res, err
}

// settle completes the record of a finished answer and returns its usage:
// the model's own token counts, or the pieces of text it emitted where it
// reported none.
func settle(res chat.Result, rec *Record) chat.Usage {
	u := res.Usage
	if u.CompletionTokens == 0 {
		u.CompletionTokens = rec.OutputTokens
	}
	rec.OutputTokens, rec.PromptTokens = u.CompletionTokens, u.PromptTokens
	rec.FinishReason = string(finishOf(res))
	return u
}

func finishOf(res chat.Result) chat.FinishReason {
	if res.FinishReason == "" {
		return chat.FinishStop
	}
	return res.FinishReason
}

// failure says why a model call ended with err: the error to report, or
// gone when nobody is listening any more.
func failure(ctx context.Context, err error) (cause error, gone bool) {
	if ctx.Err() != nil {
		switch c := context.Cause(ctx); {
		case errors.Is(c, chat.ErrDeadline), errors.Is(c, errShuttingDown):
			return c, false
		default:
			return nil, true
		}
	}
	return err, false
}

// inBand is the error told to a client once a response has started: like
// toAPIError, but an unexplained failure says the model did not finish.
func inBand(err error) *apiError {
	e := toAPIError(err)
	if e.Status == http.StatusInternalServerError {
		return &apiError{Status: e.Status, Type: typeServer, Code: "model_error",
			Message: "the model failed before finishing the answer"}
	}
	return e
}

// stream relays the answer as SSE. The status line leaves with the first
// token, or with a ping once the heartbeat interval has passed in silence;
// a failure before that is answered with its own status, as without
// streaming.
func (h *Handler) stream(ctx context.Context, w http.ResponseWriter, p *parsed, rec *Record) {
	out := deferStream(ctx, w, h.cfg.Heartbeat)
	defer out.stop() // also when the model panics

	created := h.cfg.Now().Unix()
	cid := "chatcmpl-" + rec.ID
	ch := newChunker(cid, created, p.req.Model)
	var writeErr error // the client stopped reading
	send := func(frame []byte) error {
		sw, err := out.writer()
		if err == nil {
			err = sw.Data(frame)
		}
		if err != nil && writeErr == nil {
			writeErr = err
		}
		return err
	}
	res, err := h.run(ctx, &p.req, rec, func(d chat.Delta) error {
		return send(ch.frame(d))
	}, func(id string) { ch.reset(cid, created, id) })
	out.stop()
	if err != nil {
		cause, gone := failure(ctx, err)
		if gone || writeErr != nil {
			rec.Outcome = "client_gone"
			return
		}
		rec.Err = err
		if !out.started() {
			fail(w, rec, cause)
			return
		}
		e := inBand(cause)
		rec.Outcome, rec.ErrorCode = "error", e.Code
		_ = send(errorFrame(ch.buf, e))
		return
	}
	if ch.first {
		// An empty answer still names its role once.
		err = send(ch.delta(""))
	}
	if err == nil {
		err = send(ch.finish(finishOf(res)))
	}
	u := settle(res, rec)
	if err == nil && p.includeUsage {
		err = send(ch.usage(u))
	}
	if err == nil {
		err = send(doneFrame)
	}
	if err != nil {
		rec.Outcome = "client_gone"
	}
}

func (h *Handler) collect(ctx context.Context, w http.ResponseWriter, p *parsed, rec *Record) {
	var ans answer
	model := p.req.Model
	res, err := h.run(ctx, &p.req, rec, func(d chat.Delta) error {
		ans.add(d)
		return nil
	}, func(id string) { model = id })
	if err != nil {
		cause, gone := failure(ctx, err)
		if gone {
			rec.Outcome = "client_gone"
			return
		}
		rec.Err = err
		fail(w, rec, cause)
		return
	}
	type choice struct {
		Index        int        `json:"index"`
		Message      messageOut `json:"message"`
		Logprobs     *string    `json:"logprobs"`
		FinishReason string     `json:"finish_reason"`
	}
	u := settle(res, rec)
	writeJSON(w, http.StatusOK, struct {
		ID      string   `json:"id"`
		Object  string   `json:"object"`
		Created int64    `json:"created"`
		Model   string   `json:"model"`
		Choices []choice `json:"choices"`
		Usage   usageOut `json:"usage"`
	}{
		ID: "chatcmpl-" + rec.ID, Object: "chat.completion", Created: h.cfg.Now().Unix(), Model: model,
		Choices: []choice{{Message: ans.message(), FinishReason: string(finishOf(res))}},
		Usage:   usageOf(u),
	})
}

// modelConfigError reports a model that cannot answer as configured: at
// ERROR, with the upstream's own message and the model id, since no retry
// mends it and every request to the model fails the same way until an
// operator acts.
func (h *Handler) modelConfigError(model string, err error, rec *Record) {
	reason := "model_config"
	if h.cfg.ConfigErrorReason != nil {
		if r, ok := h.cfg.ConfigErrorReason(err); ok {
			reason = r
		}
	}
	rec.ModelConfigError = reason
	h.log.Error("model configuration error: the model cannot answer as configured",
		slog.String("request_id", rec.ID), slog.String("model", model),
		slog.String("reason", reason), slog.String("error", err.Error()))
}
