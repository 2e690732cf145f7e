package bedrock

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// converseAttempt makes one ConverseStream call and relays its events, with
// the same first-token timer and idle watch as the InvokeModel path.
// emitted reports whether emit was called, after which the call must not
// be repeated.
func (m *Model) converseAttempt(ctx context.Context, in *bedrockruntime.ConverseStreamInput, emit chat.Emit, timer *time.Timer) (res chat.Result, emitted bool, err error) {
	out, err := m.client.ConverseStream(ctx, in, ownProtocol)
	if err != nil {
		return chat.Result{}, false, err
	}
	stream := out.GetStream()
	defer stream.Close() // closes the response body: the upstream is told
	defer context.AfterFunc(ctx, func() { _ = stream.Close() })()
	events := stream.Events()
	// thought counts the pieces of reasoning: Converse's usage has no
	// reasoning count, so the pieces stand in for it, as the gateway
	// counts pieces of text where a model reports no usage.
	thought := 0
	counted := func(d chat.Delta) error {
		if d.Reasoning != "" {
			thought++
		}
		return emit(d)
	}
	r := &attemptRelay{ctx: ctx, timer: timer, emit: counted, timeout: m.idleTimeout(), onIdle: func() { _ = stream.Close() }}
	defer r.stop()
	send := r.send
	var st streamState
	result := func() chat.Result {
		res := st.result()
		if res.Usage.ReasoningTokens == 0 {
			res.Usage.ReasoningTokens = thought
		}
		return res
	}
	for {
		r.waiting()
		ev, ok := <-events
		r.busy()
		if !ok {
			return result(), r.emitted, r.end(stream.Err(), st.ended)
		}
		if err := decodeConverse(ev, &st, send); err != nil {
			return result(), r.emitted, err
		}
	}
}

// decodeConverse turns one ConverseStream event into deltas and updates
// st. Union members this SDK version does not know are skipped.
func decodeConverse(ev types.ConverseStreamOutput, st *streamState, out emitter) error {
	switch e := ev.(type) {
	case *types.ConverseStreamOutputMemberContentBlockStart:
		if t, ok := e.Value.Start.(*types.ContentBlockStartMemberToolUse); ok {
			i, _ := st.toolCall(int(deref(e.Value.ContentBlockIndex)))
			return out(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: i, ID: deref(t.Value.ToolUseId), Name: deref(t.Value.Name)}})
		}
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		switch d := e.Value.Delta.(type) {
		case *types.ContentBlockDeltaMemberText:
			return st.text(d.Value, out)
		case *types.ContentBlockDeltaMemberToolUse:
			if i, ok := st.tools[int(deref(e.Value.ContentBlockIndex))]; ok && deref(d.Value.Input) != "" {
				return out(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: i, Arguments: *d.Value.Input}})
			}
		case *types.ContentBlockDeltaMemberReasoningContent:
			switch r := d.Value.(type) {
			case *types.ReasoningContentBlockDeltaMemberText:
				if r.Value != "" {
					return out(chat.Delta{Reasoning: r.Value})
				}
			case *types.ReasoningContentBlockDeltaMemberSignature:
				return out(chat.Delta{Thinking: &chat.ThinkingBlock{Signature: r.Value}})
			case *types.ReasoningContentBlockDeltaMemberRedactedContent:
				return out(chat.Delta{Thinking: &chat.ThinkingBlock{Redacted: base64.StdEncoding.EncodeToString(r.Value)}})
			}
		}
	case *types.ConverseStreamOutputMemberMessageStop:
		st.stop(string(e.Value.StopReason))
		st.ended = true
	case *types.ConverseStreamOutputMemberMetadata:
		if u := e.Value.Usage; u != nil {
			// inputTokens leaves out what was read from or written to the
			// cache, and chat.Usage counts those apart too.
			st.usage.PromptTokens = int(deref(u.InputTokens))
			st.usage.CompletionTokens = int(deref(u.OutputTokens))
			st.usage.CacheReadTokens = int(deref(u.CacheReadInputTokens))
			st.usage.CacheWriteTokens = int(deref(u.CacheWriteInputTokens))
		}
	}
	return nil
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
