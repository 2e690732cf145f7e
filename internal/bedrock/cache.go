package bedrock

import (
	"slices"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Prompt caching. A client marks where the prompt may be cached with
// cache_control on a message part, a system part or a tool (chat.Message
// .Cache, chat.Tool.Cache); BEDROCK_PROMPT_CACHE=auto adds a point after
// the system prompt and after the tools. Each point becomes Claude's
// cache_control on InvokeModel, a cachePoint block on Nova's InvokeModel
// and on Converse, and reaches only a model whose card lists prompt
// caching: a model without it refuses a cache point, so for those the
// marks are dropped. Bedrock's prompt caching page: at most 4 points a
// request (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html).
const maxCachePoints = 4

// cachePoints returns req and p with the cache points model m may send:
// none for a model without caching; otherwise the client's, those of
// PromptCacheAuto, at most maxCachePoints (the system's and the tools'
// first, then the latest messages').
func (m *Model) cachePoints(req *chat.Request, p prompt) (*chat.Request, prompt) {
	card := CardOf(m.base)
	allowed := card != nil && card.Cache
	wants := p.systemCache || slices.ContainsFunc(req.Tools, func(t chat.Tool) bool { return t.Cache }) ||
		slices.ContainsFunc(p.turns, func(t chat.Message) bool { return t.Cache })
	if !wants && !(allowed && m.cfg.PromptCacheAuto) {
		return req, p
	}
	r := *req
	r.Tools = slices.Clone(req.Tools)
	p.turns = slices.Clone(p.turns)
	if !allowed {
		p.systemCache = false
		for i := range r.Tools {
			r.Tools[i].Cache = false
		}
		for i := range p.turns {
			p.turns[i].Cache = false
		}
		return &r, p
	}
	if m.cfg.PromptCacheAuto {
		p.systemCache = p.systemCache || p.system != ""
		if n := len(r.Tools); n > 0 {
			r.Tools[n-1].Cache = true
		}
	}
	left := maxCachePoints
	if p.systemCache {
		left--
	}
	for i := range r.Tools {
		if r.Tools[i].Cache {
			if left == 0 {
				r.Tools[i].Cache = false
				continue
			}
			left--
		}
	}
	for i := len(p.turns) - 1; i >= 0; i-- {
		if p.turns[i].Cache {
			if left == 0 {
				p.turns[i].Cache = false
				continue
			}
			left--
		}
	}
	return &r, p
}
