package resilience_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// stormThrottles is how many throttling answers the storm fake gives
// before it recovers, per round of mixedStreams storm streams: more than
// two per stream, so some streams exhaust their retries and fall back, and
// fewer than three per stream, so others get through on a retry.
const (
	mixedStreams   = 200
	stormStreams   = 40
	stormThrottles = 100
)

var prompts = []string{
	"I am worried about my mother",
	"my boss made me come here",
	"I remember when I was a child",
	"you are not very helpful",
	"hello",
}

// mixedRoutes are the fault scenarios of the mixed load.
func mixedRoutes() []route {
	ok := fakebedrock.Scenario{Tokens: 12, Interval: time.Millisecond}
	return []route{
		{id: "ok-anthropic", bedrockID: anthropicID, scenario: ok},
		{id: "ok-nova", bedrockID: novaID, scenario: ok},
		{id: "ok-llama", bedrockID: llamaID, scenario: ok},
		{id: "ok-mistral", bedrockID: mistralID, scenario: ok},
		{id: "ok-mistral-chat", bedrockID: mistralChatID, scenario: ok},
		{id: "ok-titan", bedrockID: titanID, scenario: ok},
		// After the throttling storm the fake answers normally.
		{id: "storm", bedrockID: anthropicID, scenario: fakebedrock.Tokens(8)},
		{id: "cut", bedrockID: novaID, scenario: fakebedrock.CutAfter(20, 3)},
		{id: "exception", bedrockID: llamaID, scenario: fakebedrock.InStream("modelStreamErrorException", 2)},
		{id: "slow", bedrockID: titanID, scenario: fakebedrock.Scenario{Tokens: 5, Delay: time.Minute},
			// Long enough for the request to reach the fake on a loaded
			// machine (signing, a connection, the headers): the check
			// below wants every fake to have been asked.
			config: func(c *bedrock.Config) { c.FirstTokenTimeout = time.Second }},
	}
}

// mixedPlan assigns each of the n streams a gateway model: stormStreams to
// the storm, the rest spread over the other scenarios and ELIZA itself.
func mixedPlan(n int) []string {
	others := []string{"ok-anthropic", "ok-nova", "ok-llama", "ok-mistral", "ok-mistral-chat", "ok-titan",
		"cut", "exception", "slow", "eliza"}
	plan := make([]string, 0, n)
	for i, j := 0, 0; i < n; i++ {
		if i%5 == 0 && i/5 < stormStreams {
			plan = append(plan, "storm")
		} else {
			plan = append(plan, others[j%len(others)])
			j++
		}
	}
	return plan
}

// tally counts outcomes by model.
type tally map[string]map[outcome]int

// mixedRound runs the streams of plan concurrently, checks every one frame
// by frame against what its scenario allows, and returns the outcomes.
func mixedRound(tb testing.TB, r *rig, plan []string) tally {
	tb.Helper()
	r.storm(stormThrottles * strings.Count(strings.Join(plan, ","), "storm") / stormStreams)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		mu   sync.Mutex
		got  = tally{}
		errs []string
		wg   sync.WaitGroup
	)
	for i, model := range plan {
		prompt := prompts[i%len(prompts)]
		wg.Go(func() {
			res, err := r.checked(ctx, model, prompt)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Sprintf("stream %d (%s): %v", i, model, err))
				return
			}
			if got[model] == nil {
				got[model] = map[outcome]int{}
			}
			got[model][res.outcome()]++
		})
	}
	wg.Wait()
	for i, e := range errs {
		if i == 10 {
			tb.Errorf("... and %d more", len(errs)-10)
			break
		}
		tb.Error(e)
	}
	return got
}

// storm queues n throttling answers on the storm route's fake.
func (r *rig) storm(n int) {
	throttles := make([]fakebedrock.Scenario, n)
	for i := range throttles {
		throttles[i] = fakebedrock.Throttled()
	}
	r.up["storm"].Push(throttles...)
}

// checked streams and judges one answer.
func (r *rig) checked(ctx context.Context, model, prompt string) (*result, error) {
	res, err := r.stream(ctx, model, prompt)
	if err == nil {
		err = r.judge(model, prompt, res)
	}
	return res, err
}

// judge checks a well-formed stream against what model's scenario allows.
func (r *rig) judge(model, prompt string, res *result) error {
	elizaText := r.eliza.Reply([]string{prompt})
	script := r.expected[model]
	o := res.outcome()
	allowed := map[string][]outcome{
		"storm":     {completed, fellBack},
		"cut":       {failed},
		"exception": {failed},
		"slow":      {fellBack},
		"eliza":     {fellBack}, // ELIZA asked for by name
	}[model]
	if allowed == nil {
		allowed = []outcome{completed}
	}
	ok := false
	for _, a := range allowed {
		ok = ok || a == o
	}
	if !ok {
		return fmt.Errorf("outcome %s (model %q, error %q), want one of %v", o, res.model, res.errMsg, allowed)
	}
	switch o {
	case completed:
		if res.model != model || res.text != script {
			return fmt.Errorf("completed by %q with text %q, want %q from %q", res.model, res.text, script, model)
		}
	case fellBack:
		if res.text != elizaText {
			return fmt.Errorf("ELIZA answered %q, want %q", res.text, elizaText)
		}
	case failed:
		if res.model != "" && res.model != model {
			return fmt.Errorf("failed stream names model %q, want %q", res.model, model)
		}
		if !strings.HasPrefix(script, res.text) {
			return fmt.Errorf("text before the error %q is not a prefix of %q", res.text, script)
		}
	}
	return nil
}

func TestMixedFaults(t *testing.T) {
	r := newRig(t, mixedRoutes()...)
	// Warm up the connection pools and the key cache, then take the key set
	// down: every request below must pass auth with the cached keys.
	if _, err := r.stream(context.Background(), "eliza", "hello"); err != nil {
		t.Fatal(err)
	}
	r.idle()
	base := runtime.NumGoroutine()
	r.issuer.SetDown(true)
	fetches := r.issuer.Fetches()

	got := mixedRound(t, r, mixedPlan(mixedStreams))
	t.Logf("outcomes: %v", got)

	if f := r.issuer.Fetches(); f != fetches {
		t.Errorf("key set fetched %d times during the outage; cached keys should have answered", f-fetches)
	}
	total := 0
	for _, byOutcome := range got {
		for _, n := range byOutcome {
			total += n
		}
	}
	if total != mixedStreams {
		t.Errorf("%d of %d streams passed the checks", total, mixedStreams)
	}
	if s := got["storm"]; s[completed] == 0 || s[fellBack] == 0 {
		t.Errorf("storm outcomes %v: want some streams through on a retry and some fallen back", s)
	}
	// Every storm stream asked at least once; a stream that got through
	// made one request more than its throttled ones.
	if n, want := len(r.up["storm"].Requests()), stormThrottles+got["storm"][completed]; n != want {
		t.Errorf("storm fake saw %d requests, want %d (%d throttled + one per completed stream)", n, want, stormThrottles)
	}
	for id, u := range r.up {
		// A slow stream may time out before the fake has sent its
		// headers: that it was asked is what counts there.
		opened, _ := u.Streams()
		if id != "storm" && opened == 0 && (id != "slow" || len(u.Requests()) == 0) {
			t.Errorf("%s: no stream reached the fake", id)
		}
		streamsClosed(t, u, -1, 10*time.Second)
	}
	r.goroutinesBack(t, base, 5, 10*time.Second)
}
