package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// TestDeadlineMarginAsConfigured: DEADLINE_MARGIN reaches the model's
// deadline as set, 0 included (no margin: the answer may run to the
// invocation's deadline).
func TestDeadlineMarginAsConfigured(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		want  time.Duration
	}{
		{value: "0", want: 0},
		{value: "0s", want: 0},
		{value: "750ms", want: 750 * time.Millisecond},
		{value: "", want: gateway.DefaultDeadlineMargin},
	} {
		got := make(chan time.Time, 1)
		probe := gateway.ModelEntry{ID: "probe", OwnedBy: "test", Model: chat.ModelFunc(
			func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				dl, _ := ctx.Deadline()
				got <- dl
				return chat.Result{}, emit(chat.Delta{Text: "ok"})
			})}
		env := map[string]string{}
		if tt.value != "" {
			env["DEADLINE_MARGIN"] = tt.value
		}
		h, err := build(t, env, false, app.WithModels(probe))
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Hour)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		body := `{"model":"probe","messages":[{"role":"user","content":"hi"}]}`
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:8080/v1/chat/completions", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		cancel()
		if w.Code != http.StatusOK {
			t.Fatalf("DEADLINE_MARGIN=%q: status %d: %s", tt.value, w.Code, w.Body)
		}
		if dl := <-got; deadline.Sub(dl) != tt.want {
			t.Errorf("DEADLINE_MARGIN=%q: the model stops %v before the deadline, want %v", tt.value, deadline.Sub(dl), tt.want)
		}
	}
}
