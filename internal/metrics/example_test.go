package metrics_test

import (
	"os"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

func ExampleEMF_Observe() {
	e := metrics.New(os.Stdout, "Chatbot",
		metrics.WithTimeFunc(func() time.Time { return time.UnixMilli(1748779200000) }))
	e.Observe(&gateway.Record{ID: "req-1", Path: "/v1/chat/completions", Route: "/v1/chat/completions", Status: 200, Model: "eliza",
		Fallback: "throttled", FirstToken: 85 * time.Millisecond, Duration: 1200 * time.Millisecond,
		OutputTokens: 12, Outcome: "complete"})
	// Output:
	// {"_aws":{"Timestamp":1748779200000,"CloudWatchMetrics":[{"Namespace":"Chatbot","Dimensions":[[],["Model"],["Route"]],"Metrics":[{"Name":"Requests","Unit":"Count"},{"Name":"Errors5xx","Unit":"Count"},{"Name":"Errors4xx","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"},{"Name":"TimeToFirstToken","Unit":"Milliseconds"},{"Name":"OutputTokens","Unit":"Count"},{"Name":"Fallbacks","Unit":"Count"}]}]},"Model":"eliza","Route":"/v1/chat/completions","Requests":1,"Errors5xx":0,"Errors4xx":0,"Duration":1200,"TimeToFirstToken":85,"OutputTokens":12,"Fallbacks":1,"request_id":"req-1","status":200,"outcome":"complete","fallback_reason":"throttled"}
}
