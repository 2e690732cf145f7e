package chat

// bytesPerToken is the estimate's ratio of text to tokens. Tokenizers of
// the Bedrock families average about four bytes of English per token;
// other text (code, other scripts) has more tokens per byte, so the
// estimate errs low there, never to zero.
const bytesPerToken = 4

// imageTokens is the estimate for one image: about what Claude counts for
// an image at the largest size it takes without scaling it down
// ("~1,600 tokens", https://docs.claude.com/en/docs/vision, "Evaluate
// image size"). The bytes of an image say little about its pixels, so
// every image counts the same.
const imageTokens = 1600

// EstimatePromptTokens is what the gateway charges for a prompt whose
// tokens no model reported (an answer that failed before the model said):
// the bytes of the request's text divided by four, rounded up, plus 1,600
// tokens per image; at least 1. The text is every message's content (its
// text parts), tool calls' names and arguments, the reasoning sent back,
// and each tool's name, description and schema.
func (r *Request) EstimatePromptTokens() int {
	n, images := 0, 0
	for i := range r.Messages {
		m := &r.Messages[i]
		n += len(m.Content)
		for _, p := range m.Parts {
			if p.Image != nil {
				images++
			}
		}
		for _, c := range m.ToolCalls {
			n += len(c.Name) + len(c.Arguments)
		}
		for _, b := range m.Thinking {
			n += len(b.Text) + len(b.Redacted)
		}
	}
	for _, t := range r.Tools {
		n += len(t.Name) + len(t.Description) + len(t.Parameters)
	}
	return max(1, (n+bytesPerToken-1)/bytesPerToken+images*imageTokens)
}
