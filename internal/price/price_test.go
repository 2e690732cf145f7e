package price_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/price"
)

// cachedAnswer is a Claude answer that read a cached prefix and wrote a
// new one.
var cachedAnswer = chat.Usage{PromptTokens: 1000, CompletionTokens: 500, CacheReadTokens: 20000, CacheWriteTokens: 3000}

func TestCostOfACachedClaudeAnswerByRoute(t *testing.T) {
	t.Parallel()
	tab := price.Default()
	for _, tc := range []struct {
		name, model, region string
		// want is the table's figures worked by hand: tokens × dollars
		// per million, summed over input, output, cache read, cache write.
		want float64
	}{
		{name: "global profile", model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", region: "us-east-1",
			want: (1000*3 + 500*15 + 20000*0.30 + 3000*3.75) / 1e6},
		{name: "geographic profile", model: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", region: "eu-west-1",
			want: (1000*3.30 + 500*16.50 + 20000*0.33 + 3000*4.125) / 1e6},
		{name: "in-Region", model: "anthropic.claude-sonnet-4-5-20250929-v1:0", region: "us-west-2",
			want: (1000*3.30 + 500*16.50 + 20000*0.33 + 3000*4.125) / 1e6},
		{name: "profile ARN", model: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0",
			region: "us-east-1", want: (1000*1 + 500*5 + 20000*0.10 + 3000*1.25) / 1e6},
		{name: "older model, one price for every route", model: "us.anthropic.claude-sonnet-4-20250514-v1:0", region: "us-east-1",
			want: (1000*3 + 500*15 + 20000*0.30 + 3000*3.75) / 1e6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, ok := tab.Lookup(tc.model, tc.region)
			if !ok {
				t.Fatalf("Lookup(%q): no price", tc.model)
			}
			got, ok := p.Cost(cachedAnswer)
			if !ok || math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Cost = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
}

func TestUnpricedIsUnknownNotZero(t *testing.T) {
	t.Parallel()
	tab := price.Default()
	for _, tc := range []struct{ name, model, region string }{
		{name: "model not in the table", model: "cohere.command-r-v1:0", region: "us-east-1"},
		{name: "Region group the row does not cover", model: "amazon.nova-pro-v1:0", region: "eu-west-1"},
		{name: "application inference profile", model: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123", region: "us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if p, ok := tab.Lookup(tc.model, tc.region); ok {
				t.Errorf("Lookup(%q, %q) = %+v; want no price", tc.model, tc.region, p)
			}
		})
	}
	// A model priced without a cache cannot price cache tokens.
	p, ok := tab.Lookup("anthropic.claude-3-haiku-20240307-v1:0", "us-east-1")
	if !ok {
		t.Fatal("Claude 3 Haiku: no price")
	}
	if got, ok := p.Cost(chat.Usage{PromptTokens: 10, CacheReadTokens: 5}); ok {
		t.Errorf("cache tokens without a cache price: cost %v, ok; want unknown", got)
	}
	if got, ok := p.Cost(chat.Usage{PromptTokens: 10, CompletionTokens: 4}); !ok || got <= 0 {
		t.Errorf("plain tokens: cost %v, %v; want a positive price", got, ok)
	}
}

func TestElizaIsFreeByItsOwnRow(t *testing.T) {
	t.Parallel()
	p, ok := price.Default().Lookup("eliza", "")
	if !ok || p.Row == nil || !strings.Contains(p.Row.Source, "eliza") {
		t.Fatalf("eliza: %+v, %v; want its own row", p, ok)
	}
	if got, ok := p.Cost(chat.Usage{PromptTokens: 100, CompletionTokens: 100}); !ok || got != 0 {
		t.Errorf("eliza cost %v, %v", got, ok)
	}
}

func TestEveryBuiltInRowNamesSourceAndDate(t *testing.T) {
	t.Parallel()
	rows := price.Default().Rows()
	if len(rows) < 20 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Source == "" || r.Date == "" || (!r.Confirmed && r.Note == "") {
			t.Errorf("%s %s: source %q date %q confirmed %v note %q: an unconfirmed row must say why",
				r.Model, r.Route, r.Source, r.Date, r.Confirmed, r.Note)
		}
	}
}

func TestPricesFileExtendsAndReplaces(t *testing.T) {
	t.Parallel()
	ext, err := price.Default().With([]byte(`{"rows":[
		{"model":"cohere.command-r-v1:0","route":"any","input":0.5,"output":1.5,"source":"our contract","date":"2026-12-01"},
		{"model":"anthropic.claude-sonnet-4-5-20250929-v1:0","route":"global","input":2,"output":10,"cache_read":0.2,"cache_write":2.5,"source":"our contract","date":"2026-12-01"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := ext.Lookup("cohere.command-r-v1:0", "us-east-1"); !ok || p.Input != 0.5 {
		t.Errorf("added row: %+v, %v", p, ok)
	}
	if p, ok := ext.Lookup("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1"); !ok || p.Input != 2 {
		t.Errorf("overridden row: %+v, %v", p, ok)
	}
	if p, ok := ext.Lookup("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1"); !ok || p.Input != 3.30 {
		t.Errorf("row not in the file stays: %+v, %v", p, ok)
	}
	rep, err := price.Default().With([]byte(`{"replace":true,"rows":[
		{"model":"cohere.command-r-v1:0","route":"any","input":0.5,"output":1.5,"source":"our contract","date":"2026-12-01"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rep.Lookup("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1"); ok {
		t.Error("replace kept a built-in row")
	}
}

func TestPricesFileErrorsNameTheRow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{name: "not JSON", file: `{`, want: []string{"unexpected EOF"}},
		{name: "unknown field", file: `{"rows":[{"model":"m","route":"any","input":1,"output":1,"source":"s","date":"2026-01-01","cost":3}]}`,
			want: []string{`unknown field "cost"`}},
		{name: "no rows", file: `{"rows":[]}`, want: []string{"no rows"}},
		{name: "every problem of every row", file: `{"rows":[
			{"model":"ok","route":"any","input":1,"output":1,"source":"s","date":"2026-01-01"},
			{"model":"a","route":"nearby","output":-1,"source":"","date":"yesterday"},
			{"model":"ok","route":"any","input":2,"output":2,"source":"s","date":"2026-01-01"}]}`,
			want: []string{"row 2 (a nearby)", `route "nearby"`, "input: required", "output -1", "source: required", `date "yesterday"`,
				"row 3 (ok any): prices the same model, route and Regions as row 1"}},
		{name: "overlapping Region groups", file: `{"rows":[
			{"model":"m","route":"any","regions":["us","eu"],"input":1,"output":1,"source":"s","date":"2026-01-01"},
			{"model":"m","route":"any","regions":["eu"],"input":1,"output":1,"source":"s","date":"2026-01-01"}]}`,
			want: []string{"model m: two rows for route any"}},
		{name: "wrong unit", file: `{"unit":"USD per 1K tokens","rows":[]}`, want: []string{"unit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := price.Default().With([]byte(tc.file))
			if !errors.Is(err, price.ErrInvalid) {
				t.Fatalf("err = %v; want ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestRoute(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		model, region string
		want          price.Call
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "us-west-2", price.Call{Model: "anthropic.claude-3-5-haiku-20241022-v1:0", Route: price.InRegion, Group: "us"}},
		{"global.amazon.nova-lite-v1:0", "eu-central-1", price.Call{Model: "amazon.nova-lite-v1:0", Route: price.Global, Group: "eu"}},
		{"apac.amazon.nova-lite-v1:0", "ap-northeast-1", price.Call{Model: "amazon.nova-lite-v1:0", Route: price.Geo, Group: "apac"}},
		{"us-gov.meta.llama3-1-8b-instruct-v1:0", "us-gov-west-1", price.Call{Model: "meta.llama3-1-8b-instruct-v1:0", Route: price.Geo, Group: "us-gov"}},
		{"arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0", "eu-west-1", price.Call{Model: "amazon.nova-pro-v1:0", Route: price.InRegion, Group: "eu"}},
	} {
		if got := price.Route(tc.model, tc.region); got != tc.want {
			t.Errorf("Route(%q, %q) = %+v; want %+v", tc.model, tc.region, got, tc.want)
		}
	}
}

func TestMaxCostBoundsTheAnswer(t *testing.T) {
	t.Parallel()
	p, _ := price.Default().Lookup("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "us-east-1")
	// Every prompt token could be a cache write, the dearest input.
	if got, want := p.MaxCost(1000, 100), (1000*3.75+100*15)/1e6; math.Abs(got-want) > 1e-12 {
		t.Errorf("MaxCost = %v; want %v", got, want)
	}
	worst, _ := p.Cost(chat.Usage{CacheWriteTokens: 1000, CompletionTokens: 100})
	if worst > p.MaxCost(1000, 100) {
		t.Errorf("an answer cost %v, above its bound %v", worst, p.MaxCost(1000, 100))
	}
}

func TestMicrosRoundsUp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		usd  float64
		want int64
	}{{0, 0}, {0.000001, 1}, {0.0000001, 1}, {0.02775, 27750}, {1, 1_000_000}} {
		if got := price.Micros(tc.usd); got != tc.want {
			t.Errorf("Micros(%v) = %d; want %d", tc.usd, got, tc.want)
		}
	}
}
