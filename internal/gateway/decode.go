package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// This file and images.go, tooldefs.go hold the decoding both wire formats
// share, so that they accept the same things and word a refusal the same
// way, each naming its own parameter.

// DecodeJSON decodes body, which must be one JSON object of valid UTF-8,
// into v. A failure is a 400 naming the field whose type is wrong.
func DecodeJSON(body []byte, v any) error {
	if !utf8.Valid(body) {
		// encoding/json would quietly replace invalid bytes with U+FFFD.
		return Invalid("", "invalid_encoding", "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return Invalid("", "invalid_json", "request body must be a single JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			return Invalid("", "invalid_type", "request body must be a JSON object")
		}
		return Invalid(field, "invalid_type", fmt.Sprintf("%s must be of type %s", field, jsonKind(te.Type.Kind().String())))
	}
	return Invalid("", "invalid_json", "request body is not valid JSON")
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return k
}

// IsSet reports whether a raw field was sent with a value other than null.
func IsSet(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// JSONObject reports whether b is one JSON object.
func JSONObject(b []byte) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(b, &v) == nil && v != nil
}

// Quote quotes a client's string for an error message, cut at 100 bytes.
func Quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "\uFFFD") + `"`
}

// ReasoningEffort decodes a reasoning effort; "none" asks for no
// reasoning, as leaving it out does. ok is false for an unknown value.
func ReasoningEffort(v string) (e chat.ReasoningEffort, ok bool) {
	switch e := chat.ReasoningEffort(v); e {
	case chat.EffortMinimal, chat.EffortLow, chat.EffortMedium, chat.EffortHigh:
		return e, true
	case "none":
		return "", true
	}
	return "", false
}

// EffortRule is how a refusal of a reasoning effort ends.
const EffortRule = " must be one of none, minimal, low, medium, high"
