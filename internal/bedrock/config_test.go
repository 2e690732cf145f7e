package bedrock_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    bedrock.Config
		wantIDs []string
		wantErr string // substring; empty: no error
	}{
		{
			name: "unset is disabled with defaults",
			env:  map[string]string{},
			want: bedrock.Config{AllowClientSystem: true, FirstTokenTimeout: 10 * time.Second, MaxRetries: 2, RetryBudget: 2 * time.Second},
		},
		{
			name: "everything set",
			env: map[string]string{
				"BEDROCK_MODEL_ID": haiku, "BEDROCK_MODELS": " us.amazon.nova-lite-v1:0, " + haiku + ",,meta.llama3-8b-instruct-v1:0",
				"SYSTEM_PROMPT": "Be terse.", "ALLOW_CLIENT_SYSTEM": "false", "BEDROCK_FIRST_TOKEN_TIMEOUT": "3s",
				"BEDROCK_MAX_RETRIES": "0", "BEDROCK_RETRY_BUDGET": "1.5",
			},
			want: bedrock.Config{
				DefaultModel: haiku, Models: []string{"us.amazon.nova-lite-v1:0", haiku, "meta.llama3-8b-instruct-v1:0"},
				SystemPrompt: "Be terse.", FirstTokenTimeout: 3 * time.Second, MaxRetries: 0, RetryBudget: 1500 * time.Millisecond,
			},
			wantIDs: []string{haiku, "us.amazon.nova-lite-v1:0", "meta.llama3-8b-instruct-v1:0"},
		},
		{name: "unknown default family", env: map[string]string{"BEDROCK_MODEL_ID": "cohere.command-r-v1:0"}, wantErr: "BEDROCK_MODEL_ID"},
		{name: "unknown listed family", env: map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_MODELS": "ai21.jamba-1-5-mini-v1:0"}, wantErr: "BEDROCK_MODELS"},
		{name: "models without default", env: map[string]string{"BEDROCK_MODELS": haiku}, wantErr: "BEDROCK_MODEL_ID"},
		{name: "bad bool", env: map[string]string{"ALLOW_CLIENT_SYSTEM": "nope"}, wantErr: "ALLOW_CLIENT_SYSTEM"},
		{name: "bad timeout", env: map[string]string{"BEDROCK_FIRST_TOKEN_TIMEOUT": "soon"}, wantErr: "BEDROCK_FIRST_TOKEN_TIMEOUT"},
		{name: "zero timeout", env: map[string]string{"BEDROCK_FIRST_TOKEN_TIMEOUT": "0s"}, wantErr: "BEDROCK_FIRST_TOKEN_TIMEOUT"},
		{name: "negative budget", env: map[string]string{"BEDROCK_RETRY_BUDGET": "-1s"}, wantErr: "BEDROCK_RETRY_BUDGET"},
		{name: "bad retries", env: map[string]string{"BEDROCK_MAX_RETRIES": "many"}, wantErr: "BEDROCK_MAX_RETRIES"},
		{name: "too many retries", env: map[string]string{"BEDROCK_MAX_RETRIES": "11"}, wantErr: "BEDROCK_MAX_RETRIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := bedrock.LoadConfig(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadConfig error = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got.DefaultModel != tt.want.DefaultModel || strings.Join(got.Models, ",") != strings.Join(tt.want.Models, ",") ||
				got.SystemPrompt != tt.want.SystemPrompt || got.AllowClientSystem != tt.want.AllowClientSystem ||
				got.FirstTokenTimeout != tt.want.FirstTokenTimeout || got.MaxRetries != tt.want.MaxRetries ||
				got.RetryBudget != tt.want.RetryBudget {
				t.Errorf("LoadConfig = %+v, want %+v", got, tt.want)
			}
			if got.Enabled() != (tt.want.DefaultModel != "") {
				t.Errorf("Enabled = %v", got.Enabled())
			}
			if ids := strings.Join(got.ModelIDs(), ","); ids != strings.Join(tt.wantIDs, ",") {
				t.Errorf("ModelIDs = %s, want %v", ids, tt.wantIDs)
			}
		})
	}
}
