package fakebedrock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// Guardrail makes the fake act as an Amazon Bedrock guardrail that denies
// one word. A call that names the guardrail (X-Amzn-Bedrock-Guardrail-
// Identifier and -Version) is checked: a prompt with the word is blocked
// before any text (the answer is Message alone); an answer that would
// contain the word stops just before that chunk and ends with Message.
// Either way the stream's last chunk carries
// "amazon-bedrock-guardrailAction": "INTERVENED", and, when the call asked
// for a trace (X-Amzn-Bedrock-Trace: ENABLED), "amazon-bedrock-trace".
type Guardrail struct {
	ID, Version string
	Word        string
	Message     string
}

// WithGuardrail installs g. Calls that name another guardrail get a
// ValidationException, as Bedrock answers for one that does not exist.
func WithGuardrail(g Guardrail) Option { return func(h *Handler) { h.guardrail = &g } }

// intervention is where, if anywhere, the guardrail stops an answer.
type intervention struct {
	on      bool
	at      int // the text chunk replaced by the message
	message string
	trace   bool
}

// guard applies the guardrail the call names, if any, to the prompt and
// to the scenario's text. It returns a ValidationException message for a
// guardrail the fake does not have.
func (h *Handler) guard(r *http.Request, body []byte, s Scenario) (intervention, string) {
	id, version := r.Header.Get("X-Amzn-Bedrock-GuardrailIdentifier"), r.Header.Get("X-Amzn-Bedrock-GuardrailVersion")
	return h.guardWith(id, version, r.Header.Get("X-Amzn-Bedrock-Trace") == "ENABLED", body, s)
}

// guardWith is guard for a guardrail named in the call's headers
// (InvokeModel) or its guardrailConfig (Converse).
func (h *Handler) guardWith(id, version string, trace bool, body []byte, s Scenario) (intervention, string) {
	if id == "" && version == "" {
		return intervention{}, ""
	}
	g := h.guardrail
	if g == nil || id != g.ID || version != g.Version {
		return intervention{}, "The guardrail identifier or version provided in the request does not exist."
	}
	iv := intervention{message: g.Message, trace: trace}
	word := []byte(strings.ToLower(g.Word))
	if bytes.Contains(bytes.ToLower(body), word) {
		iv.on = true
		return iv, ""
	}
	for i := range s.count() {
		if bytes.Contains(bytes.ToLower([]byte(s.word(i, h.now))), word) {
			iv.on, iv.at = true, i
			break
		}
	}
	return iv, ""
}

// intervened adds the guardrail's verdict (and trace) to the last chunk of
// a stream, a JSON object.
func (iv intervention) intervened(last []byte) []byte {
	extra := map[string]any{"amazon-bedrock-guardrailAction": "INTERVENED"}
	if iv.trace {
		extra["amazon-bedrock-trace"] = map[string]any{"guardrail": map[string]any{"actionReason": "Guardrail blocked."}}
	}
	b, _ := json.Marshal(extra)
	last = bytes.TrimSuffix(bytes.TrimSpace(last), []byte("}"))
	return append(append(last, ','), b[1:]...)
}
