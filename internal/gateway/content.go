package gateway

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

type contentPart struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	ImageURL json.RawMessage `json:"image_url"`
}

type imageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail"`
}

// contentDecoder decodes message content and counts the request's images
// against the limits.
type contentDecoder struct {
	lim    limits
	images int
}

// text accepts a string or an array of text parts, joined with newlines.
func (d *contentDecoder) text(raw json.RawMessage, param string) (string, error) {
	s, parts, err := d.decode(raw, param, false)
	if err != nil || parts == nil {
		return s, err
	}
	return joinText(parts), nil
}

// parts accepts a string or an array of text and image parts. The parts
// are returned only when there is an image among them.
func (d *contentDecoder) parts(raw json.RawMessage, param string) (string, []chat.Part, error) {
	s, parts, err := d.decode(raw, param, true)
	if err != nil || parts == nil {
		return s, nil, err
	}
	text := joinText(parts)
	for _, p := range parts {
		if p.Image != nil {
			return text, parts, nil
		}
	}
	return text, nil, nil
}

func (d *contentDecoder) decode(raw json.RawMessage, param string, images bool) (string, []chat.Part, error) {
	if !isSet(raw) {
		return "", nil, invalid(param, "invalid_value", param+" is required")
	}
	kinds := "a string or an array of text parts"
	if images {
		kinds = "a string or an array of text and image_url parts"
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", nil, invalid(param, "invalid_type", param+" must be "+kinds)
		}
		return s, nil, nil
	}
	var in []contentPart
	if err := json.Unmarshal(raw, &in); err != nil {
		return "", nil, invalid(param, "invalid_type", param+" must be "+kinds)
	}
	if len(in) == 0 {
		return "", nil, invalid(param, "invalid_value", param+" must not be an empty array")
	}
	parts := make([]chat.Part, 0, len(in))
	for j, part := range in {
		p := param + "[" + strconv.Itoa(j) + "]"
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
			return "", nil, invalid(p+".type", "invalid_value", "images are allowed in user messages only")
		default:
			return "", nil, invalid(p+".type", "unsupported_parameter", "content part type "+strconv.Quote(part.Type)+" is not supported; only text and image_url")
		}
	}
	return "", parts, nil
}

func joinText(parts []chat.Part) string {
	var b strings.Builder
	first := true
	for _, p := range parts {
		if p.Image != nil {
			continue
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		b.WriteString(p.Text)
	}
	return b.String()
}

// imageTypes are the formats every model with vision takes.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// image decodes an inline image: a data: URL of a PNG, JPEG, GIF or WebP,
// within the size and count limits. Remote URLs are refused: the gateway
// fetches nothing on a user's behalf. The media type is the one the bytes
// show, so a model is never told a format the data does not have.
func (d *contentDecoder) image(raw json.RawMessage, param string) (*chat.Image, error) {
	var u imageURL
	if !isSet(raw) || json.Unmarshal(raw, &u) != nil || u.URL == "" {
		return nil, invalid(param, "invalid_value", param+" must be an object with a url")
	}
	url := param + ".url"
	scheme, rest, _ := strings.Cut(u.URL, ":")
	switch strings.ToLower(scheme) {
	case "data":
	case "http", "https":
		return nil, invalid(url, "unsupported_parameter", "image URLs are not fetched; send the image inline as a data: URL (data:image/png;base64,...)")
	default:
		return nil, invalid(url, "invalid_value", "an image must be a data: URL (data:image/png;base64,...)")
	}
	d.images++
	if d.images > d.lim.maxImages {
		return nil, invalid(url, "too_many_images", "at most "+strconv.Itoa(d.lim.maxImages)+" images are allowed in one request")
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(strings.ToLower(meta), ";base64") {
		return nil, invalid(url, "invalid_value", "an image data: URL must be base64 encoded (data:image/png;base64,...)")
	}
	if base64.StdEncoding.DecodedLen(len(data)) > d.lim.maxImageBytes+2 {
		return nil, imageTooLarge(url, d.lim.maxImageBytes)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(data)
	}
	if err != nil {
		return nil, invalid(url, "invalid_value", "the image data is not valid base64")
	}
	if len(b) > d.lim.maxImageBytes {
		return nil, imageTooLarge(url, d.lim.maxImageBytes)
	}
	mt := http.DetectContentType(b)
	if !imageTypes[mt] {
		return nil, invalid(url, "invalid_image", "the image data is not a PNG, JPEG, GIF or WebP image")
	}
	return &chat.Image{MediaType: mt, Data: b}, nil
}

func imageTooLarge(param string, limit int) error {
	return invalid(param, "image_too_large", "an image may be at most "+strconv.Itoa(limit)+" bytes")
}
