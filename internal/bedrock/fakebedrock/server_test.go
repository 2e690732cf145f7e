package fakebedrock_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

const path = "/model/amazon.nova-micro-v1%3A0/invoke-with-response-stream"

// novaBody is a minimal valid Nova request.
const novaBody = `{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}`

const goodAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" +
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func post(tb testing.TB, srv *fakebedrock.Server, auth, body string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
		req.Header.Set("X-Amz-Date", "20250101T000000Z")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestAuthCheck(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New()
	defer srv.Close()
	tests := []struct {
		name, auth, wantType string
	}{
		{name: "missing", auth: "", wantType: "MissingAuthenticationTokenException"},
		{name: "bearer", auth: "Bearer abc", wantType: "InvalidSignatureException"},
		{name: "wrong service", auth: strings.Replace(goodAuth, "/bedrock/", "/s3/", 1), wantType: "InvalidSignatureException"},
		{name: "short signature", auth: goodAuth[:len(goodAuth)-2], wantType: "InvalidSignatureException"},
	}
	for _, tt := range tests {
		resp := post(t, srv, tt.auth, novaBody)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-ErrorType") != tt.wantType {
			t.Errorf("%s: %d %s, want 403 %s", tt.name, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tt.wantType)
		}
	}
	if resp := post(t, srv, goodAuth, novaBody); resp.StatusCode != http.StatusOK {
		t.Errorf("well-formed signature: status %d", resp.StatusCode)
	}
}

// TestModelScenario: a model with a scenario of its own gets it; others
// the default; the queue still comes first.
func TestModelScenario(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New(fakebedrock.WithModelScenario("amazon.nova-micro-v1:0", fakebedrock.Throttled()))
	defer srv.Close()
	srv.Push(fakebedrock.Tokens(1))
	if resp := post(t, srv, goodAuth, novaBody); resp.StatusCode != http.StatusOK {
		t.Fatalf("queued call: %d; want the queue's answer", resp.StatusCode)
	}
	if resp := post(t, srv, goodAuth, novaBody); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("nova: %d; want its own scenario, throttled", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/model/amazon.nova-lite-v1%3A0/invoke-with-response-stream", strings.NewReader(novaBody))
	req.Header.Set("Authorization", goodAuth)
	req.Header.Set("X-Amz-Date", "20250101T000000Z")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(novaTexts(t, resp.Body)) == 0 {
		t.Fatalf("another model: %d; want the default answer", resp.StatusCode)
	}
}

func TestFramesAndQueue(t *testing.T) {
	t.Parallel()
	stamp := time.Unix(1700000000, 5)
	srv := fakebedrock.New(fakebedrock.WithTimeFunc(func() time.Time { return stamp }))
	defer srv.Close()
	srv.Push(fakebedrock.Throttled(), fakebedrock.Scenario{Tokens: 2, Stamp: true})

	resp := post(t, srv, goodAuth, novaBody)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 429 || resp.Header.Get("X-Amzn-ErrorType") != "ThrottlingException" || !bytes.Contains(body, []byte(`"message"`)) {
		t.Fatalf("first call: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
	}

	resp = post(t, srv, goodAuth, novaBody)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.amazon.eventstream" {
		t.Fatalf("content type %q", ct)
	}
	texts := novaTexts(t, resp.Body)
	if len(texts) != 2 || texts[0] != "tok1@1700000000000000005 " {
		t.Fatalf("texts = %q", texts)
	}
	if at, ok := fakebedrock.ParseStamp(texts[1]); !ok || !at.Equal(stamp) {
		t.Errorf("ParseStamp(%q) = %v, %v", texts[1], at, ok)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[1].ModelID != "amazon.nova-micro-v1:0" || string(reqs[1].Body) != novaBody {
		t.Errorf("requests = %+v", reqs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if opened, closed := srv.Streams(); opened != 1 || closed != 1 {
		t.Errorf("streams %d/%d, want 1/1", opened, closed)
	}
}

func TestRejectsBadBodies(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New()
	defer srv.Close()
	for _, body := range []string{
		`not json`,
		`{"prompt":"x"}`,
		`{"messages":[]}`,
		`{"messages":[{"role":"assistant","content":[{"text":"Hello"}]},{"role":"user","content":[{"text":"Hi"}]}]}`,
		`{"messages":[{"role":"user","content":[{"text":"Hi"}]},{"role":"user","content":[{"text":"Hi"}]}]}`,
		`{"messages":[{"role":"user","content":[{"text":" "}]}]}`,
		`{"messages":[{"role":"user","content":"Hi"}]}`,
	} {
		resp := post(t, srv, goodAuth, body)
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "ValidationException" {
			t.Errorf("%s: %d %s", body, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	}
}

// The fake stops where the request's token limit says, as Bedrock does,
// under either of Nova's names for it.
func TestHonoursMaxTokens(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(10)))
	defer srv.Close()
	for _, tt := range []struct {
		config string
		want   int
	}{
		{config: ``, want: 10},
		{config: `,"inferenceConfig":{"maxTokens":3}`, want: 3},
		{config: `,"inferenceConfig":{"max_new_tokens":2}`, want: 2},
		{config: `,"inferenceConfig":{"maxTokens":50}`, want: 10},
	} {
		body := strings.TrimSuffix(novaBody, "}") + tt.config + "}"
		resp := post(t, srv, goodAuth, body)
		raw, _ := io.ReadAll(resp.Body)
		if texts := novaTexts(t, bytes.NewReader(raw)); len(texts) != tt.want {
			t.Errorf("%s: %d text chunks, want %d", body, len(texts), tt.want)
		}
		stop := `"stopReason":"end_turn"`
		if tt.want < 10 {
			stop = `"stopReason":"max_tokens"`
		}
		if !bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString([]byte(`{"messageStop":{`+stop+`}}`)))) {
			t.Errorf("%s: no %s", body, stop)
		}
	}
}

// novaTexts decodes a Nova event stream and returns its text chunks.
func novaTexts(tb testing.TB, body io.Reader) []string {
	tb.Helper()
	dec := eventstream.NewDecoder()
	var texts []string
	for {
		msg, err := dec.Decode(body, nil)
		if err == io.EOF {
			return texts
		}
		if err != nil {
			tb.Fatal(err)
		}
		if mt := msg.Headers.Get(":message-type").String(); mt != "event" || msg.Headers.Get(":event-type").String() != "chunk" {
			tb.Fatalf("frame headers %v", msg.Headers)
		}
		var wrapper struct{ Bytes string }
		if err := json.Unmarshal(msg.Payload, &wrapper); err != nil {
			tb.Fatal(err)
		}
		inner, err := base64.StdEncoding.DecodeString(wrapper.Bytes)
		if err != nil {
			tb.Fatal(err)
		}
		var chunk struct {
			ContentBlockDelta struct{ Delta struct{ Text string } }
		}
		if err := json.Unmarshal(inner, &chunk); err != nil {
			tb.Fatalf("%v: %s", err, inner)
		}
		if tx := chunk.ContentBlockDelta.Delta.Text; tx != "" {
			texts = append(texts, tx)
		}
	}
}

// TestPipe runs the fake on in-memory connections in a synctest bubble:
// the same stream arrives, paced exactly by the fake clock, and Close ends
// a stream that is still open.
func TestPipe(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := fakebedrock.NewPipe()
		defer p.Close()
		client := &http.Client{Transport: &http.Transport{DialContext: p.DialContext}}
		p.Push(fakebedrock.Scenario{Tokens: 3, Delay: time.Second, Interval: 500 * time.Millisecond, Stamp: true}, fakebedrock.Silent())
		start := time.Now()
		call := func() *http.Response {
			req, _ := http.NewRequest(http.MethodPost, p.URL+path, strings.NewReader(novaBody))
			req.Header.Set("Authorization", goodAuth)
			req.Header.Set("X-Amz-Date", "20250101T000000Z")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}

		resp := call()
		texts := novaTexts(t, resp.Body)
		resp.Body.Close()
		want := []time.Duration{time.Second, 1500 * time.Millisecond, 2 * time.Second}
		if len(texts) != len(want) {
			t.Fatalf("texts = %q, want %d", texts, len(want))
		}
		for i, tx := range texts {
			if at, ok := fakebedrock.ParseStamp(tx); !ok || at.Sub(start) != want[i] {
				t.Errorf("chunk %d sent at %v, want %v", i, at.Sub(start), want[i])
			}
		}

		resp = call()
		defer resp.Body.Close()
		time.Sleep(time.Minute)
		synctest.Wait()
		if opened, closed := p.Streams(); opened != 2 || closed != 1 {
			t.Fatalf("streams %d/%d, want the silent one open", opened, closed)
		}
		p.Close()
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Errorf("silent stream read to its end after Close, want it cut")
		}
		synctest.Wait()
		if opened, closed := p.Streams(); opened != 2 || closed != 2 {
			t.Errorf("streams %d/%d after Close, want 2/2", opened, closed)
		}
	})
}
