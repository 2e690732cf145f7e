package main

import (
	"strings"
	"testing"
)

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"-addr", "0.0.0.0:0"}, want: "loopback"},
		{args: []string{"-addr", "192.168.1.1:0"}, want: "loopback"},
		{args: []string{"-scenario", "nope"}, want: "unknown -scenario"},
		{args: []string{"-addr", "nocolon"}, want: "parse -addr"},
		{args: []string{"-model-scenario", "amazon.nova-micro-v1:0=nope"}, want: "-model-scenario"},
		{args: []string{"-model-scenario", "throttled"}, want: "-model-scenario"},
	}
	for _, tt := range tests {
		err := run(tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want error containing %q", tt.args, err, tt.want)
		}
	}
}
