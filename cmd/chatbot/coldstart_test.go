package main_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app/fakesecrets"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// BenchmarkColdStart measures, per op, one cold start of the real binary
// with every feature configured, as a production deployment would be: exec
// until the first SSE byte of its first answer reaches the fake Runtime
// API, and the process's peak RSS.
//
// Configured: JWT auth (the key set fetched over HTTP), API keys from the
// environment and from Secrets Manager (read at start-up, as on Lambda),
// the token signing key, the payload hash, the origin secret and the CIDR
// allow-list, CORS, metrics, a system prompt, five Bedrock models with a
// guardrail; the first answer comes from Bedrock through the AWS SDK, to a
// request with a tool and reasoning, carrying every header the checks
// read. Quotas, which need DynamoDB, are left out.
func BenchmarkColdStart(b *testing.B) {
	const (
		model     = "anthropic.claude-sonnet-4-5-20250929-v1:0"
		secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot/api-keys-AbCdEf"
		origin    = "https://chat.example.com"
		originKey = "origin-secret-0123456789abcdef0123456789"
	)
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(5)),
		fakebedrock.WithGuardrail(fakebedrock.Guardrail{ID: "grbench", Version: "1", Word: "forbidden", Message: "Blocked."}))
	b.Cleanup(fake.Close)
	_, envKey := authtest.APIKey(b, "ci")
	_, secretKey := authtest.APIKey(b, "backend")
	name, sum, _ := strings.Cut(secretKey, ":")
	secrets := fakesecrets.New(b, map[string]string{
		secretARN: `{"api_keys":{"` + name + `":"` + sum + `"},"token_signing_key":"` + authtest.SigningKey(b) + `"}`,
	})
	issuer := authtest.NewIssuer(b)
	env := issuer.Env("access")
	for k, v := range secrets.Env() {
		env[k] = v
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.URL,
		"AWS_EC2_METADATA_DISABLED":        "true",
		"BEDROCK_MODEL_ID":                 model,
		"BEDROCK_MODELS": "amazon.nova-lite-v1:0,meta.llama3-70b-instruct-v1:0,mistral.mistral-large-2407-v1:0," +
			"openai.gpt-oss-120b-1:0",
		"BEDROCK_GUARDRAIL_ID":      "grbench",
		"BEDROCK_GUARDRAIL_VERSION": "1",
		"SYSTEM_PROMPT":             "You are a terse assistant.",
		"API_KEY_SHA256S":           envKey,
		"API_KEYS_SECRET_ARN":       secretARN,
		"ALLOWED_ORIGINS":           origin,
		"ALLOWED_CIDRS":             "203.0.113.0/24",
		"ORIGIN_VERIFY_SECRET":      originKey,
		"METRICS_NAMESPACE":         "Chatbot/Bench",
	} {
		env[k] = v
	}
	token := issuer.AccessToken(b)
	body := `{"model":"` + model + `","stream":true,"stream_options":{"include_usage":true},"reasoning_effort":"low",` +
		`"tools":[{"type":"function","function":{"name":"get_weather","description":"The weather in a city",` +
		`"parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],` +
		`"messages":[{"role":"user","content":"hello there"}]}`
	headers := map[string]string{
		"content-type":              "application/json",
		"x-authorization":           "Bearer " + token,
		"x-amz-content-sha256":      authtest.PayloadHash([]byte(body)),
		"origin":                    origin,
		"x-origin-verify":           originKey,
		"cloudfront-viewer-address": "203.0.113.7:51234",
	}
	var total time.Duration
	var peakKB int64
	for i := 0; b.Loop(); i++ {
		rt := newFakeRuntime(b)
		ev, _ := json.Marshal(functionURLRequest("POST", "/v1/chat/completions", headers, body, false))
		rt.events <- invocation{id: fmt.Sprint("cold-", i), deadline: time.Now().Add(time.Minute), event: ev}
		start := time.Now()
		cmd, out := startBootstrap(b, rt, env)
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		var res *response
		select {
		case res = <-rt.results:
		case <-exited:
			b.Fatalf("the binary exited before answering; output:\n%s", out.String())
		case <-time.After(time.Minute):
			b.Fatalf("no answer within a minute; output:\n%s", out.String())
		}
		p, sse, off := res.split(b)
		if p.StatusCode != 200 || !strings.HasPrefix(string(sse), "data: ") || !strings.Contains(string(sse), `"model":"`+model+`"`) {
			b.Fatalf("status %d, body %.300q; output:\n%s", p.StatusCode, sse, out.String())
		}
		total += res.arrivedBy(off + 1).Sub(start)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peakKB = max(peakKB, ru.Maxrss)
		}
		rt.srv.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-sse-byte")
	b.ReportMetric(float64(peakKB)/1024, "MB-peak-rss")
	b.ReportMetric(0, "ns/op")
}
