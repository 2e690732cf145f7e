package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Malformed describes a request that could not be made into an
// http.Request as it came: a Lambda function URL event whose method or path
// net/http cannot parse.
type Malformed struct {
	Method, Path string // as they came, for the log line
	Err          error  // why they could not be parsed
}

var errMalformed = errors.New("malformed request")

type malformedKey struct{}

// WithMalformed returns ctx marked so that ServeHTTP answers its request, a
// stand-in for m, with a 400 and does nothing else. The stand-in gives the
// answer the same path as any other: the request log line (with m's
// method, path and cause), the metrics and the error shape.
func WithMalformed(ctx context.Context, m Malformed) context.Context {
	return context.WithValue(ctx, malformedKey{}, m)
}

// malformed answers a request marked by WithMalformed. It reports whether
// it answered.
func malformed(w http.ResponseWriter, r *http.Request, rec *Record) bool {
	m, ok := r.Context().Value(malformedKey{}).(Malformed)
	if !ok {
		return false
	}
	rec.Method, rec.Path = clip(m.Method), clip(m.Path)
	rec.Err = fmt.Errorf("%w: %w", errMalformed, m.Err)
	fail(w, rec, Invalid("", "malformed_request", "the request's method or path is malformed"))
	return true
}

// clip bounds a client's string for the log line.
func clip(s string) string {
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
