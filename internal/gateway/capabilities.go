package gateway

import "github.com/chatbot-gateway/chatbot/internal/chat"

// serves reports whether model id can answer req: whether it has every
// feature the request needs (tools, images, a reasoning effort).
func (h *Handler) serves(id string, req *chat.Request) bool {
	return chat.CapabilitiesOf(h.models[id].Model).Missing(req.Features()) == ""
}

// supports refuses, by name, a request that needs what model id lacks.
func (h *Handler) supports(id string, req *chat.Request) error {
	switch param := chat.CapabilitiesOf(h.models[id].Model).Missing(req.Features()); param {
	case "":
		return nil
	case "images":
		return invalid("messages", "unsupported_parameter", "images are not supported by model "+quote(id))
	case "tools":
		return invalid("tools", "unsupported_parameter", "tools (and tool calls or tool messages) are not supported by model "+quote(id))
	default:
		return invalid(param, "unsupported_parameter", param+" is not supported by model "+quote(id))
	}
}
