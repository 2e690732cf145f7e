package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/app"
)

// startupLine builds the gateway from env and returns its start-up log line.
func startupLine(t *testing.T, env map[string]string, opts ...app.Option) map[string]any {
	t.Helper()
	cfg, err := app.Load(getenv(env), false)
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	if _, err := app.New(context.Background(), cfg, append(opts, app.WithOutput(out))...); err != nil {
		t.Fatal(err)
	}
	var found map[string]any
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == app.StartupMessage {
			if found != nil {
				t.Fatalf("two start-up lines in\n%s", out)
			}
			found = m
		}
	}
	if found == nil {
		t.Fatalf("no start-up line in\n%s", out)
	}
	return found
}

func TestStartupLineSaysWhatTheGatewayTalksTo(t *testing.T) {
	t.Parallel()
	const key = "0000000000000000000000000000000000000000000000000000000000000000"
	sonnet := "anthropic.claude-3-5-sonnet-20240620-v1:0"
	tests := []struct {
		name string
		env  map[string]string
		opts []app.Option
		want map[string]any // top-level fields
		// nested fields, as "group.field"
		wantNested map[string]any
	}{
		{
			name: "local defaults",
			env:  map[string]string{},
			want: map[string]any{
				"default_model": "eliza",
				"models":        app.ElizaOnly,
				"auth":          "off (loopback only)",
				"store":         "none (no rate limits)",
			},
			wantNested: map[string]any{
				"bedrock.api":           "off",
				"limits.max_body_bytes": float64(256 << 10),
				"limits.max_tokens":     float64(1024),
				"limits.read_timeout":   "30s",
				"limits.rate_limits":    "off",
			},
		},
		{
			name: "Bedrock at an overridden endpoint, API keys, limits in memory",
			env: map[string]string{
				"BEDROCK_MODEL_ID":       haiku,
				"BEDROCK_MODELS":         sonnet,
				"API_KEY_SHA256S":        "a:" + key + ",b:" + strings.Repeat("1", 64),
				"REQUIRE_CONTENT_SHA256": "true",
				"RATE_LIMIT_RPM":         "30",
				"CHATBOT_MAX_TOKENS":     "512",
			},
			opts: []app.Option{fakeAWS("http://127.0.0.1:1/bedrock")},
			want: map[string]any{
				"default_model": haiku,
				"models":        sonnet + ", eliza (fallback)",
				"auth":          "API keys (2), payload hash required",
				"store":         "memory (this process only)",
			},
			wantNested: map[string]any{
				"bedrock.api":        "InvokeModelWithResponseStream",
				"bedrock.endpoint":   "http://127.0.0.1:1/bedrock",
				"limits.max_tokens":  float64(512),
				"limits.rate_limits": "30 requests/min, 0 streams, 0 tokens/day per caller (0: none)",
			},
		},
		{
			name: "Bedrock at the region's own endpoint",
			env:  map[string]string{"BEDROCK_MODEL_ID": haiku},
			opts: []app.Option{app.WithAWSOptions(awsAt("")[:2]...), app.WithAWSOptions(awsAt("")[3:]...)},
			want: map[string]any{"default_model": haiku, "models": "eliza (fallback)"},
			wantNested: map[string]any{
				"bedrock.endpoint": "https://bedrock-runtime.us-east-1.amazonaws.com",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line := startupLine(t, tt.env, tt.opts...)
			for k, v := range tt.want {
				if line[k] != v {
					t.Errorf("%s = %v, want %v\nline: %v", k, line[k], v, line)
				}
			}
			for k, v := range tt.wantNested {
				group, field, _ := strings.Cut(k, ".")
				g, _ := line[group].(map[string]any)
				if g[field] != v {
					t.Errorf("%s = %v, want %v\nline: %v", k, g[field], v, line)
				}
			}
		})
	}
}

func TestStartupLineHasNoSecrets(t *testing.T) {
	t.Parallel()
	const signing = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	sum := strings.Repeat("ab", 32)
	line := startupLine(t, map[string]string{
		"API_KEY_SHA256S":   "backend:" + sum,
		"TOKEN_SIGNING_KEY": signing,
	})
	raw, err := json.Marshal(line)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{sum, signing, "backend"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("start-up line holds %q: %s", secret, raw)
		}
	}
	if got, want := line["auth"], "API keys (1), minted tokens"; got != want {
		t.Errorf("auth = %v, want %v", got, want)
	}
}
