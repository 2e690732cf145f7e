package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/eliza"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

// build reads the whole configuration and builds the handler once, with its
// expensive clients (AWS SDK, key set), for the life of the process.
// Metrics, when on, are written to out as CloudWatch EMF lines.
func build(ctx context.Context, getenv func(string) string, onLambda bool, log *slog.Logger, out io.Writer) (http.Handler, settings, error) {
	s, err := loadSettings(getenv)
	if err != nil {
		return nil, s, err
	}
	acfg, err := auth.LoadConfig(getenv, onLambda)
	if err != nil {
		return nil, s, err
	}
	if !onLambda {
		if err := auth.CheckLocal(acfg, s.addr); err != nil {
			return nil, s, err
		}
	}
	el, err := eliza.New(eliza.Options{WordDelay: s.wordDelay})
	if err != nil {
		return nil, s, fmt.Errorf("load eliza: %w", err)
	}
	cfg := gateway.Config{
		FallbackModel:  "eliza",
		Fallback:       bedrock.FallbackReason,
		MaxBodyBytes:   s.maxBody,
		MaxTokens:      s.maxTokens,
		Heartbeat:      s.heartbeat,
		DeadlineMargin: s.deadlineMargin,
		Logger:         log,
	}
	mcfg, err := metrics.LoadConfig(getenv, onLambda)
	if err != nil {
		return nil, s, err
	}
	if mcfg.Enabled {
		cfg.Observe = metrics.New(out, mcfg.Namespace).Observe
	}
	bcfg, err := bedrock.LoadConfig(getenv)
	if err != nil {
		return nil, s, err
	}
	if bcfg.Enabled() {
		models, err := bedrock.NewModels(ctx, bcfg)
		if err != nil {
			return nil, s, err
		}
		for _, id := range bcfg.ModelIDs() {
			cfg.Models = append(cfg.Models, gateway.ModelEntry{ID: id, OwnedBy: "amazon-bedrock", Model: models[id]})
		}
		cfg.DefaultModel = bcfg.DefaultModel
	}
	cfg.Models = append(cfg.Models, gateway.ModelEntry{ID: "eliza", OwnedBy: "chatbot", Model: el})
	cfg.Models = append(cfg.Models, testModels...)

	guard, err := auth.New(ctx, acfg)
	if err != nil {
		return nil, s, err
	}
	cfg.Auth, cfg.Tokens = guard, guard
	if onLambda {
		cfg.RequestID = lambdaRequestID
	} else {
		cfg.Static = staticSite(s.webDir)
		if !pageBuilt(s.webDir) {
			log.Info("chat page not built yet; / says it is building until it is", "web_dir", s.webDir)
		}
	}
	h, err := gateway.New(cfg)
	if err != nil {
		return nil, s, err
	}
	return guard.CORS(h), s, nil
}

// testModels are extra models compiled in only by the chatbot_testhooks
// build tag, for tests of the real binary (see testhooks.go).
var testModels []gateway.ModelEntry

// lambdaRequestID makes the log line's request id the Lambda invocation's.
func lambdaRequestID(r *http.Request) string {
	if lc, ok := lambdacontext.FromContext(r.Context()); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return "unknown"
}
