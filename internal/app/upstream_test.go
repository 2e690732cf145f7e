package app_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// The tests here run the whole gateway, as app.New assembles it, against
// the fake Bedrock: what a client sees when Bedrock refuses, fails, stalls
// or stops at the token limit.

// gatewayOn builds the gateway with env (BEDROCK_MODEL_ID defaults to
// haiku) against the fake at url, logging to the returned buffer.
func gatewayOn(t *testing.T, env map[string]string, aws ...func(*config.LoadOptions) error) (http.Handler, *lockedBuffer) {
	t.Helper()
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	if env["BEDROCK_MODEL_ID"] == "" {
		env["BEDROCK_MODEL_ID"] = haiku
	}
	cfg, err := app.Load(getenv(env), false)
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	h, err := app.New(context.Background(), cfg, app.WithOutput(out), app.WithAWSOptions(aws...))
	if err != nil {
		t.Fatal(err)
	}
	return h, out
}

// onPipe is the gateway against the fake on in-memory connections, for
// tests in a synctest bubble.
func onPipe(t *testing.T, env map[string]string, s fakebedrock.Scenario) (http.Handler, *lockedBuffer, *fakebedrock.Pipe) {
	t.Helper()
	p := fakebedrock.NewPipe(fakebedrock.WithScenario(s))
	t.Cleanup(p.Close)
	client := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.DialContext = p.DialContext })
	h, out := gatewayOn(t, env, append(awsAt(p.URL), config.WithHTTPClient(client))...)
	return h, out, p
}

func chatRequest(h http.Handler, body string) *http.Response {
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	r.Host = "localhost" // auth is off: only loopback names are served
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func decodeError(t *testing.T, resp *http.Response) gatewaytest.Error {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	e, err := gatewaytest.Decode(string(body))
	if err != nil || e.Error == nil {
		t.Fatalf("answer %d %q is not OpenAI's error shape", resp.StatusCode, body)
	}
	return *e.Error
}

// Bedrock's ValidationException is the client's mistake: a 400 with
// Bedrock's own message, streamed or not, since the status waits for the
// first token.
func TestValidationExceptionIs400(t *testing.T) {
	t.Parallel()
	const msg = "Input is too long for requested model."
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Invalid(msg)))
	t.Cleanup(fake.Close)
	h, _ := gatewayOn(t, nil, awsAt(fake.URL)...)
	for _, stream := range []string{"true", "false"} {
		resp := chatRequest(h, `{"stream":`+stream+`,"messages":[{"role":"user","content":"hi"}]}`)
		if e := decodeError(t, resp); resp.StatusCode != http.StatusBadRequest || e.Message != msg || e.Type != "invalid_request_error" {
			t.Errorf("stream %s: %d %+v, want 400 with Bedrock's message", stream, resp.StatusCode, e)
		}
	}
}

// A Bedrock failure after the first token, without streaming, is a 502.
func TestUpstreamFailureWithoutStreamingIs502(t *testing.T) {
	t.Parallel()
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.InStream("internalServerException", 2)))
	t.Cleanup(fake.Close)
	h, out := gatewayOn(t, nil, awsAt(fake.URL)...)
	resp := chatRequest(h, `{"messages":[{"role":"user","content":"hi"}]}`)
	if e := decodeError(t, resp); resp.StatusCode != http.StatusBadGateway || e.Code != "upstream_error" {
		t.Errorf("answer = %d %+v, want 502 upstream_error", resp.StatusCode, e)
	}
	if cause, _ := out.requestLine(t)["error"].(string); !strings.Contains(cause, "internalServerException") {
		t.Errorf("log line error = %q, want Bedrock's exception", cause)
	}
}

// The token cap reaches Bedrock, which stops there with its length reason:
// the client sees exactly that many chunks and finish_reason "length".
func TestMaxTokensEndToEnd(t *testing.T) {
	t.Parallel()
	for _, id := range []string{haiku, "amazon.nova-lite-v1:0", "meta.llama3-70b-instruct-v1:0",
		"mistral.mistral-7b-instruct-v0:2", "mistral.mistral-large-2407-v1:0", "amazon.titan-text-express-v1"} {
		for _, tt := range []struct{ name, env, field string }{
			{name: "max_tokens", env: "1024", field: `"max_tokens":3,`},
			{name: "CHATBOT_MAX_TOKENS", env: "3", field: `"max_completion_tokens":500,`},
		} {
			t.Run(id+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(10)))
				t.Cleanup(fake.Close)
				h, _ := gatewayOn(t, map[string]string{"BEDROCK_MODEL_ID": id, "CHATBOT_MAX_TOKENS": tt.env}, awsAt(fake.URL)...)
				resp := chatRequest(h, `{"stream":true,`+tt.field+`"messages":[{"role":"user","content":"hi"}]}`)
				chunks, done, err := gatewaytest.ReadStream(resp.Body)
				if err != nil || !done {
					t.Fatalf("stream: %v, done %v", err, done)
				}
				var texts int
				var finish string
				for _, c := range chunks {
					for _, ch := range c.Choices {
						if ch.Delta.Content != nil && *ch.Delta.Content != "" {
							texts++
						}
						if ch.FinishReason != nil {
							finish = *ch.FinishReason
						}
					}
				}
				if texts != 3 || finish != "length" || gatewaytest.Text(chunks) != "tok1 tok2 tok3 " {
					t.Errorf("%d text chunks %q, finish_reason %q; want 3 and length", texts, gatewaytest.Text(chunks), finish)
				}
			})
		}
	}
}

// When Bedrock is silent, the status and a ping leave at the heartbeat,
// and ELIZA's answer follows when the first-token timeout passes; with a
// heartbeat longer than that timeout, the status leaves with ELIZA's first
// word and there is no ping. Either way a 200 with ELIZA's answer.
func TestSilentBedrockStatusAndFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		heartbeat string
		wantTTFB  float64
		wantPing  bool
	}{
		{heartbeat: "5s", wantTTFB: 5000, wantPing: true},
		{heartbeat: "20s", wantTTFB: 10000},
	}
	for _, tt := range tests {
		t.Run(tt.heartbeat, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				h, out, _ := onPipe(t, map[string]string{"CHATBOT_HEARTBEAT": tt.heartbeat}, fakebedrock.Silent())
				resp := chatRequest(h, `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status = %d %s, want 200", resp.StatusCode, body)
				}
				if got := strings.HasPrefix(string(body), ": ping\n\n"); got != tt.wantPing {
					t.Errorf("body starts with a ping = %v, want %v: %q", got, tt.wantPing, body)
				}
				chunks, done, err := gatewaytest.ReadStream(strings.NewReader(string(body)))
				if err != nil || !done || chunks[0].Model != app.ElizaID || gatewaytest.Text(chunks) == "" {
					t.Errorf("stream = %+v, %v, done %v; want ELIZA's whole answer", chunks, err, done)
				}
				line := out.requestLine(t)
				if line["ttfb_ms"] != tt.wantTTFB || line["fallback"] != "first_token_timeout" || line["status"] != 200.0 {
					t.Errorf("log line = %v, want ttfb_ms %v after a first_token_timeout fallback", line, tt.wantTTFB)
				}
			})
		})
	}
}

// Bedrock stalling mid-answer ends the stream BEDROCK_IDLE_TIMEOUT after
// its last chunk, with an in-band upstream_timeout, and the connection to
// the fake is closed.
func TestStallEndsStreamInBand(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h, out, fake := onPipe(t, map[string]string{"BEDROCK_IDLE_TIMEOUT": "20s"}, fakebedrock.StallAfter(5, 2))
		start := time.Now()
		resp := chatRequest(h, `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
		if took := time.Since(start); took != 20*time.Second {
			t.Errorf("stream ended after %v, want the idle timeout, 20s", took)
		}
		chunks, done, err := gatewaytest.ReadStream(resp.Body)
		if err != nil || done || len(chunks) == 0 {
			t.Fatalf("stream = %+v, %v, done %v; want chunks and no [DONE]", chunks, err, done)
		}
		last := chunks[len(chunks)-1]
		if gatewaytest.Text(chunks) != "tok1 tok2 " || last.Error == nil || last.Error.Code != "upstream_timeout" {
			t.Errorf("stream text %q, last frame %+v; want the two tokens, then upstream_timeout", gatewaytest.Text(chunks), last)
		}
		synctest.Wait()
		if opened, closed := fake.Streams(); opened != 1 || closed != 1 {
			t.Errorf("fake streams %d opened, %d closed: the stalled upstream was left open", opened, closed)
		}
		if line := out.requestLine(t); line["error_code"] != "upstream_timeout" || line["level"] != "WARN" {
			t.Errorf("log line = %v", line)
		}
	})
}
