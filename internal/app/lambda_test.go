package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/chatcompletions"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// TestLambdaHandlerEvents serves function URL events in the shape Lambda
// delivers them (testdata/function-url-*.json, after aws-lambda-go's own
// recorded events: headers, a base64 body, a query) through lambdaurl; an
// event lambdaurl cannot make into a request is answered with the JSON 400
// whose logged cause is lambdaurl's own error, not an invocation error.
func TestLambdaHandlerEvents(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file   string
		status int
		says   string // in the body
		cause  string // in the request's log line
	}{
		// Recorded by aws-lambda-go from a deployed function URL
		// (lambdaurl/testdata, Apache-2.0): POST /hello, not a route here.
		{file: "aws-lambda-go-function-url-request.json", status: 404, says: `"code":"not_found"`},
		{file: "function-url-chat-completions.json", status: 200, says: `"content":"hi there"`},
		{file: "function-url-chat-completions-base64.json", status: 200, says: `"content":"hi there"`},
		{file: "function-url-get-models.json", status: 200, says: `"id":"echo"`},
		{file: "function-url-bad-escape.json", status: 400, says: `"code":"malformed_request"`, cause: `invalid URL escape`},
	} {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.LambdaFunctionURLRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			var logs lockedBuffer
			h, err := gateway.New(gateway.Config{
				Models: []gateway.ModelEntry{{ID: "echo", Model: chat.ModelFunc(
					func(_ context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
						return chat.Result{}, emit(chat.Delta{Text: "hi there"})
					})}},
				Formats:      []gateway.Format{chatcompletions.Format{}},
				MaxBodyBytes: gateway.DefaultMaxBodyBytes,
				Limits:       gateway.DefaultLimits(),
				Logger:       slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := app.LambdaHandler(h)(context.Background(), &ev)
			if err != nil {
				t.Fatalf("invocation error: %v", err)
			}
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.status || !strings.Contains(string(body), tt.says) {
				t.Errorf("status %d, body %s; want %d and %s", res.StatusCode, body, tt.status, tt.says)
			}
			if tt.cause != "" && !strings.Contains(logs.String(), tt.cause) {
				t.Errorf("log %s does not give the cause %q", logs.String(), tt.cause)
			}
		})
	}
}
