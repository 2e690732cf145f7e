package main_test

import (
	"encoding/json"
	"maps"
	"strconv"

	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// lambdaBackground is the built binary on the fake Runtime API, its stream
// and quota tables on dynalite, its Invoke calls to fakeLambda.
type lambdaBackground struct {
	*wire
	lambda *fakeLambda
}

func newLambdaBackground(t *testing.T, extra map[string]string) *lambdaBackground {
	t.Helper()
	env, issuer := lambdaBackgroundEnv(t)
	maps.Copy(env, extra)
	return startLambdaBackground(t, env, issuer)
}

// lambdaBackgroundEnv is the environment of a function on fresh tables,
// and the issuer its callers' tokens come from.
func lambdaBackgroundEnv(t *testing.T) (map[string]string, *authtest.Issuer) {
	t.Helper()
	url := dynalite.Endpoint(t)
	env := dynalite.Env(url)
	maps.Copy(env, map[string]string{
		"STREAM_TABLE": dynalite.StreamTable(t, url), "STREAM_POLL_INTERVAL": "20ms",
		"QUOTA_TABLE": dynalite.Table(t, url), "QUOTA_STORE_TIMEOUT": "5s",
		"AWS_LAMBDA_FUNCTION_VERSION": "7",
	})
	issuer := authtest.NewIssuer(t)
	maps.Copy(env, issuer.Env("access"))
	return env, issuer
}

// startLambdaBackground starts one instance of the function with env.
func startLambdaBackground(t *testing.T, env map[string]string, issuer *authtest.Issuer) *lambdaBackground {
	t.Helper()
	all := maps.Clone(env)
	rt := newFakeRuntime(t)
	fl := newFakeLambda(t, rt)
	all["AWS_ENDPOINT_URL_LAMBDA"] = fl.srv.URL
	_, out := startBootstrap(t, rt, all)
	return &lambdaBackground{wire: &wire{rt: rt, issuer: issuer, out: out, token: issuer.AccessToken(t)}, lambda: fl}
}

// call invokes the function with a function URL event from the caller.
func (w *wire) call(t *testing.T, id, method, path, query, body string) *response {
	t.Helper()
	headers := map[string]string{"x-authorization": "Bearer " + w.token}
	if method == "POST" {
		headers["content-type"] = "application/json"
		headers["x-amz-content-sha256"] = authtest.PayloadHash([]byte(body))
	}
	ev := functionURLRequest(method, path, headers, body, false)
	ev.RawQueryString = query
	return w.rt.invoke(t, id, time.Now().Add(10*time.Minute), ev)
}

// object decodes a JSON answer's body.
func object(t *testing.T, res *response) (int, map[string]any) {
	t.Helper()
	p, body, _ := res.split(t)
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("status %d, body %q: %v", p.StatusCode, body, err)
	}
	return p.StatusCode, v
}

// logged waits for a log line holding every one of parts.
func logged(t *testing.T, out *syncBuffer, parts ...string) string {
	t.Helper()
	for range 1000 {
		for _, l := range strings.Split(out.String(), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(l, p)
			}
			if ok {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line with %q in\n%s", parts, out.String())
	return ""
}

// TestLambdaBackgroundResponse: on Lambda a background POST is accepted at
// once and its answer produced by an asynchronous invocation of the
// function itself (fakeLambda queues it on the fake runtime); a resume
// and a retrieve, each another function URL invocation, get the whole
// answer, completed; the caller's usage counts its tokens. The job
// delivered again runs nothing, and made-up jobs are logged and ignored.
func TestLambdaBackgroundResponse(t *testing.T) {
	t.Parallel()
	w := newLambdaBackground(t, nil)

	status, accepted := object(t, w.call(t, "inv-bg-post", "POST", "/v1/responses", "",
		`{"model":"test-counted","background":true,"input":"count"}`))
	if status != 200 || accepted["status"] != "queued" || accepted["background"] != true {
		t.Fatalf("POST: %d %v\n%s", status, accepted, w.out.String())
	}
	id, _ := accepted["id"].(string)
	payload, function := w.lambda.last(t)
	if function != "chatbot:7" {
		t.Errorf("invoked %q; want the function itself at its version, chatbot:7", function)
	}
	if !strings.HasPrefix(string(payload), `{"chatbot_background_job":`) || strings.Contains(string(payload), "count") {
		t.Errorf("job event %s: want only the job's ids and hash, never the request", payload)
	}
	if res := w.rt.waitJob(t, jobPrefix+"1"); res.errorPosted {
		t.Fatalf("the job's invocation failed: %s\n%s", res.body, w.out.String())
	}

	// Resumed from event 3 by another invocation: the rest, completed.
	p, body, _ := w.call(t, "inv-bg-resume", "GET", "/v1/responses/"+id, "stream=true&starting_after=3", "").split(t)
	evs, err := ssetest.NewReader(strings.NewReader(string(body))).All()
	if err != nil || p.StatusCode != 200 || len(evs) == 0 {
		t.Fatalf("resume: %d, %d events, %v\n%s", p.StatusCode, len(evs), err, body)
	}
	if evs[0].ID != "4" || evs[len(evs)-1].Type != "response.completed" {
		t.Errorf("resume: first id %q, last %s; want 4 and response.completed", evs[0].ID, evs[len(evs)-1].Type)
	}
	status, got := object(t, w.call(t, "inv-bg-get", "GET", "/v1/responses/"+id, "", ""))
	text := outputText(got)
	if status != 200 || got["status"] != "completed" || text != counted() {
		t.Fatalf("GET: %d status %v text %q; want completed %q", status, got["status"], text, counted())
	}

	// The caller's usage: the request counted once, the answer's 40
	// tokens (one per delta: the test model reports no usage).
	_, usage := object(t, w.call(t, "inv-bg-usage", "GET", "/v1/usage", "", ""))
	today, _ := usage["today"].(map[string]any)
	tokens, _ := today["tokens"].(map[string]any)
	if today["requests"] != float64(1) || tokens["output"] != float64(40) {
		t.Errorf("usage today %v; want 1 request and 40 output tokens", today)
	}

	// The same event again: claimed already, nothing runs.
	if res := w.lambda.deliver(t, "again", payload); res.errorPosted {
		t.Errorf("the redelivery failed the invocation: %s", res.body)
	}
	logged(t, w.out, `"request_id":"job-again"`, "background job ignored", "claimed already")
	var ev struct {
		Job map[string]string `json:"chatbot_background_job"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, field, value, reason string
	}{
		{name: "unknown id", field: "id", value: "resp_nothing", reason: "no such stream"},
		{name: "wrong caller", field: "caller", value: "key:someone-else", reason: "no such stream"},
		{name: "wrong hash", field: "hash", value: strings.Repeat("0", 64), reason: "no job of this hash"},
	} {
		forged := maps.Clone(ev.Job)
		forged[tc.field] = tc.value
		b, _ := json.Marshal(map[string]any{"chatbot_background_job": forged})
		inv := "forged-" + strings.ReplaceAll(tc.name, " ", "-")
		if res := w.lambda.deliver(t, inv, b); res.errorPosted {
			t.Errorf("%s: the invocation failed: %s", tc.name, res.body)
		}
		logged(t, w.out, `"request_id":"`+jobPrefix+inv+`"`, `"level":"WARN"`, "background job ignored", tc.reason)
	}
	_, after := object(t, w.call(t, "inv-bg-get-2", "GET", "/v1/responses/"+id, "", ""))
	if after["status"] != "completed" || outputText(after) != counted() {
		t.Errorf("after the redelivery and the forged events: %v %q", after["status"], outputText(after))
	}
	if n := strings.Count(w.out.String(), `"msg":"background response ended"`); n != 1 {
		t.Errorf("%d background answers ran; want 1", n)
	}
}

// TestLambdaBackgroundInvokeFails: when the function cannot invoke itself
// the POST is answered 503, not accepted, and the kept response reads as
// failed.
func TestLambdaBackgroundInvokeFails(t *testing.T) {
	t.Parallel()
	w := newLambdaBackground(t, nil)
	w.lambda.fail.Store(true)
	status, e := object(t, w.call(t, "inv-bg-refused", "POST", "/v1/responses", "",
		`{"model":"test-counted","background":true,"input":"count"}`))
	errObj, _ := e["error"].(map[string]any)
	if status != 503 || errObj["code"] != "background_unavailable" {
		t.Fatalf("POST with Invoke failing: %d %v; want 503 background_unavailable", status, e)
	}
	logged(t, w.out, `"request_id":"inv-bg-refused"`, "AccessDeniedException")
	status, got := object(t, w.call(t, "inv-bg-refused-get", "GET", "/v1/responses/resp_inv-bg-refused", "", ""))
	if status != 200 || got["status"] != "failed" {
		t.Errorf("GET after the failed handoff: %d %v; want failed", status, got["status"])
	}
}

// TestLambdaBackgroundCancelFromAnotherInstance: a background answer
// running in one instance's job invocation is cancelled by a request to
// another instance sharing the table; the job ends, cancelled, within the
// producer's cancel check, and both instances read it as cancelled.
func TestLambdaBackgroundCancelFromAnotherInstance(t *testing.T) {
	t.Parallel()
	env, issuer := lambdaBackgroundEnv(t)
	a := startLambdaBackground(t, env, issuer)
	b := startLambdaBackground(t, env, issuer)
	status, accepted := object(t, a.call(t, "inv-slow-post", "POST", "/v1/responses", "",
		`{"model":"test-slow","background":true,"input":"tick"}`))
	if status != 200 {
		t.Fatalf("POST: %d %v\n%s", status, accepted, a.out.String())
	}
	id, _ := accepted["id"].(string)
	// The job is under way in A once its first events are kept.
	for i := 0; ; i++ {
		p, body, _ := b.call(t, "inv-slow-peek-"+strconv.Itoa(i), "GET", "/v1/responses/"+id, "", "").split(t)
		if p.StatusCode == 200 && strings.Contains(string(body), `"in_progress"`) {
			break
		}
		if i == 500 {
			t.Fatalf("the job never started: %d %s\n%s", p.StatusCode, body, a.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status, got := object(t, b.call(t, "inv-slow-cancel", "POST", "/v1/responses/"+id+"/cancel", "", "")); status != 200 {
		t.Fatalf("cancel on B: %d %v", status, got)
	}
	if res := a.rt.waitJob(t, jobPrefix+"1"); res.errorPosted {
		t.Fatalf("the job's invocation failed: %s", res.body)
	}
	logged(t, a.out, "background response ended", `"outcome":"cancelled"`)
	for _, w := range []*lambdaBackground{a, b} {
		if _, got := object(t, w.call(t, "inv-slow-get", "GET", "/v1/responses/"+id, "", "")); got["status"] != "cancelled" {
			t.Errorf("GET after the cancel: %v; want cancelled", got["status"])
		}
	}
}

// outputText joins a response object's output text.
func outputText(r map[string]any) string {
	var b strings.Builder
	out, _ := r["output"].([]any)
	for _, item := range out {
		m, _ := item.(map[string]any)
		content, _ := m["content"].([]any)
		for _, c := range content {
			if cm, _ := c.(map[string]any); cm["type"] == "output_text" {
				s, _ := cm["text"].(string)
				b.WriteString(s)
			}
		}
	}
	return b.String()
}
