package bedrock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// Backoff before the first token: baseBackoff doubled per retry, capped,
// then jittered, and never beyond Config.RetryBudget in total.
const (
	baseBackoff = 200 * time.Millisecond
	maxBackoff  = 2 * time.Second
)

// Model is one Bedrock model id, answering through a shared client.
type Model struct {
	id     string
	family Family      // "" for a model no InvokeModel family knows
	spec   *familySpec // nil with family ""
	// base is the foundation model id the model answers with: id itself,
	// or what an application inference profile routes to.
	base   string
	api    API
	caps   chat.Capabilities
	client *bedrockruntime.Client
	cfg    Config
}

var (
	_ chat.Model   = (*Model)(nil)
	_ chat.Capable = (*Model)(nil)
)

// NewModels builds one Bedrock runtime client from the standard AWS
// configuration (region, credentials, AWS_ENDPOINT_URL_BEDROCK_RUNTIME and
// the other AWS_* variables; optFns override them) and returns a Model for
// each configured id, keyed by id. The SDK's own retries are off: Stream
// retries only before the first token, under its own budget. It returns an
// empty map when cfg is not enabled.
func NewModels(ctx context.Context, cfg Config, optFns ...func(*config.LoadOptions) error) (map[string]chat.Model, error) {
	models := make(map[string]chat.Model)
	if !cfg.Enabled() {
		return models, nil
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("load AWS config: no region: set AWS_REGION")
	}
	if awsCfg.Credentials != nil {
		awsCfg.Credentials = markCredentialErrors{awsCfg.Credentials}
	}
	client := bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = boundedFrames{plainBody{o.HTTPClient}}
	})
	var control *bedrock.Client // the control plane, for application inference profiles
	for _, id := range cfg.ModelIDs() {
		m := &Model{id: id, base: id, client: client, cfg: cfg}
		if IsApplicationProfile(id) {
			if control == nil {
				control = bedrock.NewFromConfig(awsCfg)
			}
			base, err := resolveProfile(ctx, control, id)
			if err != nil {
				return nil, err
			}
			m.base = base
		}
		f, ferr := FamilyOf(m.base)
		m.api = cfg.apiFor(id, ferr == nil)
		if ferr == nil {
			m.family, m.spec = f, families[f]
		} else if m.api == APIInvoke {
			return nil, ferr
		}
		m.caps = capsOf(m.base, m.spec, m.api == APIConverse)
		models[id] = m
	}
	return models, nil
}

// markCredentialErrors tags failures to obtain credentials, which the SDK
// otherwise reports as anonymous wrapped errors.
type markCredentialErrors struct{ aws.CredentialsProvider }

func (m markCredentialErrors) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := m.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return c, fmt.Errorf("%w: %w", ErrNoCredentials, err)
	}
	return c, nil
}

// plainBody hands net/http the request body as a plain in-memory reader.
// The SDK's own body wrapper is closed by the SDK once the response
// arrives, and from then on answers net/http's final "anything left?" read
// with io.EOF as an error; the transport then closes the connection under
// the response that is still streaming. Seen as random "use of closed
// network connection" failures mid-stream.
//
// An InvokeModel call marks its context with the body it sends
// (withRequestBody): those bytes are handed over as they are, so a body of
// megabytes of images is not copied again on every attempt. Other calls'
// bodies, which the SDK serialises itself, are read into memory once.
//
// Remove it when TestCanarySmithyBodyEOFAfterClose fails: smithy-go's body
// wrapper then no longer answers a read after Close with io.EOF.
type plainBody struct{ bedrockruntime.HTTPClient }

type requestBodyKey struct{}

// withRequestBody marks ctx with the body a call sends.
func withRequestBody(ctx context.Context, body []byte) context.Context {
	return context.WithValue(ctx, requestBodyKey{}, body)
}

func (c plainBody) Do(r *http.Request) (*http.Response, error) {
	if b, ok := r.Context().Value(requestBodyKey{}).([]byte); ok && r.Body != nil && int64(len(b)) == r.ContentLength {
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		return c.HTTPClient.Do(r)
	}
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return c.HTTPClient.Do(r)
}

// ID returns the Bedrock model id.
func (m *Model) ID() string { return m.id }

// Base returns the foundation model id the model answers with: its id, or
// the model its application inference profile routes to.
func (m *Model) Base() string { return m.base }

// Family returns the model's InvokeModel request and stream format, or ""
// for a model no InvokeModel family knows (it answers through Converse).
func (m *Model) Family() Family { return m.family }

// API returns the runtime operation the model answers through.
func (m *Model) API() API { return m.api }

// Capabilities returns what the model can do beyond text: what its model
// card lists and its API path carries (see CardOf).
func (m *Model) Capabilities() chat.Capabilities { return m.caps }

// Stream asks the model and emits its text as it arrives.
//
// Before the first text, throttling, server errors, cut streams and
// transport timeouts are retried with jittered exponential backoff, at most
// Config.MaxRetries times and within Config.RetryBudget of waiting. The
// first-token timeout spans all attempts and is not retried: when it
// passes, the error is ErrFirstTokenTimeout. A ValidationException becomes
// a chat.PublicError of kind chat.ErrInvalidRequest carrying Bedrock's
// message. After the first text nothing is retried, and a silence of
// Config.IdleTimeout between events ends the stream with ErrIdleTimeout.
// Use FallbackReason on an error returned before any text to decide on a
// fallback.
//
// Bedrock's own failures also match a chat kind, which tells the gateway
// whose fault they are: chat.ErrUnavailable when a later call may succeed
// (throttling, capacity, timeouts), chat.ErrUpstreamTimeout for the idle
// timeout, chat.ErrUpstream for the rest. The caller's own context and
// emit's errors are returned as they are.
//
// On every exit, with or without an error, the Result's Usage holds what
// the model reported as far as it got (Claude's message_start, a chunk's
// prompt_token_count, Nova's metadata, Bedrock's invocation metrics), zero
// where it has not said yet; the usage of attempts that failed before any
// text and were retried is added in, because Bedrock bills each call the
// model started. With an error, FinishReason means nothing.
func (m *Model) Stream(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
	if param := m.caps.Missing(req.Features()); param != "" {
		return chat.Result{}, chat.Unsupported(m.id, param)
	}
	call, err := m.prepare(req)
	if err != nil {
		return chat.Result{}, err
	}
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timer *time.Timer
	if m.cfg.FirstTokenTimeout > 0 {
		timer = time.AfterFunc(m.cfg.FirstTokenTimeout, func() { cancel(ErrFirstTokenTimeout) })
		defer timer.Stop()
	}
	var emitErr error // the caller's own, returned as it is
	relay := func(d chat.Delta) error {
		if err := emit(d); err != nil {
			emitErr = err
			return err
		}
		return nil
	}
	var (
		waited time.Duration
		spent  chat.Usage // what the attempts that failed before any text reported
	)
	for attempt := 0; ; attempt++ {
		res, emitted, err := call(sctx, relay, timer)
		res.Usage = addUsage(res.Usage, spent)
		switch {
		case err == nil:
			return res, nil
		case emitted:
			switch {
			case ctx.Err() != nil:
				err = ctx.Err()
			case emitErr != nil:
			case errors.Is(err, ErrIdleTimeout):
				err = withKind(err, chat.ErrUpstreamTimeout)
			default:
				err = withKind(err, chat.ErrUpstream)
			}
			return res, fmt.Errorf("stream %s: %w", m.id, err)
		}
		spent = res.Usage
		failed := chat.Result{Usage: spent}
		err = m.beforeTokenErr(ctx, sctx, err)
		if !classify(err).retry || attempt >= m.cfg.MaxRetries {
			return failed, withKind(err, classify(err).kind())
		}
		d := m.backoff(attempt)
		if rest := m.cfg.RetryBudget - waited; d > rest {
			d = rest
		}
		if d <= 0 {
			return failed, withKind(err, classify(err).kind())
		}
		// The retry is an attempt of its own in a trace.
		telemetry.Retry(ctx, err)
		if serr := m.sleep(sctx, d); serr != nil {
			err = m.beforeTokenErr(ctx, sctx, serr)
			return failed, withKind(err, classify(err).kind())
		}
		waited += d
	}
}

// prepare builds the request of req for the model's API once, and returns
// the call that makes one attempt with it.
func (m *Model) prepare(req *chat.Request) (func(ctx context.Context, emit chat.Emit, timer *time.Timer) (chat.Result, bool, error), error) {
	p, err := splitPrompt(req, m.cfg.SystemPrompt, m.cfg.AllowClientSystem)
	if err != nil {
		return nil, err
	}
	req, p = m.cachePoints(req, p)
	if m.api == APIConverse {
		in, err := m.converseInput(req, p)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, emit chat.Emit, timer *time.Timer) (chat.Result, bool, error) {
			return m.converseAttempt(ctx, in, emit, timer)
		}, nil
	}
	body, err := buildBody(m.spec, req, p)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, emit chat.Emit, timer *time.Timer) (chat.Result, bool, error) {
		return m.attempt(ctx, body, emit, timer)
	}, nil
}

// addUsage is the usage of two calls together: each one Bedrock bills.
func addUsage(a, b chat.Usage) chat.Usage {
	return chat.Usage{
		PromptTokens:     a.PromptTokens + b.PromptTokens,
		CompletionTokens: a.CompletionTokens + b.CompletionTokens,
		ReasoningTokens:  a.ReasoningTokens + b.ReasoningTokens,
		CacheReadTokens:  a.CacheReadTokens + b.CacheReadTokens,
		CacheWriteTokens: a.CacheWriteTokens + b.CacheWriteTokens,
	}
}

// ownProtocol gives a call a protocol of its own. The client's default one
// holds an event-stream codec whose scratch state every concurrent stream
// writes without a lock (smithy-go v1.28.8, internal/eventstream.Codec;
// aws/smithy-go#714), a data race; a protocol per call costs one small
// allocation. restjson1.New ignores its schema argument.
//
// Remove it when TestCanaryRestJSON1SharesEventStreamCodec fails: the
// protocol then no longer keeps one event-stream codec with reused state.
func ownProtocol(o *bedrockruntime.Options) { o.Protocol = restjson1.New(nil) }

// attempt makes one call and relays its stream. emitted reports whether
// emit was called, after which the call must not be repeated.
func (m *Model) attempt(ctx context.Context, body []byte, emit chat.Emit, timer *time.Timer) (res chat.Result, emitted bool, err error) {
	in := &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId:     aws.String(m.id),
		Body:        body,
		ContentType: aws.String("application/json"),
		Accept:      aws.String("application/json"),
	}
	m.withGuardrail(in)
	stream, err := invokestream.Open(withRequestBody(ctx, body), m.client, in, ownProtocol)
	if err != nil {
		return chat.Result{}, false, err
	}
	defer stream.Close() // closes the response body: the upstream is told
	// The context's end, and a silence once the answer has begun, close
	// the response body, which ends the read that waits on it: the loop
	// below reads the stream in this goroutine alone.
	defer context.AfterFunc(ctx, func() { _ = stream.Close() })()
	r := &attemptRelay{ctx: ctx, timer: timer, emit: emit, timeout: m.idleTimeout(), onIdle: func() { _ = stream.Close() }}
	defer r.stop()
	send := r.send
	var st streamState
	if m.spec.split != nil {
		st.split = m.spec.split()
	}
	for {
		r.waiting()
		payload, err := stream.Next()
		r.busy()
		if err != nil {
			if err := r.end(err, st.ended); err != nil {
				return st.result(), r.emitted, err
			}
			return st.result(), r.emitted, st.flush(send)
		}
		if err := m.spec.decodeChunk(payload, &st, send); err != nil {
			return st.result(), r.emitted, err
		}
	}
}

func (m *Model) idleTimeout() time.Duration {
	if m.cfg.IdleTimeout > 0 {
		return m.cfg.IdleTimeout
	}
	return DefaultIdleTimeout
}

// beforeTokenErr gives a failure before any text its meaning: the caller's
// context, the first-token timeout, a client error, or Bedrock's error.
func (m *Model) beforeTokenErr(ctx, sctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("invoke %s: %w", m.id, ctx.Err())
	}
	if errors.Is(context.Cause(sctx), ErrFirstTokenTimeout) || errors.Is(err, ErrFirstTokenTimeout) {
		return fmt.Errorf("invoke %s: %w (%s)", m.id, ErrFirstTokenTimeout, m.cfg.FirstTokenTimeout)
	}
	var me *modelError
	if errors.As(err, &me) && me.code == "ValidationException" && !endOfLife(me.msg) {
		// The client's fault, by the model's word: a 400 naming the
		// error's type; the model's own text stays in the log.
		return &publicCause{
			PublicError: &chat.PublicError{Kind: chat.ErrInvalidRequest, Code: "invalid_request",
				Message: "the model rejected the request (" + me.typ + ")"},
			cause: fmt.Errorf("invoke %s: %w", m.id, err),
		}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationException" && !endOfLife(apiErr.ErrorMessage()) {
		msg := apiErr.ErrorMessage()
		if msg == "" {
			msg = "the model rejected the request"
		}
		return &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: msg}
	}
	return fmt.Errorf("invoke %s: %w", m.id, err)
}

func (m *Model) backoff(attempt int) time.Duration {
	d := maxBackoff
	if attempt < 8 {
		d = min(baseBackoff<<attempt, maxBackoff)
	}
	if m.cfg.Jitter != nil {
		return m.cfg.Jitter(d)
	}
	return d/2 + rand.N(d/2+1)
}

func (m *Model) sleep(ctx context.Context, d time.Duration) error {
	if m.cfg.Sleep != nil {
		return m.cfg.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
