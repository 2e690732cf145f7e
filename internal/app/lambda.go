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

// LambdaHandler is the function's handler: lambdaurl's for h. lambdaurl
// builds an http.Request from the event and fails before h runs when
// net/http cannot parse its method or path ("POST X", "/v1/%zz"): the
// invocation would end in an error, the caller get the function URL's 502,
// nothing be logged and the function-errors alarm fire. So when lambdaurl
// refuses an event, h answers it instead, as a 400 logged with lambdaurl's
// own error as its cause (see gateway.WithMalformed), through a stand-in
// request that parses.
func LambdaHandler(h http.Handler) func(context.Context, *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	serve := lambdaurl.Wrap(h)
	return func(ctx context.Context, ev *events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
		var err error
		switch {
		case ev == nil:
			err = errors.New("no event")
		case !strings.HasPrefix(ev.RawPath, "/"):
			// lambdaurl puts the path right after the domain name: without
			// a slash it would change the host ("@evil.example/…"), and
			// parse.
			err = fmt.Errorf("rawPath %q does not start with /", ev.RawPath)
		default:
			res, serr := serve(ctx, ev)
			if serr == nil {
				return res, nil
			}
			err = serr // lambdaurl's: the event makes no http.Request; h has not run
		}
		m := gateway.Malformed{Err: err}
		if ev != nil {
			m.Method, m.Path = ev.RequestContext.HTTP.Method, ev.RawPath
		}
		return serve(gateway.WithMalformed(ctx, m), standIn(ev))
	}
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
