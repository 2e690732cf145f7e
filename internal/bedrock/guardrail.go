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
func noteGuardrail(payload []byte, st *streamState) {
	if !bytes.Contains(payload, []byte(guardrailActionKey)) {
		return
	}
	var c struct {
		Action string `json:"amazon-bedrock-guardrailAction"`
	}
	if json.Unmarshal(payload, &c) == nil && c.Action == "INTERVENED" {
		st.intervened, st.ended = true, true
	}
}
