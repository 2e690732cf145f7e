package bedrock

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// guardrailActionKey is the member Bedrock adds to a model's response
// when a guardrail is applied: "INTERVENED" or "NONE". In a stream it
// travels inside a chunk's model-native JSON, beside the invocation
// metrics.
const guardrailActionKey = `"amazon-bedrock-guardrailAction"`

// withGuardrail names the configured guardrail, if any, on a call.
func (m *Model) withGuardrail(in *bedrockruntime.InvokeModelWithResponseStreamInput) {
	if m.cfg.GuardrailID == "" {
		return
	}
	in.GuardrailIdentifier = aws.String(m.cfg.GuardrailID)
	in.GuardrailVersion = aws.String(m.cfg.GuardrailVersion)
	if m.cfg.GuardrailTrace {
		in.Trace = types.TraceEnabled
	}
}

// noteGuardrail marks st when the chunk says a guardrail intervened. The
// guardrail's own message arrives as the answer's text; what it cut ends
// the answer, which then counts as complete (a guardrail ends a stream
// without the model's usual last chunk). Most chunks do not mention a
// guardrail, and cost only a byte search.
//
// The verdict is read wherever it has been seen: at the chunk's top level
// (langchain-aws), on Claude's message_stop chunk, nested in
// message_start's message (Bifrost's Anthropic stream test), and, by the
// same logic, in Claude's message_delta delta, Nova's messageStop and the
// invocation metrics beside which Bedrock adds it. AWS's guardrail test
// page says only that the trace comes with the last chunk.
func noteGuardrail(payload []byte, st *streamState) {
	if !bytes.Contains(payload, []byte(guardrailActionKey)) {
		return
	}
	type verdict struct {
		Action string `json:"amazon-bedrock-guardrailAction"`
	}
	var c struct {
		verdict
		Message     verdict `json:"message"`
		Delta       verdict `json:"delta"`
		MessageStop verdict `json:"messageStop"`
		Metrics     verdict `json:"amazon-bedrock-invocationMetrics"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return
	}
	for _, v := range [...]verdict{c.verdict, c.Message, c.Delta, c.MessageStop, c.Metrics} {
		if v.Action == "INTERVENED" {
			st.intervened, st.ended = true, true
			return
		}
	}
}
