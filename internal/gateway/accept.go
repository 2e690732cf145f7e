package gateway

import (
	"context"
	"net/http"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// accept does what every model route does before the model is asked, in
// order: read the body, authenticate it, decode it (in the wire format f,
// see decode), and admit the caller under its rate limits. It answers any failure itself and reports
// ok=false. Otherwise ctx is the request's context bounded by the deadline
// margin, and adm.end must run when the answer has ended.
func (h *Handler) accept(w http.ResponseWriter, r *http.Request, rec *Record, f Format) (x Exchange, ctx context.Context, adm *admission, ok bool) {
	body, err := h.readBody(w, r)
	if err == nil {
		r, err = h.authenticate(r, body, rec)
	}
	if err == nil {
		x, err = h.decode(r.Context(), f, body, rec)
	}
	if err != nil {
		fail(w, rec, err)
		return nil, nil, nil, false
	}
	g, settle, err := h.admit(r.Context(), w, x.Request(), rec)
	if err != nil {
		fail(w, rec, err)
		return nil, nil, nil, false
	}
	ctx, cancel := h.bound(r.Context())
	return x, ctx, &admission{body: body, grant: g, settle: settle, cancel: cancel}, true
}

// decode decodes body in wire format f and checks it as every model
// route does, also for a background job: the state it continues read
// (Preparer) for ctx's caller, its model picked and able to honour it.
func (h *Handler) decode(ctx context.Context, f Format, body []byte, rec *Record) (Exchange, error) {
	x, err := f.Decode(body, h.lim)
	if err != nil {
		return nil, err
	}
	if p, ok := x.(Preparer); ok {
		if err := p.Prepare(ctx, CallerKey(ctx)); err != nil {
			return nil, err
		}
	}
	req := x.Request()
	if err := h.pickModel(req, rec); err != nil {
		return nil, err
	}
	if err := h.supports(f, req.Model, req); err != nil {
		return nil, err
	}
	return x, nil
}

// admission is what accept leaves for the rest of the request: the body
// as it came (a background job keeps it) and the caller's grant.
type admission struct {
	body   []byte
	grant  Grant // nil without limits
	settle func()
	cancel context.CancelFunc
}

// end releases what the request holds once its answer has ended.
func (a *admission) end() { a.cancel(); a.settle() }

// pickModel resolves the request's model (the default when it names
// none) and records it.
func (h *Handler) pickModel(req *chat.Request, rec *Record) error {
	id := req.Model
	if id == "" {
		id = h.cfg.DefaultModel
	}
	if _, ok := h.models[id]; !ok {
		return Invalid("model", "model_not_found", "model "+Quote(id)+" does not exist; see GET /v1/models")
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

// serves reports whether model id can answer req: whether it has every
// feature the request needs (tools, images, a reasoning effort).
func (h *Handler) serves(id string, req *chat.Request) bool {
	return chat.CapabilitiesOf(h.models[id].Model).Missing(req.Features()) == ""
}

// supports refuses, by name in f's terms, a request that needs what model
// id lacks.
func (h *Handler) supports(f Format, id string, req *chat.Request) error {
	missing := chat.CapabilitiesOf(h.models[id].Model).Missing(req.Features())
	if missing == "" {
		return nil
	}
	param := f.Param(missing)
	switch missing {
	case "images":
		return Invalid(param, "unsupported_parameter", "images are not supported by model "+Quote(id))
	case "tools":
		return Invalid(param, "unsupported_parameter", "tools (and tool calls or tool messages) are not supported by model "+Quote(id))
	default:
		return Invalid(param, "unsupported_parameter", param+" is not supported by model "+Quote(id))
	}
}
