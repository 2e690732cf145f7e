package chatcompletions

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

type contentPart struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	ImageURL json.RawMessage `json:"image_url"`
	// CacheControl marks a prompt cache point after this part, in
	// Anthropic's form ({"type":"ephemeral"}), as LiteLLM and OpenRouter
	// accept it in Chat Completions.
	CacheControl json.RawMessage `json:"cache_control"`
}

// cacheControl reads a cache_control value: absent, or {"type":
// "ephemeral"} with an optional ttl of "5m" or "1h" (which the gateway
// leaves to the model's default).
func cacheControl(raw json.RawMessage, param string) (bool, error) {
	if !gateway.IsSet(raw) {
		return false, nil
	}
	var c struct {
		Type string `json:"type"`
		TTL  string `json:"ttl"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Type != "ephemeral" || (c.TTL != "" && c.TTL != "5m" && c.TTL != "1h") {
		return false, gateway.Invalid(param, "invalid_value", param+` must be {"type":"ephemeral"}`)
	}
	return true, nil
}

type imageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail"`
}

// contentDecoder decodes message content and counts the request's images
// against the limits.
type contentDecoder struct {
	images *gateway.Images
	// cache: the content decoded last marked a cache point.
	cache bool
}

// text accepts a string or an array of text parts, joined with newlines.
func (d *contentDecoder) text(raw json.RawMessage, param string) (string, error) {
	s, parts, err := d.decode(raw, param, false)
	if err != nil || parts == nil {
		return s, err
	}
	return chat.JoinText(parts), nil
}

// parts accepts a string or an array of text and image parts. The parts
// are returned only when there is an image among them.
func (d *contentDecoder) parts(raw json.RawMessage, param string) (string, []chat.Part, error) {
	s, parts, err := d.decode(raw, param, true)
	if err != nil || parts == nil {
		return s, nil, err
	}
	text := chat.JoinText(parts)
	for _, p := range parts {
		if p.Image != nil {
			return text, parts, nil
		}
	}
	return text, nil, nil
}

func (d *contentDecoder) decode(raw json.RawMessage, param string, images bool) (string, []chat.Part, error) {
	d.cache = false
	if !gateway.IsSet(raw) {
		return "", nil, gateway.Invalid(param, "invalid_value", param+" is required")
	}
	kinds := "a string or an array of text parts"
	if images {
		kinds = "a string or an array of text and image_url parts"
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", nil, gateway.Invalid(param, "invalid_type", param+" must be "+kinds)
		}
		return s, nil, nil
	}
	var in []contentPart
	if err := json.Unmarshal(raw, &in); err != nil {
		return "", nil, gateway.Invalid(param, "invalid_type", param+" must be "+kinds)
	}
	if len(in) == 0 {
		return "", nil, gateway.Invalid(param, "invalid_value", param+" must not be an empty array")
	}
	parts := make([]chat.Part, 0, len(in))
	for j, part := range in {
		p := param + "[" + strconv.Itoa(j) + "]"
		cache, err := cacheControl(part.CacheControl, p+".cache_control")
		if err != nil {
			return "", nil, err
		}
		d.cache = d.cache || cache
		switch {
		case part.Type == "text":
			parts = append(parts, chat.Part{Text: part.Text})
		case part.Type == "image_url" && images:
			img, err := d.image(part.ImageURL, p+".image_url")
			if err != nil {
				return "", nil, err
			}
			parts = append(parts, chat.Part{Image: img})
		case part.Type == "image_url":
			return "", nil, gateway.Invalid(p+".type", "invalid_value", "images are allowed in user messages only")
		default:
			return "", nil, gateway.Invalid(p+".type", "unsupported_parameter", "content part type "+strconv.Quote(part.Type)+" is not supported; only text and image_url")
		}
	}
	return "", parts, nil
}

// image decodes an image_url part's object: a data: URL (see
// gateway.Images.Decode).
func (d *contentDecoder) image(raw json.RawMessage, param string) (*chat.Image, error) {
	var u imageURL
	if !gateway.IsSet(raw) || json.Unmarshal(raw, &u) != nil || u.URL == "" {
		return nil, gateway.Invalid(param, "invalid_value", param+" must be an object with a url")
	}
	return d.images.Decode(u.URL, param+".url")
}
