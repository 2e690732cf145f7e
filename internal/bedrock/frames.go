package bedrock

import (
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
)

// boundedFrames makes every eventstream response body refuse a frame whose
// announced length is out of bounds (invokestream.LimitFrames): the SDK's
// decoder, which reads the streams of other operations and every frame
// invokestream hands it, checks only that the length is not zero.
type boundedFrames struct{ bedrockruntime.HTTPClient }

func (c boundedFrames) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.HTTPClient.Do(r)
	if err == nil && resp.Body != nil &&
		strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.amazon.eventstream") {
		resp.Body = invokestream.LimitFrames(resp.Body)
	}
	return resp, err
}
