// Package otlptest is an OTLP/HTTP trace receiver for tests: it listens on
// 127.0.0.1, decodes each export request's protobuf with the OTLP
// project's own generated types (so the gateway's hand-written encoding is
// checked against the real schema), and keeps the spans.
package otlptest

import (
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Span is a received span with its attributes flattened.
type Span struct {
	Name         string
	Kind         tracepb.Span_SpanKind
	TraceID      string // hex
	TraceState   string
	SpanID       string // hex
	ParentSpanID string // hex; empty for a root span
	Attrs        map[string]any
	Events       []string
	Status       tracepb.Status_StatusCode
	Service      string // the resource's service.name
	Start, End   time.Time
}

// Receiver collects the spans exported to it.
type Receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	spans   []Span
	errs    []string
	headers []http.Header
	status  int // see SetStatus
}

// Start starts a receiver that stops when tb ends.
func Start(tb testing.TB) *Receiver {
	tb.Helper()
	r := &Receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.srv.Close)
	return r
}

// TracesURL is the full URL of the traces path, what
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or telemetry.Config.Endpoint)
// should name.
func (r *Receiver) TracesURL() string { return r.srv.URL + "/v1/traces" }

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		r.fail("unexpected request " + req.Method + " " + req.URL.Path + " " + req.Header.Get("Content-Type"))
		http.Error(w, "want POST /v1/traces application/x-protobuf", http.StatusBadRequest)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			r.fail("gzip: " + err.Error())
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	var in collectorpb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(b, &in)
	}
	if err == nil {
		err = known(in.ProtoReflect())
	}
	if err != nil {
		r.fail("decode: " + err.Error())
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	if r.status != 0 {
		r.mu.Unlock()
		http.Error(w, "refused by the test", r.status)
		return
	}
	for _, rs := range in.GetResourceSpans() {
		service, _ := value(attrs(rs.GetResource().GetAttributes())["service.name"]).(string)
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.spans = append(r.spans, convert(s, service))
			}
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *Receiver) fail(msg string) {
	r.mu.Lock()
	r.errs = append(r.errs, msg)
	r.mu.Unlock()
}

// Headers returns the headers of every export request received.
func (r *Receiver) Headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}

// SetStatus makes the receiver answer every later export with status
// (0: success again).
func (r *Receiver) SetStatus(status int) {
	r.mu.Lock()
	r.status = status
	r.mu.Unlock()
}

// Spans returns the spans received so far, and any request the receiver
// could not decode.
func (r *Receiver) Spans() ([]Span, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...), append([]string(nil), r.errs...)
}

// known fails on a field the schema does not have, at any depth: a
// field number the encoder got wrong would otherwise be kept silently as
// unknown.
func known(m protoreflect.Message) error {
	if u := m.GetUnknown(); len(u) > 0 {
		return fmt.Errorf("%s has %d bytes of unknown fields", m.Descriptor().FullName(), len(u))
	}
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len() && err == nil; i++ {
				err = known(v.List().Get(i).Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			err = known(v.Message())
		}
		return err == nil
	})
	return err
}

func convert(s *tracepb.Span, service string) Span {
	out := Span{
		Name: s.GetName(), Kind: s.GetKind(), Service: service,
		TraceID: hex.EncodeToString(s.GetTraceId()), TraceState: s.GetTraceState(), SpanID: hex.EncodeToString(s.GetSpanId()),
		ParentSpanID: hex.EncodeToString(s.GetParentSpanId()),
		Status:       s.GetStatus().GetCode(),
		Start:        time.Unix(0, int64(s.GetStartTimeUnixNano())), End: time.Unix(0, int64(s.GetEndTimeUnixNano())),
	}
	out.Attrs = map[string]any{}
	for k, v := range attrs(s.GetAttributes()) {
		out.Attrs[k] = value(v)
	}
	for _, e := range s.GetEvents() {
		out.Events = append(out.Events, e.GetName())
	}
	return out
}

func attrs(kvs []*commonpb.KeyValue) map[string]*commonpb.AnyValue {
	m := make(map[string]*commonpb.AnyValue, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = kv.GetValue()
	}
	return m
}

// value turns an attribute into string, int64, float64, bool or []any.
func value(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, value(e))
		}
		return out
	}
	return nil
}
