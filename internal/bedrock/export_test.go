package bedrock

import (
	"io"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// DecodeChunks runs family f's decoder over payloads in order, as Stream
// does, and returns the text, the result and whether the stream had ended.
func DecodeChunks(f Family, payloads [][]byte) (text string, res chat.Result, ended bool, err error) {
	dec := decoderFor(f)
	var st streamState
	for _, p := range payloads {
		t, err := dec(p, &st)
		if err != nil {
			return text, st.result(), st.ended, err
		}
		text += t
	}
	return text, st.result(), st.ended, nil
}

// DecodeChunk decodes one payload with a fresh state.
func DecodeChunk(f Family, payload []byte) (string, chat.Result, error) {
	var st streamState
	t, err := decoderFor(f)(payload, &st)
	return t, st.result(), err
}

// EscapeLlamaText and EscapeMistralText are what the Llama and Mistral
// prompt builders do to conversation text.
func EscapeLlamaText(s string) string   { return llamaMarkers.escape(s) }
func EscapeMistralText(s string) string { return mistralMarkers.escape(s) }

// LimitFrames wraps an eventstream body as the client's transport does.
func LimitFrames(r io.ReadCloser) io.ReadCloser { return &frameLimit{ReadCloser: r} }
