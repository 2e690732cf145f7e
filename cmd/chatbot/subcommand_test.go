package main_test

import (
	"os/exec"
	"strings"
	"testing"
)

// stampedVersion is what TestMain stamps into the binary with -ldflags, as
// the Makefile does with git describe.
const stampedVersion = "v0.0.0-test-stamp"

func TestSubcommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{name: "version", args: []string{"version"}, want: []string{"chatbot " + stampedVersion + "\n"}},
		{name: "--version", args: []string{"--version"}, want: []string{"chatbot " + stampedVersion + "\n"}},
		{name: "help points to the configuration reference", args: []string{"help"},
			want: []string{"chatbot version", "docs/configuration.md"}},
		{name: "unknown", args: []string{"serve"}, wantCode: 2, want: []string{`unknown command "serve"`, "docs/configuration.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binary, tt.args...)
			cmd.Env = []string{"HOME=" + t.TempDir()}
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\n%s", code, tt.wantCode, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
