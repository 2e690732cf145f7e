package metrics_test

import (
	"encoding/json"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

func TestCostUSDByModelAndCallerGroup(t *testing.T) {
	t.Parallel()
	rec := gateway.Record{Route: "/v1/chat/completions", Status: 200, Model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
		Outcome: "complete", Pricing: gateway.Priced, CostUSD: 0.02775, CallerGroup: "key:ci"}
	root := mustEMF(t, observe(t, &rec))
	dirs := root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)
	if len(dirs) != 2 {
		t.Fatalf("%d directives; want the request's and CostUSD's", len(dirs))
	}
	cost := dirs[1].(map[string]any)
	dims, _ := json.Marshal(cost["Dimensions"])
	if string(dims) != `[[],["Model"],["CallerGroup"]]` {
		t.Errorf("CostUSD dimensions %s", dims)
	}
	if v, err := root["CostUSD"].(json.Number).Float64(); err != nil || v != 0.02775 {
		t.Errorf("CostUSD = %v (%v)", root["CostUSD"], err)
	}
	if root["CallerGroup"] != "key:ci" {
		t.Errorf("CallerGroup = %v", root["CallerGroup"])
	}

	// Unknown is said, never counted as $0.
	rec.Pricing, rec.CostUSD, rec.CallerGroup = gateway.Unpriced, 0, ""
	root = mustEMF(t, observe(t, &rec))
	if n := len(root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)); n != 1 || root["CostUSD"] != nil || root["cost_usd"] != "unknown" {
		t.Errorf("unpriced: %d directives, CostUSD %v, cost_usd %v", n, root["CostUSD"], root["cost_usd"])
	}
}
