package metrics_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    map[string]string
		lambda bool
		want   metrics.Config
	}{
		{name: "local default off", want: metrics.Config{Enabled: false, Namespace: "Chatbot"}},
		{name: "lambda default on", lambda: true, want: metrics.Config{Enabled: true, Namespace: "Chatbot"}},
		{name: "local namespace turns on", env: map[string]string{"METRICS_NAMESPACE": " Chatbot/dev "},
			want: metrics.Config{Enabled: true, Namespace: "Chatbot/dev"}},
		{name: "local enabled", env: map[string]string{"METRICS_ENABLED": "true"},
			want: metrics.Config{Enabled: true, Namespace: "Chatbot"}},
		{name: "lambda disabled", lambda: true, env: map[string]string{"METRICS_ENABLED": "false"},
			want: metrics.Config{Enabled: false, Namespace: "Chatbot"}},
		{name: "explicit off beats namespace", env: map[string]string{"METRICS_ENABLED": "0", "METRICS_NAMESPACE": "X"},
			want: metrics.Config{Enabled: false, Namespace: "X"}},
		{name: "every allowed character", lambda: true, env: map[string]string{"METRICS_NAMESPACE": "My-App_1.2/prod #a:b"},
			want: metrics.Config{Enabled: true, Namespace: "My-App_1.2/prod #a:b"}},
		{name: "255 characters", env: map[string]string{"METRICS_NAMESPACE": strings.Repeat("n", 255)},
			want: metrics.Config{Enabled: true, Namespace: strings.Repeat("n", 255)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := metrics.LoadConfig(env(tt.env), tt.lambda)
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got != tt.want {
				t.Errorf("LoadConfig = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		wantErr  error
		wantText string
	}{
		{name: "too long", env: map[string]string{"METRICS_NAMESPACE": strings.Repeat("n", 256)},
			wantErr: metrics.ErrInvalidNamespace, wantText: "METRICS_NAMESPACE"},
		{name: "reserved prefix", env: map[string]string{"METRICS_NAMESPACE": "AWS/Lambda"},
			wantErr: metrics.ErrInvalidNamespace, wantText: "AWS/ prefix"},
		{name: "bad character", env: map[string]string{"METRICS_NAMESPACE": "chat*bot"},
			wantErr: metrics.ErrInvalidNamespace, wantText: `'*'`},
		{name: "non-ASCII", env: map[string]string{"METRICS_NAMESPACE": "chätbot"},
			wantErr: metrics.ErrInvalidNamespace, wantText: `'ä'`},
		{name: "leading colon", env: map[string]string{"METRICS_NAMESPACE": ":chatbot"},
			wantErr: metrics.ErrInvalidNamespace, wantText: "starts with"},
		{name: "bad boolean", env: map[string]string{"METRICS_ENABLED": "yes please"},
			wantErr: metrics.ErrInvalidEnabled, wantText: "METRICS_ENABLED"},
		{name: "bad namespace checked when off", env: map[string]string{"METRICS_ENABLED": "false", "METRICS_NAMESPACE": "a*"},
			wantErr: metrics.ErrInvalidNamespace, wantText: "METRICS_NAMESPACE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lambda := range []bool{false, true} {
				_, err := metrics.LoadConfig(env(tt.env), lambda)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("LoadConfig error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("error %q does not mention %q", err, tt.wantText)
				}
			}
		})
	}
}
