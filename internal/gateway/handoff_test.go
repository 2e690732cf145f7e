package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/quota"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// handoffGateway is a gateway that hands background answers off, as on
// Lambda: the handed-off events are kept for the test to run.
type handoffGateway struct {
	h    *gateway.Handler
	logs *logBuffer

	mu     sync.Mutex
	now    time.Time
	events []gateway.JobEvent
	fail   error
}

func newHandoffGateway(t *testing.T, mod func(*gateway.Config)) *handoffGateway {
	t.Helper()
	g := &handoffGateway{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	h, logs := newGateway(t, func(c *gateway.Config) {
		c.Streams = streambuf.NewMemory(streambuf.MemoryConfig{Clock: g})
		c.StreamWriter = streambuf.WriterConfig{FlushInterval: time.Millisecond}
		c.Auth = byHeader()
		c.Now = g.Now
		c.Handoff = func(_ context.Context, ev gateway.JobEvent) error {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.fail != nil {
				return g.fail
			}
			g.events = append(g.events, ev)
			return nil
		}
		if mod != nil {
			mod(c)
		}
	})
	g.h, g.logs = h.(*gateway.Handler), logs
	return g
}

func (g *handoffGateway) Now() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

func (g *handoffGateway) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (g *handoffGateway) advance(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now = g.now.Add(d)
}

// call serves one request from caller and decodes its JSON answer.
func (g *handoffGateway) call(t *testing.T, method, path, caller, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Caller", caller)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, req)
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s: %d %q: %v", method, path, rec.Code, rec.Body.String(), err)
	}
	return rec.Code, v
}

func (g *handoffGateway) handedOff(t *testing.T) gateway.JobEvent {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.events) != 1 {
		t.Fatalf("%d jobs handed off; want 1", len(g.events))
	}
	return g.events[0]
}

const backgroundBody = `{"model":"echo","background":true,"input":"hi"}`

func TestHandoffRunsOnceAsTheCaller(t *testing.T) {
	t.Parallel()
	g := newHandoffGateway(t, nil)
	status, accepted := g.call(t, "POST", "/v1/responses", "alice", backgroundBody)
	if status != 200 || accepted["status"] != "queued" {
		t.Fatalf("POST: %d %v", status, accepted)
	}
	id := accepted["id"].(string)
	ev := g.handedOff(t)
	if ev.Caller != "test:alice" || ev.ID != id || len(ev.Hash) != 64 {
		t.Fatalf("handed off %+v", ev)
	}
	if status, got := g.call(t, "GET", "/v1/responses/"+id, "alice", ""); status != 200 || got["status"] != "queued" {
		t.Fatalf("GET before the job ran: %d %v; want queued", status, got["status"])
	}
	for range 2 { // the second delivery runs nothing
		if err := g.h.RunJob(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	status, got := g.call(t, "GET", "/v1/responses/"+id, "alice", "")
	if status != 200 || got["status"] != "completed" || got["id"] != id {
		t.Fatalf("GET after the job: %d %v", status, got)
	}
	if status, _ := g.call(t, "GET", "/v1/responses/"+id, "bob", ""); status != 404 {
		t.Errorf("another caller read the background answer: %d", status)
	}
	if n := len(g.logs.lines(t, "background response ended")); n != 1 {
		t.Errorf("%d answers produced; want 1", n)
	}
	var job []map[string]any
	for _, l := range g.logs.lines(t, "request") {
		if l["path"] == "/v1/responses (background)" {
			job = append(job, l)
		}
	}
	if len(job) != 1 || job[0]["status"] != float64(200) || job[0]["outcome"] != "complete" || job[0]["model"] != "echo" {
		t.Errorf("the job's request lines %v; want one, 200 complete, by echo", job)
	}
	if warn := g.logs.lines(t, "background job ignored"); len(warn) != 1 || !strings.Contains(warn[0]["reason"].(string), "claimed already") {
		t.Errorf("the second delivery logged %v", warn)
	}
}

func TestHandoffCancelledBeforeItRuns(t *testing.T) {
	t.Parallel()
	g := newHandoffGateway(t, nil)
	_, accepted := g.call(t, "POST", "/v1/responses", "alice", backgroundBody)
	id := accepted["id"].(string)
	if status, _ := g.call(t, "POST", "/v1/responses/"+id+"/cancel", "alice", ""); status != 200 {
		t.Fatalf("cancel: %d", status)
	}
	if err := g.h.RunJob(context.Background(), g.handedOff(t)); err != nil {
		t.Fatal(err)
	}
	if _, got := g.call(t, "GET", "/v1/responses/"+id, "alice", ""); got["status"] != "cancelled" {
		t.Fatalf("GET: %v; want cancelled", got["status"])
	}
}

func TestHandoffNeverClaimedReadsFailed(t *testing.T) {
	t.Parallel()
	g := newHandoffGateway(t, nil)
	_, accepted := g.call(t, "POST", "/v1/responses", "alice", backgroundBody)
	id := accepted["id"].(string)
	g.advance(gateway.DefaultJobMaxAge + streambuf.DefaultGrace + time.Second)
	if _, got := g.call(t, "GET", "/v1/responses/"+id, "alice", ""); got["status"] != "failed" {
		t.Fatalf("GET of a job never claimed, past its age: %v; want failed", got["status"])
	}
	// The event arrives late: it runs nothing.
	if err := g.h.RunJob(context.Background(), g.handedOff(t)); err != nil {
		t.Fatal(err)
	}
	if n := len(g.logs.lines(t, "background response ended")); n != 0 {
		t.Errorf("a job past its age ran")
	}
}

func TestHandoffFailureIsNotAccepted(t *testing.T) {
	t.Parallel()
	g := newHandoffGateway(t, nil)
	g.fail = errors.New("AccessDeniedException: not authorized")
	status, e := g.call(t, "POST", "/v1/responses", "alice", backgroundBody)
	if errObj, _ := e["error"].(map[string]any); status != http.StatusServiceUnavailable || errObj["code"] != "background_unavailable" {
		t.Fatalf("POST: %d %v; want 503 background_unavailable", status, e)
	}
	line := g.logs.lines(t, "request")
	if len(line) != 1 || !strings.Contains(line[0]["error"].(string), "AccessDeniedException") {
		t.Errorf("log %v does not give the cause", line)
	}
}

func TestHandoffTooLarge(t *testing.T) {
	t.Parallel()
	g := newHandoffGateway(t, func(c *gateway.Config) { c.MaxBodyBytes = 1 << 20 })
	big := `{"model":"echo","background":true,"input":"` + strings.Repeat("a", streambuf.MaxItemBytes) + `"}`
	status, e := g.call(t, "POST", "/v1/responses", "alice", big)
	errObj, _ := e["error"].(map[string]any)
	if status != 400 || errObj["code"] != "background_too_large" || errObj["param"] != "background" ||
		!strings.Contains(errObj["message"].(string), "at most") {
		t.Fatalf("POST: %d %v; want 400 background_too_large naming the limit", status, e)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.events) != 0 {
		t.Errorf("a refused request was handed off")
	}
}

// TestHandoffBoundedByItsInvocation: the job's answer stops a margin
// before its own invocation's deadline, with the in-band error any answer
// cut by the deadline gets, and reads as ended, not as running.
func TestHandoffBoundedByItsInvocation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		g := newHandoffGateway(t, func(c *gateway.Config) {
			c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				if err := emit(chat.Delta{Text: "started "}); err != nil {
					return chat.Result{}, err
				}
				<-ctx.Done()
				return chat.Result{}, ctx.Err()
			})
		})
		_, accepted := g.call(t, "POST", "/v1/responses", "alice", backgroundBody)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		if err := g.h.RunJob(ctx, g.handedOff(t)); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != time.Minute-gateway.DefaultDeadlineMargin {
			t.Errorf("the job ran %v; want its invocation's minute less the margin", took)
		}
		_, got := g.call(t, "GET", "/v1/responses/"+accepted["id"].(string), "alice", "")
		if got["status"] == "completed" || got["status"] == "in_progress" || got["status"] == "queued" {
			t.Errorf("GET after the deadline: %v; want it ended short", got["status"])
		}
		ended := g.logs.lines(t, "background response ended")
		if len(ended) != 1 || ended[0]["outcome"] != "error" {
			t.Errorf("logged %v; want the answer ended in error", ended)
		}
	})
}

// TestHandoffHoldsTheSlotUntilTheJobEnds: the caller's concurrent-stream
// slot, taken at the POST, stays held while the job waits, and the job's
// invocation frees it however the job ends (here: cancelled before it
// ran).
func TestHandoffHoldsTheSlotUntilTheJobEnds(t *testing.T) {
	t.Parallel()
	lim := quota.New(quota.Config{Default: quota.Limits{ConcurrentStreams: 1},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, quota.NewMemoryStore(nil))
	g := newHandoffGateway(t, func(c *gateway.Config) { c.Limiter = app.Limiter(lim) })
	_, accepted := g.call(t, "POST", "/v1/responses", "alice", backgroundBody)
	if status, e := g.call(t, "POST", "/v1/responses", "alice", backgroundBody); status != http.StatusTooManyRequests {
		t.Fatalf("a second POST while the first job waits: %d %v; want 429", status, e)
	}
	g.call(t, "POST", "/v1/responses/"+accepted["id"].(string)+"/cancel", "alice", "")
	if err := g.h.RunJob(context.Background(), g.handedOff(t)); err != nil {
		t.Fatal(err)
	}
	if status, e := g.call(t, "POST", "/v1/responses", "alice", backgroundBody); status != 200 {
		t.Fatalf("a POST after the job ended: %d %v; want its slot back", status, e)
	}
}
