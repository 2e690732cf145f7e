package metrics_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

// validUnits are the units CloudWatch accepts (MetricDatum.Unit).
var validUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// validateEMF checks one log line against the CloudWatch Embedded Metric
// Format specification and returns its root object, numbers as json.Number.
func validateEMF(line []byte) (map[string]any, error) {
	if len(line) == 0 || line[len(line)-1] != '\n' || bytes.Count(line, []byte("\n")) != 1 {
		return nil, errors.New("not exactly one newline-terminated line")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("root is not a JSON object: %w", err)
	}
	if rest := bytes.TrimSpace(line[dec.InputOffset():]); len(rest) > 0 {
		return nil, fmt.Errorf("data after the object: %q", rest)
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return nil, errors.New("no _aws metadata object")
	}
	for k := range aws {
		if k != "Timestamp" && k != "CloudWatchMetrics" {
			return nil, fmt.Errorf("_aws: unexpected member %q", k)
		}
	}
	ts, ok := aws["Timestamp"].(json.Number)
	if !ok {
		return nil, errors.New("_aws.Timestamp is not a number")
	}
	if ms, err := ts.Int64(); err != nil || ms <= 0 {
		return nil, fmt.Errorf("_aws.Timestamp %s is not positive epoch milliseconds", ts)
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		return nil, errors.New("_aws.CloudWatchMetrics is not a non-empty array")
	}
	for i, d := range directives {
		if err := validateDirective(root, d); err != nil {
			return nil, fmt.Errorf("CloudWatchMetrics[%d]: %w", i, err)
		}
	}
	return root, nil
}

func validateDirective(root map[string]any, d any) error {
	dir, ok := d.(map[string]any)
	if !ok {
		return errors.New("not an object")
	}
	for k := range dir {
		if k != "Namespace" && k != "Dimensions" && k != "Metrics" {
			return fmt.Errorf("unexpected member %q", k)
		}
	}
	ns, ok := dir["Namespace"].(string)
	if !ok {
		return errors.New("Namespace is not a string")
	}
	if err := metrics.ValidateNamespace(ns); err != nil {
		return err
	}
	sets, ok := dir["Dimensions"].([]any)
	if !ok {
		return errors.New("Dimensions is not an array")
	}
	dims := map[string]bool{}
	for _, s := range sets {
		set, ok := s.([]any)
		if !ok {
			return errors.New("a dimension set is not an array")
		}
		if len(set) > 30 {
			return fmt.Errorf("dimension set of %d names, at most 30", len(set))
		}
		for _, n := range set {
			name, ok := n.(string)
			if !ok {
				return errors.New("a dimension name is not a string")
			}
			v, ok := root[name].(string)
			if !ok || v == "" || len(v) > 1024 {
				return fmt.Errorf("dimension %q has no top-level string value of 1 to 1024 bytes", name)
			}
			dims[name] = true
		}
	}
	defs, ok := dir["Metrics"].([]any)
	if !ok || len(defs) == 0 || len(defs) > 100 {
		return errors.New("Metrics is not an array of 1 to 100 definitions")
	}
	seen := map[string]bool{}
	for _, m := range defs {
		if err := validateMetric(root, m, dims, seen); err != nil {
			return err
		}
	}
	return nil
}

func validateMetric(root map[string]any, m any, dims, seen map[string]bool) error {
	def, ok := m.(map[string]any)
	if !ok {
		return errors.New("a metric definition is not an object")
	}
	for k := range def {
		if k != "Name" && k != "Unit" && k != "StorageResolution" {
			return fmt.Errorf("metric definition: unexpected member %q", k)
		}
	}
	name, ok := def["Name"].(string)
	if !ok || name == "" {
		return errors.New("metric Name is not a non-empty string")
	}
	if seen[name] || dims[name] {
		return fmt.Errorf("metric %q defined twice or also a dimension", name)
	}
	seen[name] = true
	if u, has := def["Unit"]; has {
		if s, ok := u.(string); !ok || !validUnits[s] {
			return fmt.Errorf("metric %q: Unit %v is not a CloudWatch unit", name, u)
		}
	}
	if r, has := def["StorageResolution"]; has {
		if n, ok := r.(json.Number); !ok || (n.String() != "1" && n.String() != "60") {
			return fmt.Errorf("metric %q: StorageResolution %v is not 1 or 60", name, r)
		}
	}
	switch v := root[name].(type) {
	case json.Number:
	case []any:
		if len(v) == 0 || len(v) > 100 {
			return fmt.Errorf("metric %q: array of %d values", name, len(v))
		}
		for _, x := range v {
			if _, ok := x.(json.Number); !ok {
				return fmt.Errorf("metric %q: a value is not a number", name)
			}
		}
	default:
		return fmt.Errorf("metric %q has no top-level numeric value", name)
	}
	return nil
}

// mustEMF validates line and returns its root object.
func mustEMF(tb testing.TB, line []byte) map[string]any {
	tb.Helper()
	root, err := validateEMF(line)
	if err != nil {
		tb.Fatalf("invalid EMF: %v\n%s", err, line)
	}
	return root
}

// TestValidateEMFRejects shows the checker itself catches what the
// specification forbids, so the tests that rely on it can fail.
func TestValidateEMFRejects(t *testing.T) {
	t.Parallel()
	const dir = `"Namespace":"Chatbot","Dimensions":[["Model"]],"Metrics":[{"Name":"Requests","Unit":"Count"}]`
	tests := []struct {
		name, line string
	}{
		{name: "no newline", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Model":"m","Requests":1}`},
		{name: "trailing data", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Model":"m","Requests":1} x` + "\n"},
		{name: "no _aws", line: `{"Model":"m","Requests":1}` + "\n"},
		{name: "no timestamp", line: `{"_aws":{"CloudWatchMetrics":[{` + dir + `}]},"Model":"m","Requests":1}` + "\n"},
		{name: "string timestamp", line: `{"_aws":{"Timestamp":"1","CloudWatchMetrics":[{` + dir + `}]},"Model":"m","Requests":1}` + "\n"},
		{name: "metric not top-level", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Model":"m"}` + "\n"},
		{name: "metric value string", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Model":"m","Requests":"1"}` + "\n"},
		{name: "dimension missing", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Requests":1}` + "\n"},
		{name: "dimension not string", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Model":3,"Requests":1}` + "\n"},
		{name: "bad unit", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Chatbot","Dimensions":[[]],"Metrics":[{"Name":"Requests","Unit":"Requests"}]}]},"Requests":1}` + "\n"},
		{name: "bad namespace", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"AWS/Lambda","Dimensions":[[]],"Metrics":[{"Name":"Requests"}]}]},"Requests":1}` + "\n"},
		{name: "bad resolution", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"C","Dimensions":[[]],"Metrics":[{"Name":"Requests","StorageResolution":5}]}]},"Requests":1}` + "\n"},
		{name: "31 dimensions", line: `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"C","Dimensions":[["a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a"]],"Metrics":[{"Name":"Requests"}]}]},"a":"x","Requests":1}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := validateEMF([]byte(tt.line)); err == nil {
				t.Errorf("accepted %s", tt.line)
			}
		})
	}
	ok := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{` + dir + `}]},"Model":"m","Requests":[1,2]}` + "\n"
	if _, err := validateEMF([]byte(ok)); err != nil {
		t.Errorf("rejected a valid line: %v", err)
	}
}
