package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// StreamConfig says where streamed answers are kept for resuming
// (STREAM_*).
type StreamConfig struct {
	// Resume is true when answers are kept (STREAM_RESUME, on by
	// default): locally in memory without a table, and on Lambda only
	// with a table, since instances share no memory.
	Resume bool
	// Table is the DynamoDB table (STREAM_TABLE); empty: in memory.
	Table         string
	TTL           time.Duration // STREAM_TTL
	FlushInterval time.Duration // STREAM_FLUSH_INTERVAL
	PollInterval  time.Duration // STREAM_POLL_INTERVAL
	// Function is the function a background answer is handed to on
	// Lambda, the function itself: AWS_LAMBDA_FUNCTION_NAME, qualified
	// with AWS_LAMBDA_FUNCTION_VERSION unless that is $LATEST, so that the
	// same code answers. Empty outside Lambda.
	Function string
}

// FailoverConfig is the chain of models tried when the one asked for
// cannot answer (BEDROCK_FALLBACK_MODELS, FAILOVER).
type FailoverConfig struct {
	// Models are tried in order after the requested model fails before
	// its first token (throttling, outage, timeout); ELIZA comes last.
	Models []string
	// MidStream continues an answer that failed after its first token on
	// the next model of the chain (FAILOVER=on, the default with a chain).
	MidStream bool
}

// loadStream reads STREAM_*.
func loadStream(e *env, lambda bool) StreamConfig {
	c := StreamConfig{
		Table:         e.str("STREAM_TABLE", ""),
		TTL:           e.duration("STREAM_TTL", streambuf.DefaultTTL, time.Minute),
		FlushInterval: e.duration("STREAM_FLUSH_INTERVAL", streambuf.DefaultFlushInterval, 10*time.Millisecond),
		PollInterval:  e.duration("STREAM_POLL_INTERVAL", streambuf.DefaultPollInterval, 10*time.Millisecond),
	}
	if c.Table != "" && !tableName.MatchString(c.Table) {
		e.bad("STREAM_TABLE", c.Table, "a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)", nil)
	}
	if c.TTL > 7*24*time.Hour {
		e.bad("STREAM_TTL", c.TTL.String(), "a duration of at most 168h", nil)
	}
	c.Resume = e.boolean("STREAM_RESUME", true) && (!lambda || c.Table != "")
	if lambda {
		c.Function = e.str("AWS_LAMBDA_FUNCTION_NAME", "")
		if v := e.str("AWS_LAMBDA_FUNCTION_VERSION", ""); c.Function != "" && v != "" && v != "$LATEST" {
			c.Function += ":" + v
		}
	}
	return c
}

// loadFailover reads BEDROCK_FALLBACK_MODELS, whose entries are read as
// BEDROCK_MODELS' are (prefixes recorded in b), and FAILOVER.
func loadFailover(e *env, b *bedrock.Config) FailoverConfig {
	var c FailoverConfig
	for _, raw := range e.list("BEDROCK_FALLBACK_MODELS") {
		c.Models = append(c.Models, modelEntry(e, b, "BEDROCK_FALLBACK_MODELS", raw))
	}
	if len(c.Models) > 0 && !b.Enabled() {
		e.fail("BEDROCK_FALLBACK_MODELS", errors.New("set without BEDROCK_MODEL_ID: there is no model to fall back from"))
	}
	switch v := e.str("FAILOVER", ""); v {
	case "":
		c.MidStream = len(c.Models) > 0
	case "on":
		if len(c.Models) == 0 {
			e.fail("FAILOVER", errors.New("on without BEDROCK_FALLBACK_MODELS: there is no model to continue on"))
		}
		c.MidStream = len(c.Models) > 0
	case "off":
	default:
		e.bad("FAILOVER", v, "on or off", nil)
	}
	return c
}

// keepStreams sets the gateway to keep streamed answers as c says: in a
// DynamoDB table (its client from the same AWS options as Bedrock's) or in
// memory.
func keepStreams(ctx context.Context, c StreamConfig, o *options, g *gateway.Config) error {
	if !c.Resume {
		return nil
	}
	g.StreamWriter = streambuf.WriterConfig{FlushInterval: c.FlushInterval, CancelCheck: time.Second}
	if c.Table == "" {
		g.Streams = streambuf.NewMemory(streambuf.MemoryConfig{TTL: c.TTL})
		return nil
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, o.awsOpts...)
	if err != nil {
		return fmt.Errorf("stream table: load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		return errors.New("stream table: no region: set AWS_REGION")
	}
	g.Streams = streambuf.NewDynamo(dynamodb.NewFromConfig(awsCfg), c.Table,
		streambuf.DynamoConfig{TTL: c.TTL, PollInterval: c.PollInterval})
	return nil
}
