package fakebedrock

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

// The ConverseStream operation: POST /model/{modelId}/converse-stream with
// a restJson1 body, answered with eventstream frames whose :event-type is
// the ConverseStreamOutput union member (messageStart, contentBlockStart,
// contentBlockDelta, contentBlockStop, messageStop, metadata) and whose
// payload is that member's JSON, as the SDK's restJson1 event codec reads
// them (smithy-go internal/eventstream.Codec; member names from the
// service model in bedrockruntime/schemas). Exceptions travel as for
// InvokeModel. Any model id is served; what it takes (images, cache
// points) is what the gateway's model table says, an assumption the fake
// shares with the code under test.

// converseStops are the stop reasons of ConverseStream (types.StopReason).
var converseStops = map[string]string{
	"stop": "end_turn", "length": "max_tokens", "content_filter": "content_filtered", "tool_calls": "tool_use",
}

// converseTokens is the number of tokens the fake says a cached prefix is.
const converseTokens = 1500

func (h *Handler) converse(w http.ResponseWriter, r *http.Request) {
	body, modelID, s, ok := h.receive(w, r)
	if !ok {
		return
	}
	if s.Status != 0 {
		writeError(w, s.Status, s.ErrorType, s.Message)
		return
	}
	model := h.routed(modelID)
	card := bedrock.CardOf(model)
	p, msg := parseConverse(body, card != nil && card.Caps.Images, card != nil && card.Cache)
	if msg == "" && strings.HasPrefix(bedrock.BaseModelID(model), "deepseek.r1") {
		p.convo.thinking = true // R1 always reasons
	}
	if msg == "" {
		msg = p.convo.check()
	}
	if msg != "" {
		writeError(w, http.StatusBadRequest, "ValidationException", string(msg))
		return
	}
	if p.maxTokens > 0 && s.count() > p.maxTokens {
		s.Tokens, s.Finish = p.maxTokens, "length"
		if len(s.Words) > 0 {
			s.Words = s.Words[:p.maxTokens]
		}
	}
	iv, gmsg := h.guardWith(p.guardrail.id, p.guardrail.version, p.guardrail.trace == "enabled", body, s)
	if gmsg != "" {
		writeError(w, http.StatusBadRequest, "ValidationException", gmsg)
		return
	}
	u := usage{prompt: s.PromptTokens}
	if u.prompt == 0 {
		u.prompt = 11
	}
	var cache cacheUse
	if p.cachePoint {
		cache = h.cacheUse(modelID, p.prefix)
	}
	h.converseStream(w, r, s, p.convo.plan(), p.signed, iv, u, cache)
}

// authorized checks the SigV4 Authorization header, as for InvokeModel.
// receive checks a call's signature, reads its body and takes the
// scenario that answers it, for either operation; ok is false when the
// call has been refused already.
func (h *Handler) receive(w http.ResponseWriter, r *http.Request) (body []byte, modelID string, s Scenario, ok bool) {
	if !h.authorized(w, r) {
		return nil, "", Scenario{}, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, "", Scenario{}, false
	}
	modelID = r.PathValue("modelId")
	s = h.next(Request{ModelID: modelID, Body: body, Header: r.Header.Clone()})
	if len(body) > maxBody {
		writeError(w, http.StatusBadRequest, "ValidationException", "Input is too long for requested model.")
		return nil, "", Scenario{}, false
	}
	return body, modelID, s, true
}

func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.noAuth {
		return true
	}
	switch auth := r.Header.Get("Authorization"); {
	case auth == "":
		writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return false
	case !sigV4.MatchString(auth) || r.Header.Get("X-Amz-Date") == "":
		writeError(w, http.StatusForbidden, "InvalidSignatureException", "The request signature is malformed.")
		return false
	}
	return true
}

// cacheUse is what a call read from and wrote to the prompt cache.
type cacheUse struct{ read, write int }

// cacheUse reports a cache write the first time a model sees a cached
// prefix, and a read after that.
func (h *Handler) cacheUse(modelID, prefix string) cacheUse {
	sum := sha256.Sum256([]byte(modelID + "\x00" + prefix))
	key := hex.EncodeToString(sum[:])
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cached == nil {
		h.cached = map[string]bool{}
	}
	if h.cached[key] {
		return cacheUse{read: converseTokens}
	}
	h.cached[key] = true
	return cacheUse{write: converseTokens}
}

// converseStream writes the events of the answer: the plan's reasoning
// (signed), then its preface and the scenario's words, or its tool call,
// with the scenario's pace and faults.
func (h *Handler) converseStream(w http.ResponseWriter, r *http.Request, s Scenario, p plan, signed bool, iv intervention, u usage, cache cacheUse) {
	ctx := r.Context()
	fw, done := h.open(w)
	defer done()
	if s.Hang {
		<-ctx.Done()
		return
	}
	if !pause(ctx, s.Delay) {
		return
	}
	send := func(event string, v any) bool { return fw.event(event, mustJSON(v)) == nil }
	if !send("messageStart", map[string]any{"role": "assistant"}) {
		return
	}
	index := 0
	if p.reasoning != nil {
		for _, t := range p.reasoning {
			if !send("contentBlockDelta", map[string]any{"contentBlockIndex": index, "delta": map[string]any{"reasoningContent": map[string]any{"text": t}}}) {
				return
			}
		}
		if signed {
			sig := signature(strings.Join(p.reasoning, ""))
			if !send("contentBlockDelta", map[string]any{"contentBlockIndex": index, "delta": map[string]any{"reasoningContent": map[string]any{"signature": sig}}}) {
				return
			}
		}
		if !send("contentBlockStop", map[string]any{"contentBlockIndex": index}) {
			return
		}
		index++
	}
	stop := converseStops[s.Finish]
	if stop == "" {
		stop = "end_turn"
	}
	if p.call != nil {
		start := map[string]any{"toolUse": map[string]any{"toolUseId": "tooluse_fake1", "name": p.call.name}}
		if !send("contentBlockStart", map[string]any{"contentBlockIndex": index, "start": start}) {
			return
		}
		for _, half := range halves(p.call.args) {
			if !send("contentBlockDelta", map[string]any{"contentBlockIndex": index, "delta": map[string]any{"toolUse": map[string]any{"input": half}}}) {
				return
			}
		}
		stop = "tool_use"
	} else {
		var words []string
		offset := 0 // the preface is no word of the scenario's: faults count those
		if p.preface != "" {
			words, offset = append(words, p.preface), 1
		}
		for i := range s.count() {
			words = append(words, s.word(i, h.now))
		}
		u.completion = len(words)
	loop:
		for i := 0; i <= len(words); i++ {
			switch at := i - offset; {
			case at < 0:
			case s.Cut && at == s.CutAfter:
				cut(fw.rc)
				return
			case s.Stall && at == s.StallAfter:
				<-ctx.Done()
				return
			case s.HugeFrame > 0 && at == s.HugeFrameAfter:
				if fw.prelude(s.HugeFrame) == nil {
					<-ctx.Done()
				}
				return
			case s.Exception != "" && at == s.ExceptionAfter:
				_ = fw.exception(s.Exception, s.Message)
				return
			case iv.on && at == iv.at:
				if !send("contentBlockDelta", map[string]any{"contentBlockIndex": index, "delta": map[string]any{"text": iv.message}}) {
					return
				}
				stop = "guardrail_intervened"
				break loop
			}
			if i == len(words) {
				break
			}
			if i > 0 && !pause(ctx, s.Interval) {
				return
			}
			if !send("contentBlockDelta", map[string]any{"contentBlockIndex": index, "delta": map[string]any{"text": words[i]}}) {
				return
			}
		}
	}
	if !send("contentBlockStop", map[string]any{"contentBlockIndex": index}) ||
		!send("messageStop", map[string]any{"stopReason": stop}) {
		return
	}
	if p.reasoning != nil {
		u.completion += len(p.reasoning)
	}
	tokens := map[string]any{"inputTokens": u.prompt, "outputTokens": u.completion,
		"totalTokens": u.prompt + u.completion + cache.read + cache.write}
	if cache.read > 0 {
		tokens["cacheReadInputTokens"] = cache.read
	}
	if cache.write > 0 {
		tokens["cacheWriteInputTokens"] = cache.write
	}
	meta := map[string]any{"usage": tokens, "metrics": map[string]any{"latencyMs": 42}}
	if iv.on && iv.trace {
		meta["trace"] = map[string]any{"guardrail": map[string]any{"actionReason": "Guardrail blocked."}}
	}
	send("metadata", meta)
}

// event writes one ConverseStream event frame.
func (fw *frameWriter) event(eventType string, payload []byte) error {
	var msg eventstream.Message
	msg.Headers.Set(":event-type", eventstream.StringValue(eventType))
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Headers.Set(":message-type", eventstream.StringValue("event"))
	msg.Payload = payload
	return fw.write(msg)
}
