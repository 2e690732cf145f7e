package gateway_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// TestMalformed: a stand-in for a request that could not be parsed is
// answered 400 in OpenAI's error shape, and its log line names the method,
// path (bounded) and cause it came with.
func TestMalformed(t *testing.T) {
	t.Parallel()
	h, logs := newGateway(t, nil)
	long := "/v1/" + strings.Repeat("%zz", 1000)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(gateway.WithMalformed(r.Context(), gateway.Malformed{Method: "POST X", Path: long, Err: errors.New("invalid method")}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	resp := w.Result()
	if resp.StatusCode != 400 {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	if e := decodeError(t, resp); e.Code != "malformed_request" || e.Type != "invalid_request_error" || strings.Contains(e.Message, "invalid method") {
		t.Errorf("error = %+v", e)
	}
	lines := logs.lines(t, "request")
	if len(lines) != 1 {
		t.Fatalf("%d request lines, want 1", len(lines))
	}
	l := lines[0]
	path, _ := l["path"].(string)
	if l["method"] != "POST X" || !strings.HasPrefix(path, "/v1/%zz") || len(path) > 210 ||
		!strings.Contains(l["error"].(string), "invalid method") || l["status"] != float64(400) {
		t.Errorf("log line = %v", l)
	}
}
