package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
)

// The places stored responses and conversations can be kept (STATE_STORE).
const (
	StateAuto     = "auto"     // DynamoDB with STATE_TABLE; else memory locally and none on Lambda
	StateOff      = "off"      // none: store, previous_response_id and conversations are refused by name
	StateMemory   = "memory"   // this process only (local runs)
	StateDynamoDB = "dynamodb" // the STATE_TABLE table, shared by every instance
)

// StateConfig says where stored responses and conversations are kept.
type StateConfig struct {
	Store string // StateOff, StateMemory or StateDynamoDB, once resolved from StateAuto
	Table string // STATE_TABLE
	convstore.Config
}

// loadState reads STATE_*.
func loadState(e *env, lambda bool) StateConfig {
	c := StateConfig{
		Store: e.str("STATE_STORE", StateAuto),
		Table: e.str("STATE_TABLE", ""),
		Config: convstore.Config{
			TTL:              e.duration("STATE_TTL", convstore.DefaultTTL, time.Hour),
			MaxConversations: int(e.integer("STATE_MAX_CONVERSATIONS", convstore.DefaultMaxConversations, 1, 100_000)),
			MaxItems:         int(e.integer("STATE_MAX_ITEMS", convstore.DefaultMaxItems, 1, 100_000)),
			MaxRecordBytes:   convstore.DefaultMaxRecordBytes,
		},
	}
	if c.Table != "" && !tableName.MatchString(c.Table) {
		e.bad("STATE_TABLE", c.Table, "a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -)", nil)
	}
	switch c.Store {
	case StateAuto:
		switch {
		case c.Table != "":
			c.Store = StateDynamoDB
		case lambda:
			c.Store = StateOff
		default:
			c.Store = StateMemory
		}
	case StateOff:
	case StateMemory:
		if lambda {
			e.fail("STATE_STORE", errors.New("memory cannot be used on Lambda: instances share nothing, so a "+
				"conversation kept by one is missing on the next; set STATE_TABLE"))
		}
	case StateDynamoDB:
		if c.Table == "" {
			e.fail("STATE_TABLE", errors.New("required with STATE_STORE=dynamodb"))
		}
	default:
		e.bad("STATE_STORE", c.Store, "auto, off, memory or dynamodb", nil)
	}
	return c
}

// newStateStore opens the store cfg names, or returns nil when nothing is
// kept.
func newStateStore(ctx context.Context, cfg StateConfig, now func() time.Time, awsOpts []func(*config.LoadOptions) error) (convstore.Store, error) {
	sc := cfg.Config
	sc.Now = now
	switch cfg.Store {
	case StateMemory:
		return convstore.NewMemory(sc)
	case StateDynamoDB:
		awsCfg, err := config.LoadDefaultConfig(ctx, awsOpts...)
		if err != nil {
			return nil, fmt.Errorf("state store: load AWS config: %w", err)
		}
		if awsCfg.Region == "" {
			return nil, errors.New("state store: no region: set AWS_REGION")
		}
		return convstore.NewDynamo(dynamodb.NewFromConfig(awsCfg), cfg.Table, sc)
	}
	return nil, nil
}
