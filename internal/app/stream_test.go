package app_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

func TestLoadStream(t *testing.T) {
	t.Parallel()
	pool := map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_IDS": "abc"}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		lambda bool
		want   app.StreamConfig
	}{
		{name: "local defaults: in memory", want: app.StreamConfig{Resume: true, TTL: time.Hour, FlushInterval: 200 * time.Millisecond, PollInterval: 250 * time.Millisecond}},
		{name: "lambda without a table: off", env: pool, lambda: true,
			want: app.StreamConfig{TTL: time.Hour, FlushInterval: 200 * time.Millisecond, PollInterval: 250 * time.Millisecond}},
		{name: "lambda with a table", lambda: true, env: with(pool, map[string]string{
			"STREAM_TABLE": "chat-prod-streams", "STREAM_TTL": "120m", "STREAM_FLUSH_INTERVAL": "100ms", "STREAM_POLL_INTERVAL": "50ms"}),
			want: app.StreamConfig{Resume: true, Table: "chat-prod-streams", TTL: 2 * time.Hour, FlushInterval: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond}},
	} {
		c, err := app.Load(getenv(tc.env), tc.lambda)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Stream != tc.want {
			t.Errorf("%s: Stream = %+v; want %+v", tc.name, c.Stream, tc.want)
		}
	}
}

func TestLoadFailover(t *testing.T) {
	t.Parallel()
	const appProfile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
	chain := map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_FALLBACK_MODELS": "eu." + haiku + ", us.amazon.nova-lite-v1:0"}
	for _, tc := range []struct {
		name      string
		env       map[string]string
		models    []string
		midStream bool
		api       map[string]bedrock.API
	}{
		{name: "no chain"},
		{name: "a chain turns failover on", env: chain, models: []string{"eu." + haiku, "us.amazon.nova-lite-v1:0"}, midStream: true},
		{name: "failover off", env: with(chain, map[string]string{"FAILOVER": "off"}), models: []string{"eu." + haiku, "us.amazon.nova-lite-v1:0"}},
		// Entries as BEDROCK_MODELS takes them: an API prefix, an
		// application inference profile, a model only Converse serves.
		{name: "entries as in BEDROCK_MODELS", env: map[string]string{"BEDROCK_MODEL_ID": haiku,
			"BEDROCK_FALLBACK_MODELS": "converse:eu." + haiku + ", " + appProfile + ", cohere.command-r-plus-v1:0"},
			models: []string{"eu." + haiku, appProfile, "cohere.command-r-plus-v1:0"}, midStream: true, api: map[string]bedrock.API{"eu." + haiku: bedrock.APIConverse}},
	} {
		c, err := app.Load(getenv(tc.env), false)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(c.Failover.Models, tc.models) || c.Failover.MidStream != tc.midStream {
			t.Errorf("%s: Failover = %+v", tc.name, c.Failover)
		}
		if !maps.Equal(c.Bedrock.ModelAPI, tc.api) {
			t.Errorf("%s: ModelAPI = %v; want %v", tc.name, c.Bedrock.ModelAPI, tc.api)
		}
	}
}

func TestLoadStreamErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "bad table name", env: map[string]string{"STREAM_TABLE": "a b"}, want: "STREAM_TABLE"},
		{name: "TTL too short", env: map[string]string{"STREAM_TTL": "30s"}, want: "STREAM_TTL"},
		{name: "TTL too long", env: map[string]string{"STREAM_TTL": "200h"}, want: "STREAM_TTL"},
		{name: "flush interval too short", env: map[string]string{"STREAM_FLUSH_INTERVAL": "1ms"}, want: "STREAM_FLUSH_INTERVAL"},
		{name: "poll interval bare number", env: map[string]string{"STREAM_POLL_INTERVAL": "250"}, want: "STREAM_POLL_INTERVAL"},
		{name: "fallback of an unknown family through InvokeModel", env: map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_FALLBACK_MODELS": "invoke:cohere.command-r-v1:0"}, want: "BEDROCK_FALLBACK_MODELS"},
		{name: "fallback named with both prefixes", env: map[string]string{"BEDROCK_MODEL_ID": "invoke:" + haiku, "BEDROCK_FALLBACK_MODELS": "converse:" + haiku}, want: "BEDROCK_FALLBACK_MODELS"},
		{name: "fallback without a model", env: map[string]string{"BEDROCK_FALLBACK_MODELS": haiku}, want: "BEDROCK_FALLBACK_MODELS"},
		{name: "failover on without a chain", env: map[string]string{"BEDROCK_MODEL_ID": haiku, "FAILOVER": "on"}, want: "FAILOVER"},
		{name: "failover as a boolean", env: map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_FALLBACK_MODELS": haiku, "FAILOVER": "true"}, want: "FAILOVER"},
	} {
		_, err := app.Load(getenv(tc.env), false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Load error = %v; want one naming %s", tc.name, err, tc.want)
		}
	}
}
