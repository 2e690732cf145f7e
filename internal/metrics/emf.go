package metrics

import (
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
)

// Metric names. The Terraform alarms and dashboard read these exact names.
const (
	MetricRequests         = "Requests"
	MetricErrors5xx        = "Errors5xx"
	MetricErrors4xx        = "Errors4xx"
	MetricTimeToFirstToken = "TimeToFirstToken"
	MetricDuration         = "Duration"
	MetricOutputTokens     = "OutputTokens"
	MetricFallbacks        = "Fallbacks"
	MetricFailovers        = "Failovers" // answers continued on another model after their first token
	MetricStreamErrors     = "StreamErrors"
	MetricAuthRefusals     = "AuthRefusals"
	MetricRateLimited      = "RateLimited"       // refused by a per-caller limit (429)
	MetricQuotaStoreErrors = "QuotaStoreErrors"  // the rate limit store failed
	MetricContentFiltered  = "ContentFiltered"   // ended with finish_reason content_filter (a guardrail)
	MetricModelConfigErrs  = "ModelConfigErrors" // the model could not answer as configured (retired, not found, not allowed)
	MetricCacheReadTokens  = "CacheReadTokens"   // prompt tokens read from the model's prompt cache
	MetricCacheWriteTokens = "CacheWriteTokens"  // prompt tokens written to it
	// MetricCostUSD is what a priced answer cost, in US dollars, under the
	// Model and CallerGroup dimensions (its own directive).
	MetricCostUSD = "CostUSD"
)

// Dimension names, and the values used when a request has no model or an
// unknown path.
const (
	DimModel = "Model"
	// DimCallerGroup is the caller's group (a key's name, a Cognito
	// group), for CostUSD only; NoGroup when the caller has none.
	DimCallerGroup = "CallerGroup"
	NoGroup        = "none"
	DimRoute       = "Route"
	NoModel        = "none"
	OtherRoute     = "other"
)

// EMF writes one CloudWatch Embedded Metric Format line per request. It is
// safe for concurrent use.
type EMF struct {
	w    io.Writer
	now  func() time.Time
	head []byte // `,"CloudWatchMetrics":[{"Namespace":…,"Dimensions":…,"Metrics":[`
	// costHead is the CostUSD directive: `,{"Namespace":…,"Dimensions":…,"Metrics":[…]}`
	costHead []byte

	mu   sync.Mutex // one Write per line, so lines never interleave
	pool sync.Pool  // of *[]byte
}

// Option configures an EMF.
type Option func(*EMF)

// WithTimeFunc sets the clock that stamps each line (default time.Now).
func WithTimeFunc(now func() time.Time) Option { return func(e *EMF) { e.now = now } }

// New returns an emitter writing to w (os.Stdout on Lambda, whose output
// becomes the function's log group) under namespace. The namespace is not
// checked here; ValidateNamespace does that.
func New(w io.Writer, namespace string, opts ...Option) *EMF {
	e := &EMF{w: w, now: time.Now}
	for _, o := range opts {
		o(e)
	}
	h := []byte(`,"CloudWatchMetrics":[{"Namespace":`)
	h = jsonstr.AppendString(h, namespace)
	h = append(h, `,"Dimensions":[[],["`+DimModel+`"],["`+DimRoute+`"]],"Metrics":[`...)
	e.head = h
	c := []byte(`,{"Namespace":`)
	c = jsonstr.AppendString(c, namespace)
	c = append(c, `,"Dimensions":[[],["`+DimModel+`"],["`+DimCallerGroup+`"]],"Metrics":[{"Name":"`+MetricCostUSD+`","Unit":"None"}]}`...)
	e.costHead = c
	e.pool.New = func() any { b := make([]byte, 0, 1024); return &b }
	return e
}

// metric is one value that applies to a request.
type metric struct {
	def   string // the MetricDefinition, preencoded
	name  string
	value float64
}

func def(name, unit string) string { return `{"Name":"` + name + `","Unit":"` + unit + `"}` }

var (
	defRequests     = def(MetricRequests, "Count")
	defErrors5xx    = def(MetricErrors5xx, "Count")
	defErrors4xx    = def(MetricErrors4xx, "Count")
	defTTFT         = def(MetricTimeToFirstToken, "Milliseconds")
	defDuration     = def(MetricDuration, "Milliseconds")
	defOutputTokens = def(MetricOutputTokens, "Count")
	defFallbacks    = def(MetricFallbacks, "Count")
	defFailovers    = def(MetricFailovers, "Count")
	defStreamErrors = def(MetricStreamErrors, "Count")
	defAuthRefusals = def(MetricAuthRefusals, "Count")
	defRateLimited  = def(MetricRateLimited, "Count")
	defQuotaErrors  = def(MetricQuotaStoreErrors, "Count")
	defFiltered     = def(MetricContentFiltered, "Count")
	defConfigErrors = def(MetricModelConfigErrs, "Count")
	defCacheRead    = def(MetricCacheReadTokens, "Count")
	defCacheWrite   = def(MetricCacheWriteTokens, "Count")
)

// Observe writes rec's line. Its signature matches gateway.Config.Observe.
// A failed write is dropped: the request has already been answered, and a
// process whose standard output fails has no better place to report it.
func (e *EMF) Observe(rec *gateway.Record) {
	var ms [15]metric
	m := classify(rec, ms[:0])

	bp := e.pool.Get().(*[]byte)
	b := e.encode((*bp)[:0], rec, m)
	e.mu.Lock()
	_, _ = e.w.Write(b)
	e.mu.Unlock()
	*bp = b
	e.pool.Put(bp)
}

// classify decides which metrics apply to rec; see doc.go for the rules.
func classify(rec *gateway.Record, m []metric) []metric {
	panicked := rec.Outcome == "panic"
	inBand := rec.Status > 0 && rec.Status < 400 && (rec.Outcome == "error" || panicked)
	server := rec.Status >= 500 || panicked || inBand
	client := !server && rec.Status >= 400 && rec.Status < 500

	m = append(m,
		metric{defRequests, MetricRequests, 1},
		metric{defErrors5xx, MetricErrors5xx, b2f(server)},
		metric{defErrors4xx, MetricErrors4xx, b2f(client)},
		metric{defDuration, MetricDuration, millis(rec.Duration)})
	if rec.FirstToken > 0 {
		m = append(m, metric{defTTFT, MetricTimeToFirstToken, millis(rec.FirstToken)})
	}
	if rec.Model != "" {
		m = append(m, metric{defOutputTokens, MetricOutputTokens, float64(rec.OutputTokens)})
	}
	if rec.Fallback != "" {
		m = append(m, metric{defFallbacks, MetricFallbacks, 1})
	}
	if rec.Failovers > 0 {
		m = append(m, metric{defFailovers, MetricFailovers, float64(rec.Failovers)})
	}
	if inBand {
		m = append(m, metric{defStreamErrors, MetricStreamErrors, 1})
	}
	if rec.AuthRefusal != "" {
		m = append(m, metric{defAuthRefusals, MetricAuthRefusals, 1})
	}
	if rec.RateLimited != "" {
		m = append(m, metric{defRateLimited, MetricRateLimited, 1})
	}
	if rec.QuotaStoreError {
		m = append(m, metric{defQuotaErrors, MetricQuotaStoreErrors, 1})
	}
	if rec.FinishReason == "content_filter" {
		m = append(m, metric{defFiltered, MetricContentFiltered, 1})
	}
	if rec.CacheReadTokens > 0 || rec.CacheWriteTokens > 0 {
		m = append(m, metric{defCacheRead, MetricCacheReadTokens, float64(rec.CacheReadTokens)},
			metric{defCacheWrite, MetricCacheWriteTokens, float64(rec.CacheWriteTokens)})
	}
	if rec.ModelConfigError != "" {
		m = append(m, metric{defConfigErrors, MetricModelConfigErrs, 1})
	}
	return m
}

func (e *EMF) encode(b []byte, rec *gateway.Record, m []metric) []byte {
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, e.now().UnixMilli(), 10)
	b = append(b, e.head...)
	for i, x := range m {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, x.def...)
	}
	b = append(b, `]}`...)
	priced := rec.Pricing == gateway.Priced
	if priced {
		b = append(b, e.costHead...)
	}
	b = append(b, `]}`...)

	model := rec.Model
	if model == "" {
		model = NoModel
	}
	// The gateway names the route it served; any other path counts as
	// "other", so a scanner probing random URLs cannot create a metric
	// per URL.
	route := rec.Route
	if route == "" {
		route = OtherRoute
	}
	b = appendMember(b, DimModel, model)
	b = appendMember(b, DimRoute, route)
	for _, x := range m {
		b = append(b, `,"`...)
		b = append(b, x.name...)
		b = append(b, `":`...)
		b = strconv.AppendFloat(b, x.value, 'f', -1, 64)
	}

	if priced {
		group := rec.CallerGroup
		if group == "" {
			group = NoGroup
		}
		b = appendMember(b, DimCallerGroup, group)
		b = append(b, `,"`+MetricCostUSD+`":`...)
		b = strconv.AppendFloat(b, rec.CostUSD, 'f', -1, 64)
	} else if rec.Pricing == gateway.Unpriced {
		b = appendMember(b, "cost_usd", "unknown")
	}

	// Context for Logs Insights; not metrics, so they cost nothing in
	// CloudWatch and may have any cardinality.
	b = appendMember(b, "request_id", rec.ID)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(rec.Status), 10)
	b = appendMember(b, "outcome", rec.Outcome)
	for _, p := range [...]struct{ k, v string }{
		{"fallback_reason", rec.Fallback}, {"auth_refusal", rec.AuthRefusal}, {"error_code", rec.ErrorCode},
		{"rate_limited", rec.RateLimited}, {"finish_reason", rec.FinishReason},
	} {
		if p.v != "" {
			b = appendMember(b, p.k, p.v)
		}
	}
	return append(b, "}\n"...)
}

func appendMember(b []byte, key, value string) []byte {
	b = append(b, `,"`...)
	b = append(b, key...)
	b = append(b, `":`...)
	return jsonstr.AppendString(b, value)
}

func b2f(v bool) float64 {
	if v {
		return 1
	}
	return 0
}

// millis keeps microsecond precision, as the request log line does.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
