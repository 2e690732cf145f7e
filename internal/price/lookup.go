package price

import (
	"math"
	"slices"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Price is what one model costs on one route, in US dollars per million
// tokens. A negative cache price means that kind is not priced.
type Price struct {
	Input, Output, CacheRead, CacheWrite float64
	Row                                  *Row // the table row it came from
}

// geoPrefixes are the geographic cross-Region profile prefixes Bedrock
// uses (inference profile ids such as us.anthropic.…; AWS user guide,
// "Supported Regions and models for inference profiles").
var geoPrefixes = []string{"us", "eu", "apac", "jp", "au", "ca", "us-gov"}

// Call says how a model id reaches its model: the foundation model id, the
// route and the Region group that prices it.
type Call struct {
	Model, Route, Group string
}

// Route parses a model id as the gateway sends it to Bedrock: a foundation
// model id, a geographic or global. profile id, or their ARNs. region is
// the AWS Region the gateway calls from (AWS_REGION); its group (the part
// before the first dash: us, eu, ap, …) prices in-Region and global calls.
func Route(model, region string) Call {
	if i := strings.LastIndexByte(model, '/'); strings.HasPrefix(model, "arn:") && i >= 0 {
		if !strings.Contains(model, ":foundation-model/") && !strings.Contains(model, ":inference-profile/") {
			return Call{Model: model, Route: InRegion, Group: group(region)}
		}
		model = model[i+1:]
	}
	if m, ok := strings.CutPrefix(model, "global."); ok {
		return Call{Model: m, Route: Global, Group: group(region)}
	}
	if p, m, ok := strings.Cut(model, "."); ok && slices.Contains(geoPrefixes, p) {
		return Call{Model: m, Route: Geo, Group: p}
	}
	return Call{Model: model, Route: InRegion, Group: group(region)}
}

func group(region string) string {
	if strings.HasPrefix(region, "us-gov-") {
		return "us-gov"
	}
	g, _, _ := strings.Cut(region, "-")
	return g
}

// Lookup finds the price of model called from region. A row for the exact
// id (an application inference profile's ARN, say) wins; then the most
// specific row for the foundation model: its own route before "any", named
// Region groups before all groups. ok is false when nothing prices it.
func (t *Table) Lookup(model, region string) (p Price, ok bool) {
	c := Route(model, region)
	r, ok := best(t.rows[model], c)
	if !ok && c.Model != model {
		r, ok = best(t.rows[c.Model], c)
	}
	if !ok {
		return Price{}, false
	}
	return r.price(), true
}

func best(rs []Row, c Call) (*Row, bool) {
	var found *Row
	score := -1
	for i := range rs {
		r := &rs[i]
		s := 0
		switch {
		case r.Route == c.Route:
			s += 2
		case r.Route != Any:
			continue
		}
		if len(r.Regions) > 0 {
			if !slices.Contains(r.Regions, c.Group) {
				continue
			}
			s++
		}
		if s > score {
			found, score = r, s
		}
	}
	return found, found != nil
}

func (r *Row) price() Price {
	p := Price{Input: *r.Input, Output: *r.Output, CacheRead: -1, CacheWrite: -1, Row: r}
	if r.CacheRead != nil {
		p.CacheRead = *r.CacheRead
	}
	if r.CacheWrite != nil {
		p.CacheWrite = *r.CacheWrite
	}
	return p
}

// Cost is what an answer with usage u cost, in US dollars. ok is false
// when u holds tokens of a kind this price does not cover (cache tokens of
// a model priced without a cache): the cost is then unknown, never
// understated.
func (p Price) Cost(u chat.Usage) (usd float64, ok bool) {
	if (u.CacheReadTokens > 0 && p.CacheRead < 0) || (u.CacheWriteTokens > 0 && p.CacheWrite < 0) {
		return 0, false
	}
	micro := float64(u.PromptTokens)*p.Input + float64(u.CompletionTokens)*p.Output
	if u.CacheReadTokens > 0 {
		micro += float64(u.CacheReadTokens) * p.CacheRead
	}
	if u.CacheWriteTokens > 0 {
		micro += float64(u.CacheWriteTokens) * p.CacheWrite
	}
	return micro / 1e6, true
}

// MaxCost bounds what an answer can cost before it runs: promptTokens of
// input, each at the dearer of the input and cache-write prices, and up to
// maxTokens of output.
func (p Price) MaxCost(promptTokens, maxTokens int) float64 {
	in := max(p.Input, p.CacheWrite)
	return (float64(promptTokens)*in + float64(maxTokens)*p.Output) / 1e6
}

// Micros is usd in millionths of a dollar, rounded up, so that summing
// many small answers never undercounts spend.
func Micros(usd float64) int64 {
	return int64(math.Ceil(usd*1e6 - 1e-9))
}
