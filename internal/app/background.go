package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// JobKey is the top-level key of a background job's event. A function
// URL event never has it: its top-level keys are fixed by Lambda (version,
// rawPath, headers, requestContext, body, …), and everything a client
// sends is nested under them.
const JobKey = "chatbot_background_job"

// jobEnvelope is a background job's event, as the function sends it to
// itself.
type jobEnvelope struct {
	Job *gateway.JobEvent `json:"chatbot_background_job"`
}

// JobRunner runs a background job handed off by another invocation
// (gateway.Handler.RunJob). The handler New returns on Lambda has it.
type JobRunner interface {
	RunJob(ctx context.Context, ev gateway.JobEvent) error
}

// withJobs is a handler wrapped for the request's sake (tracing), which
// still runs jobs.
type withJobs struct {
	http.Handler
	jobs JobRunner
}

func (w withJobs) RunJob(ctx context.Context, ev gateway.JobEvent) error {
	return w.jobs.RunJob(ctx, ev)
}

// LambdaEntry is the function's handler: an event with JobKey at its top
// is a background job, run by h's JobRunner; every other event is a
// function URL event, served by LambdaHandler as before. It returns the
// handler's own value, so that a streamed response (an io.Reader that
// aws-lambda-go cannot encode as JSON) is still streamed: aws-lambda-go
// tells it by the value it is given, not by the handler's signature.
func LambdaEntry(h http.Handler) func(context.Context, json.RawMessage) (any, error) {
	serve := LambdaHandler(h)
	jobs, _ := h.(JobRunner)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe jobEnvelope
		if json.Unmarshal(raw, &probe) == nil && probe.Job != nil {
			if jobs == nil {
				return nil, errors.New("background job event, but this handler runs no jobs")
			}
			// The answer's outcome is in its kept stream; an error here
			// means the job could not be looked at.
			return nil, jobs.RunJob(ctx, *probe.Job)
		}
		var ev *events.LambdaFunctionURLRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err // as aws-lambda-go answers an event that does not decode
		}
		return serve(ctx, ev)
	}
}

// handoff sends background jobs to function, the function itself, as
// asynchronous invocations (InvocationType Event): Lambda queues the event
// and answers 202 at once. The event holds ids and a hash, far under the 1
// MB that an asynchronous invocation's payload may hold (AWS Lambda API
// reference, Invoke: "For asynchronous invocations, the maximum payload
// size is 1 MB"); the request itself stays in the stream table.
func handoff(ctx context.Context, function string, o *options) (gateway.Handoff, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx, o.awsOpts...)
	if err != nil {
		return nil, fmt.Errorf("background jobs: load AWS config: %w", err)
	}
	client := lambda.NewFromConfig(awsCfg)
	return func(ctx context.Context, ev gateway.JobEvent) error {
		payload, err := json.Marshal(jobEnvelope{Job: &ev})
		if err != nil {
			return err
		}
		_, err = client.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String(function),
			InvocationType: types.InvocationTypeEvent,
			Payload:        payload,
		})
		if err != nil {
			return fmt.Errorf("invoke %s: %w", function, err)
		}
		return nil
	}, nil
}
