package gateway

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// continueInstruction follows the partial answer when an answer is
// continued on another model: not every model continues a prefilled
// assistant turn, so it is also asked in words.
const continueInstruction = "Your previous answer was cut off. Continue it exactly where it stopped, " +
	"without repeating any of it and without comment."

// run asks the request's model and, when it fails as the policy allows,
// the next model of the chain that can honour the request: before the
// first token any model of the chain, then the fallback model; after it
// (with Failover on, and text only so far) the next model of the chain,
// asked to continue the partial answer. onSwitch is told each new model's
// id before it emits anything. It returns the last model's result and
// error, and adds each model's usage to rec, failed or not: a model that
// read the prompt and then failed was billed for it.
func (h *Handler) run(ctx context.Context, req *chat.Request, rec *Record, emit chat.Emit, onSwitch func(id string)) (chat.Result, error) {
	emitted, textOnly := false, true
	var partial strings.Builder // the answer so far, while text only
	var call *telemetry.Call    // the model attempt being traced; nil: none
	counting := func(d chat.Delta) error {
		if d.Empty() {
			return nil
		}
		if !emitted {
			emitted = true
			rec.FirstToken = h.cfg.Now().Sub(rec.Start)
			call.FirstToken()
		}
		if d.Reasoning != "" || d.Thinking != nil || d.ToolCall != nil {
			textOnly = false
		}
		if textOnly && h.cfg.Failover {
			partial.WriteString(d.Text)
		}
		rec.Deltas++
		return emit(d)
	}
	res, err := h.ask(ctx, req, rec, "", counting, &call)
	if err != nil && !emitted && errors.Is(err, chat.ErrModelConfig) {
		h.modelConfigError(req.Model, err, rec)
	}
	tried := []string{req.Model}
	for err != nil && ctx.Err() == nil && h.cfg.Fallback != nil {
		reason, ok := h.cfg.Fallback(err)
		if !ok || (emitted && (!h.cfg.Failover || !textOnly)) {
			break
		}
		next := h.next(req, tried, emitted)
		if next == "" {
			break
		}
		from := tried[len(tried)-1]
		tried = append(tried, next)
		again := *req
		again.Model = next
		rec.Model = next
		if emitted {
			h.log.Warn("model failed mid-answer; continuing it on the next model",
				slog.String("request_id", rec.ID), slog.String("model", from),
				slog.String("failover", next), slog.String("reason", reason), slog.String("error", err.Error()))
			rec.Failovers++
			again.Messages = slices.Concat(req.Messages, []chat.Message{
				{Role: chat.RoleAssistant, Content: partial.String()},
				{Role: chat.RoleUser, Content: continueInstruction},
			})
		} else {
			h.log.Warn("model failed before its first token; falling back",
				slog.String("request_id", rec.ID), slog.String("model", from),
				slog.String("fallback", next), slog.String("reason", reason), slog.String("error", err.Error()))
			rec.Fallback = reason
		}
		onSwitch(next)
		res, err = h.ask(ctx, &again, rec, reason, counting, &call)
		if err != nil && !emitted && errors.Is(err, chat.ErrModelConfig) {
			h.modelConfigError(next, err, rec)
		}
	}
	return res, err
}

// next is the model to ask after the models tried have failed: the next
// one of the chain (after the requested model's place in it, if it has
// one) that can honour req, then, before the first token only, the
// fallback model; "" when none is left.
func (h *Handler) next(req *chat.Request, tried []string, emitted bool) string {
	chain := h.cfg.Chain
	if i := slices.Index(chain, req.Model); i >= 0 {
		chain = chain[i+1:]
	}
	for _, id := range chain {
		if !slices.Contains(tried, id) && h.serves(id, req) {
			return id
		}
	}
	fb := h.cfg.FallbackModel
	if emitted || fb == "" || slices.Contains(tried, fb) || !h.serves(fb, req) {
		return ""
	}
	return fb
}
