package bedrock

import (
	"io"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// DecodeChunks runs family f's decoder over payloads in order, as Stream
// does, and returns the text, the result and whether the stream had ended.
func DecodeChunks(f Family, payloads [][]byte) (text string, res chat.Result, ended bool, err error) {
	spec := families[f]
	var st streamState
	if spec.split != nil {
		st.split = spec.split()
	}
	out := func(d chat.Delta) error {
		text += d.Text
		return nil
	}
	for _, p := range payloads {
		if err := spec.decodeChunk(p, &st, out); err != nil {
			return text, st.result(), st.ended, err
		}
	}
	err = st.flush(out)
	return text, st.result(), st.ended, err
}

// DecodeDeltas runs family f's decoder over payloads in order, as Stream
// does (the tag splitter flushed at the end), and returns every delta.
func DecodeDeltas(f Family, payloads [][]byte) (deltas []chat.Delta, res chat.Result, ended bool, err error) {
	spec := families[f]
	var st streamState
	if spec.split != nil {
		st.split = spec.split()
	}
	out := func(d chat.Delta) error {
		deltas = append(deltas, d)
		return nil
	}
	for _, p := range payloads {
		if err := spec.decodeChunk(p, &st, out); err != nil {
			return deltas, st.result(), st.ended, err
		}
	}
	err = st.flush(out)
	return deltas, st.result(), st.ended, err
}

// DecodeDiscard runs family f's decoder over payloads in order, as Stream
// does, dropping the deltas: what the decoder alone costs.
func DecodeDiscard(f Family, payloads [][]byte) error {
	spec := families[f]
	var st streamState
	if spec.split != nil {
		st.split = spec.split()
	}
	out := func(chat.Delta) error { return nil }
	for _, p := range payloads {
		if err := spec.decodeChunk(p, &st, out); err != nil {
			return err
		}
	}
	return st.flush(out)
}

// DecodeChunk decodes one payload with a fresh state.
func DecodeChunk(f Family, payload []byte) (string, chat.Result, error) {
	text, res, _, err := DecodeChunks(f, [][]byte{payload})
	return text, res, err
}

// Body returns the InvokeModel body family f builds for req, with the given
// system prompt.
func Body(f Family, req *chat.Request, systemPrompt string) ([]byte, error) {
	p, err := splitPrompt(req, systemPrompt, true)
	if err != nil {
		return nil, err
	}
	return buildBody(families[f], req, p)
}

// EscapeLlamaText and EscapeMistralText are what the Llama and Mistral
// prompt builders do to conversation text.
func EscapeLlamaText(s string) string   { return llamaMarkers.escape(s) }
func EscapeMistralText(s string) string { return mistralMarkers.escape(s) }

// LimitFrames wraps an eventstream body as the client's transport does.
func LimitFrames(r io.ReadCloser) io.ReadCloser { return invokestream.LimitFrames(r) }

// PlainBody is the HTTP client wrapper every Bedrock call goes through.
func PlainBody(c bedrockruntime.HTTPClient) bedrockruntime.HTTPClient { return plainBody{c} }

// WithRequestBody marks ctx with the body an InvokeModel call sends.
var WithRequestBody = withRequestBody
