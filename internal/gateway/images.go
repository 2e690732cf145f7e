package gateway

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// imageTypes are the formats every model with vision takes.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// Images decodes the inline images of one request and counts them against
// its limits.
type Images struct {
	lim Limits
	n   int
}

// NewImages returns an image decoder for one request under lim.
func NewImages(lim Limits) *Images { return &Images{lim: lim} }

// Decode decodes an inline image: a data: URL of a PNG, JPEG, GIF or WebP,
// within the size and count limits. param names the URL in errors. Remote
// URLs are refused: the gateway fetches nothing on a user's behalf. The
// media type is the one the bytes show, so a model is never told a format
// the data does not have.
func (d *Images) Decode(url, param string) (*chat.Image, error) {
	scheme, rest, _ := strings.Cut(url, ":")
	switch strings.ToLower(scheme) {
	case "data":
	case "http", "https":
		return nil, Invalid(param, "unsupported_parameter", "image URLs are not fetched; send the image inline as a data: URL (data:image/png;base64,...)")
	default:
		return nil, Invalid(param, "invalid_value", "an image must be a data: URL (data:image/png;base64,...)")
	}
	d.n++
	if d.n > d.lim.MaxImages {
		return nil, Invalid(param, "too_many_images", "at most "+strconv.Itoa(d.lim.MaxImages)+" images are allowed in one request")
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(strings.ToLower(meta), ";base64") {
		return nil, Invalid(param, "invalid_value", "an image data: URL must be base64 encoded (data:image/png;base64,...)")
	}
	if base64.StdEncoding.DecodedLen(len(data)) > d.lim.MaxImageBytes+2 {
		return nil, imageTooLarge(param, d.lim.MaxImageBytes)
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(data)
	}
	if err != nil {
		return nil, Invalid(param, "invalid_value", "the image data is not valid base64")
	}
	if len(b) > d.lim.MaxImageBytes {
		return nil, imageTooLarge(param, d.lim.MaxImageBytes)
	}
	mt := http.DetectContentType(b)
	if !imageTypes[mt] {
		return nil, Invalid(param, "invalid_image", "the image data is not a PNG, JPEG, GIF or WebP image")
	}
	return &chat.Image{MediaType: mt, Data: b}, nil
}

func imageTooLarge(param string, limit int) error {
	return Invalid(param, "image_too_large", "an image may be at most "+strconv.Itoa(limit)+" bytes")
}
