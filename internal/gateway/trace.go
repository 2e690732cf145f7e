package gateway

import (
	"net/http"

	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// startSpan starts the request's server span (continuing an incoming
// traceparent); finish ends it. Only called with a tracer.
func (h *Handler) startSpan(r *http.Request, rec *Record) *http.Request {
	route := rec.Route
	if route == "" {
		route = "other"
	}
	ctx, span := h.cfg.Tracer.StartServer(r, route)
	rec.span = span
	return r.WithContext(ctx)
}

// provider is gen_ai.provider.name for model id.
func (h *Handler) provider(id string) string {
	if h.models[id].OwnedBy == "amazon-bedrock" {
		return telemetry.ProviderBedrock
	}
	return telemetry.ProviderLocal
}
