package main_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// counted is the answer of the test-counted model.
func counted() string {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "n%d ", i)
	}
	return b.String()
}

// get sends a GET with optional header pairs.
func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestProcessesResumeFromOneTable: two gateway processes share one stream
// table (dynalite). An answer streamed by one and dropped after a few
// events is resumed from the other while it is still being produced, in
// both wire formats, and the client has the whole answer, each piece once.
func TestProcessesResumeFromOneTable(t *testing.T) {
	t.Parallel()
	url := dynalite.Endpoint(t)
	env := dynalite.Env(url)
	maps.Copy(env, map[string]string{"STREAM_TABLE": dynalite.StreamTable(t, url), "STREAM_POLL_INTERVAL": "20ms"})
	a, _, outA := startLocal(t, env)
	b, _, outB := startLocal(t, env)

	t.Run("chat completions", func(t *testing.T) {
		resp := postOK(t, a+"/v1/chat/completions", `{"model":"test-counted","stream":true,"messages":[{"role":"user","content":"count"}]}`)
		r := ssetest.NewReader(resp.Body)
		var got []gatewaytest.Chunk
		var last string
		for range 5 {
			ev, err := r.Next()
			if err != nil {
				t.Fatalf("A: %v\n%s", err, outA.String())
			}
			c, err := gatewaytest.Decode(ev.Data)
			if err != nil {
				t.Fatal(err)
			}
			got, last = append(got, c), ev.ID
		}
		resp.Body.Close() // the connection drops
		id := *got[0].ID

		resumed := get(t, b+"/v1/chat/completions/"+id+"/stream", "Last-Event-ID", last)
		if resumed.StatusCode != http.StatusOK {
			t.Fatalf("resume on B: %d\n%s", resumed.StatusCode, outB.String())
		}
		evs, err := ssetest.NewReader(resumed.Body).All()
		if err != nil || len(evs) == 0 || evs[len(evs)-1].Data != "[DONE]" {
			t.Fatalf("resumed on B: %d events, %v; want the rest and [DONE]", len(evs), err)
		}
		n, _ := strconv.Atoi(last)
		for i, ev := range evs {
			if ev.ID != strconv.Itoa(n+1+i) {
				t.Fatalf("resumed event %d has id %q; want %d", i, ev.ID, n+1+i)
			}
			if ev.Data != "[DONE]" {
				c, err := gatewaytest.Decode(ev.Data)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, c)
			}
		}
		if text := gatewaytest.Text(got); text != counted() {
			t.Fatalf("across processes: %q; want %q", text, counted())
		}
	})

	t.Run("responses", func(t *testing.T) {
		resp := postOK(t, a+"/v1/responses", `{"model":"test-counted","stream":true,"input":"count"}`)
		r := ssetest.NewReader(resp.Body)
		var evs []ssetest.Event
		for range 6 {
			ev, err := r.Next()
			if err != nil {
				t.Fatalf("A: %v\n%s", err, outA.String())
			}
			evs = append(evs, ev)
		}
		resp.Body.Close()
		var created struct {
			Response struct{ ID string } `json:"response"`
		}
		if err := json.Unmarshal([]byte(evs[0].Data), &created); err != nil {
			t.Fatal(err)
		}
		resumed := get(t, b+"/v1/responses/"+created.Response.ID+"?stream=true&starting_after="+evs[len(evs)-1].ID)
		rest, err := ssetest.NewReader(resumed.Body).All()
		if err != nil || resumed.StatusCode != http.StatusOK {
			t.Fatalf("resume on B: %d, %v\n%s", resumed.StatusCode, err, outB.String())
		}
		var text strings.Builder
		for i, ev := range append(evs, rest...) {
			var e struct {
				Type     string `json:"type"`
				Sequence int    `json:"sequence_number"`
				Delta    string `json:"delta"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
				t.Fatal(err)
			}
			if ev.ID != strconv.Itoa(i) || e.Sequence != i {
				t.Fatalf("event %d: id %q, sequence_number %d", i, ev.ID, e.Sequence)
			}
			if e.Type == "response.output_text.delta" {
				text.WriteString(e.Delta)
			}
		}
		if text.String() != counted() || rest[len(rest)-1].Type != "response.completed" {
			t.Fatalf("across processes: %q ending %s", text.String(), rest[len(rest)-1].Type)
		}
	})
}
