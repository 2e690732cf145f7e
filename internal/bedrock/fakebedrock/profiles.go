package fakebedrock

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The Bedrock control plane's GetInferenceProfile (GET
// /inference-profiles/{inferenceProfileIdentifier}), restJson1 as the AWS
// SDK's bedrock client reads it (service/bedrock deserializers:
// inferenceProfileArn, inferenceProfileId, inferenceProfileName, models[]
// .modelArn, status, type, createdAt as an ISO 8601 date-time). The same
// server answers it, so AWS_ENDPOINT_URL_BEDROCK and
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME may name one address.

// InferenceProfile is an application inference profile the fake knows.
type InferenceProfile struct {
	// ARN is the profile's ARN (arn:aws:bedrock:<region>:<account>:
	// application-inference-profile/<id>).
	ARN string
	// ModelARNs are the foundation models it routes to.
	ModelARNs []string
}

// WithInferenceProfile makes the control plane know p; any other profile
// is a ResourceNotFoundException.
func WithInferenceProfile(p InferenceProfile) Option {
	return func(h *Handler) { h.profiles = append(h.profiles, p) }
}

func (h *Handler) getInferenceProfile(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	id := r.PathValue("id")
	for _, p := range h.profiles {
		_, short, _ := strings.Cut(p.ARN, "application-inference-profile/")
		if id != p.ARN && id != short {
			continue
		}
		models := make([]map[string]string, 0, len(p.ModelARNs))
		for _, m := range p.ModelARNs {
			models = append(models, map[string]string{"modelArn": m})
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-RequestId", "fake-request")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"inferenceProfileArn":  p.ARN,
			"inferenceProfileId":   short,
			"inferenceProfileName": "fake-" + short,
			"models":               models,
			"status":               "ACTIVE",
			"type":                 "APPLICATION",
			"createdAt":            "2026-01-01T00:00:00Z",
			"updatedAt":            "2026-01-01T00:00:00Z",
		})
		return
	}
	writeError(w, http.StatusNotFound, "ResourceNotFoundException", "The specified inference profile "+id+" was not found.")
}

// routed is the model a call to id reaches: the first model of an
// application inference profile the fake knows, or id itself.
func (h *Handler) routed(id string) string {
	for _, p := range h.profiles {
		if id == p.ARN && len(p.ModelARNs) > 0 {
			return p.ModelARNs[0]
		}
	}
	return id
}
