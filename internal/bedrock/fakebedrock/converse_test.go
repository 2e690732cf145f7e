package fakebedrock_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// sdkClient is the real SDK's runtime client for srv.
func sdkClient(srv *fakebedrock.Server) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// known fails the test when the SDK decoded ev, or a union inside it, into
// an unknown member: the fake sent a shape the service model does not
// have, and the code under test would skip it. An event type the model
// lacks becomes a types.UnknownUnionMember; a member a nested union lacks
// leaves the union nil (smithy.ReadUnion in this SDK version), so nil
// counts as unknown too.
func known(t *testing.T, ev types.ConverseStreamOutput) string {
	t.Helper()
	switch e := ev.(type) {
	case *types.UnknownUnionMember:
		t.Errorf("event %q is not a ConverseStreamOutput member", e.Tag)
	case *types.ConverseStreamOutputMemberContentBlockStart:
		switch u := e.Value.Start.(type) {
		case nil:
			t.Error("contentBlockStart.start has no member the SDK knows")
		case *types.UnknownUnionMember:
			t.Errorf("contentBlockStart.start %q is unknown", u.Tag)
		}
		return "contentBlockStart"
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		switch d := e.Value.Delta.(type) {
		case nil:
			t.Error("contentBlockDelta.delta has no member the SDK knows")
		case *types.UnknownUnionMember:
			t.Errorf("contentBlockDelta.delta %q is unknown", d.Tag)
		case *types.ContentBlockDeltaMemberReasoningContent:
			switch u := d.Value.(type) {
			case nil:
				t.Error("reasoningContent has no member the SDK knows")
			case *types.UnknownUnionMember:
				t.Errorf("reasoningContent %q is unknown", u.Tag)
			}
			return "reasoningContent"
		case *types.ContentBlockDeltaMemberToolUse:
			return "toolUse"
		case *types.ContentBlockDeltaMemberText:
			return "text"
		}
		if e.Value.ContentBlockIndex == nil {
			t.Error("contentBlockDelta without contentBlockIndex")
		}
	case *types.ConverseStreamOutputMemberMessageStop:
		if e.Value.StopReason == "" {
			t.Error("messageStop without stopReason")
		}
		return "messageStop"
	case *types.ConverseStreamOutputMemberMetadata:
		if e.Value.Usage == nil || e.Value.Usage.InputTokens == nil || e.Value.Usage.OutputTokens == nil {
			t.Error("metadata without usage")
		}
		return "metadata"
	case *types.ConverseStreamOutputMemberMessageStart:
		return "messageStart"
	case *types.ConverseStreamOutputMemberContentBlockStop:
		return "contentBlockStop"
	}
	return ""
}

// TestConverseEventsAreKnown drives every kind of answer the fake writes
// for ConverseStream (text, a tool call, signed reasoning, a guardrail's
// intervention with its trace, cache use) through the real SDK, and fails
// if any event or union inside one decodes into an unknown member.
func TestConverseEventsAreKnown(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(3)),
		fakebedrock.WithGuardrail(fakebedrock.Guardrail{ID: "g", Version: "1", Word: "forbidden", Message: "No."}))
	t.Cleanup(srv.Close)
	client := sdkClient(srv)
	user := func(text string) types.Message {
		return types.Message{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: text}}}
	}
	tool := &types.ToolConfiguration{Tools: []types.Tool{&types.ToolMemberToolSpec{Value: types.ToolSpecification{
		Name: aws.String("get_weather"), InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(map[string]any{"type": "object"})},
	}}}}
	tests := []struct {
		name string
		in   bedrockruntime.ConverseStreamInput
		want []string // kinds of event that must appear
	}{
		{name: "text", in: bedrockruntime.ConverseStreamInput{Messages: []types.Message{user("Hi")}},
			want: []string{"messageStart", "text", "contentBlockStop", "messageStop", "metadata"}},
		{name: "tool call", in: bedrockruntime.ConverseStreamInput{Messages: []types.Message{user("Use get_weather")}, ToolConfig: tool},
			want: []string{"contentBlockStart", "toolUse", "messageStop"}},
		{name: "reasoning", in: bedrockruntime.ConverseStreamInput{Messages: []types.Message{user("Hi")},
			AdditionalModelRequestFields: document.NewLazyDocument(map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 1024}})},
			want: []string{"reasoningContent", "text"}},
		{name: "guardrail", in: bedrockruntime.ConverseStreamInput{Messages: []types.Message{user("forbidden")},
			GuardrailConfig: &types.GuardrailStreamConfiguration{GuardrailIdentifier: aws.String("g"), GuardrailVersion: aws.String("1"),
				Trace: types.GuardrailTraceEnabled, StreamProcessingMode: types.GuardrailStreamProcessingModeSync}},
			want: []string{"text", "messageStop", "metadata"}},
		{name: "cache point", in: bedrockruntime.ConverseStreamInput{Messages: []types.Message{user("Hi")},
			System: []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "Long rules."},
				&types.SystemContentBlockMemberCachePoint{Value: types.CachePointBlock{Type: types.CachePointTypeDefault}}}},
			want: []string{"text", "metadata"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			in.ModelId = aws.String("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
			// A protocol per call: the client's shared event-stream codec
			// is not safe for concurrent streams (aws/smithy-go#714).
			out, err := client.ConverseStream(context.Background(), &in, func(o *bedrockruntime.Options) { o.Protocol = restjson1.New(nil) })
			if err != nil {
				t.Fatal(err)
			}
			stream := out.GetStream()
			defer stream.Close()
			seen := map[string]bool{}
			for ev := range stream.Events() {
				seen[known(t, ev)] = true
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			for _, k := range tt.want {
				if !seen[k] {
					t.Errorf("no %s event; saw %v", k, seen)
				}
			}
		})
	}
}
