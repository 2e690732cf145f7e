package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdaurl"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// LambdaHandler is the function's handler: lambdaurl's for h, behind a
// check of the event. lambdaurl builds an http.Request from the event and
// fails before h runs when net/http cannot parse its method or path ("POST
// X", "/v1/%zz"): the invocation would end in an error, the caller get the
// function URL's 502, nothing be logged and the function-errors alarm
// fire. Such an event is answered by h instead, as a 400 logged with its
// cause (see gateway.WithMalformed), through a stand-in request that
// parses.
func LambdaHandler(h http.Handler) func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	serve := lambdaurl.Wrap(h)
	return func(ctx context.Context, ev *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
		if err := checkEvent(ev); err != nil {
			m := gateway.Malformed{Err: err}
			if ev != nil {
				m.Method, m.Path = ev.RequestContext.HTTP.Method, ev.RawPath
			}
			return serve(gateway.WithMalformed(ctx, m), standIn(ev))
		}
		return serve(ctx, ev)
	}
}

// checkEvent builds the request lambdaurl.Wrap will build from ev, and
// reports why it cannot.
func checkEvent(ev *events.LambdaFunctionURLRequest) error {
	if ev == nil {
		return errors.New("no event")
	}
	if !strings.HasPrefix(ev.RawPath, "/") {
		// The path follows the domain name in the URL: without a slash it
		// would change the host.
		return fmt.Errorf("rawPath %q does not start with /", ev.RawPath)
	}
	url := "https://" + ev.RequestContext.DomainName + ev.RawPath
	if ev.RawQueryString != "" {
		url += "?" + ev.RawQueryString
	}
	_, err := http.NewRequest(ev.RequestContext.HTTP.Method, url, nil)
	return err
}

// standIn is a request that parses, carrying what the log line needs of
// ev: the caller's address.
func standIn(ev *events.LambdaFunctionURLRequest) *events.LambdaFunctionURLRequest {
	s := &events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/"}
	s.RequestContext.DomainName = "malformed.invalid"
	s.RequestContext.HTTP.Method = http.MethodGet
	s.RequestContext.HTTP.Path = "/"
	if ev != nil {
		s.RequestContext.RequestID = ev.RequestContext.RequestID
		s.RequestContext.HTTP.SourceIP = ev.RequestContext.HTTP.SourceIP
	}
	return s
}
