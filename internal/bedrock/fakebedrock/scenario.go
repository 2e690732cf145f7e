package fakebedrock

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Scenario scripts the answer to one call. The zero value answers with an
// empty, complete stream; Tokens(n) is the usual starting point.
type Scenario struct {
	// Tokens is how many text chunks to send ("tok1 ", "tok2 ", ...).
	Tokens int
	// Words, when set, are sent as the text chunks instead.
	Words []string
	// Interval is the pause between chunks.
	Interval time.Duration
	// Delay is a silence before the first chunk (after the headers).
	Delay time.Duration
	// Hang keeps silent before the first chunk until the client goes away.
	Hang bool

	// Status, when non-zero, answers with this HTTP status and a restJson1
	// error body instead of a stream; ErrorType is its x-amzn-ErrorType.
	Status    int
	ErrorType string
	// Message is the error message of Status or Exception.
	Message string

	// Exception, when set, sends an exception frame with this
	// :exception-type (e.g. "throttlingException") after ExceptionAfter
	// text chunks, and ends the stream.
	Exception      string
	ExceptionAfter int

	// ErrorEvent, when set, sends after ExceptionAfter text chunks a chunk
	// holding Claude's own in-stream error event, {"type":"error",
	// "error":{"type":ErrorEvent,"message":Message}}, and ends the stream.
	// Only Claude's format has such an event.
	ErrorEvent string

	// Cut closes the connection without finishing the stream after CutAfter
	// text chunks.
	Cut      bool
	CutAfter int

	// Stall goes silent after StallAfter text chunks, with the connection
	// open, until the client goes away: an upstream stuck mid-answer.
	Stall      bool
	StallAfter int

	// HugeFrame, when positive, sends after HugeFrameAfter text chunks the
	// prelude of a frame that announces HugeFrame bytes, and then nothing
	// until the client goes away: a broken or hostile upstream whose frame
	// a client must refuse rather than wait for.
	HugeFrame      uint32
	HugeFrameAfter int

	// Finish is how the answer ends in OpenAI terms ("stop", the default,
	// "length" or "content_filter"); the fake sends each family's own word.
	// As Bedrock does, the fake also honours the request's own token limit
	// (Anthropic and Mistral max_tokens, Nova inferenceConfig.maxTokens,
	// Llama max_gen_len, Titan textGenerationConfig.maxTokenCount): a
	// scenario with more text chunks stops after that many, with the
	// family's length reason, whatever Finish says.
	Finish string
	// PromptTokens is the reported input token count (default 11).
	PromptTokens int
	// Stamp appends the send time to every text chunk ("tok1@<unix ns> "),
	// see ParseStamp.
	Stamp bool
}

// Tokens answers with n text chunks.
func Tokens(n int) Scenario { return Scenario{Tokens: n} }

// HTTPError answers with an HTTP error in Bedrock's restJson1 shape.
func HTTPError(status int, errorType, message string) Scenario {
	return Scenario{Status: status, ErrorType: errorType, Message: message}
}

// Throttled answers 429 ThrottlingException.
func Throttled() Scenario {
	return HTTPError(http.StatusTooManyRequests, "ThrottlingException", "Too many requests, please wait before trying again.")
}

// AccessDenied answers 403 AccessDeniedException.
func AccessDenied() Scenario {
	return HTTPError(http.StatusForbidden, "AccessDeniedException", "You don't have access to the model with the specified model ID.")
}

// NotFound answers 404 ResourceNotFoundException.
func NotFound() Scenario {
	return HTTPError(http.StatusNotFound, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier.")
}

// EndOfLife answers as Bedrock does a call to a retired model: 404
// ResourceNotFoundException, "This model version has reached the end of
// its life."
func EndOfLife() Scenario {
	return HTTPError(http.StatusNotFound, "ResourceNotFoundException", "This model version has reached the end of its life.")
}

// Invalid answers 400 ValidationException with message.
func Invalid(message string) Scenario {
	return HTTPError(http.StatusBadRequest, "ValidationException", message)
}

// Unavailable answers 503 ServiceUnavailableException.
func Unavailable() Scenario {
	return HTTPError(http.StatusServiceUnavailable, "ServiceUnavailableException", "Service unavailable. Try again later.")
}

// InStream sends exceptionType as an exception frame after n text chunks.
func InStream(exceptionType string, after int) Scenario {
	return Scenario{Tokens: after, Exception: exceptionType, ExceptionAfter: after, Message: exceptionType + " from the fake"}
}

// ClaudeError sends Claude's in-stream error event of type errType (such
// as "overloaded_error" or "invalid_request_error") with message after n
// text chunks.
func ClaudeError(errType, message string, after int) Scenario {
	return Scenario{Tokens: after, ErrorEvent: errType, ExceptionAfter: after, Message: message}
}

// CutAfter closes the connection after n of tokens text chunks.
func CutAfter(tokens, n int) Scenario {
	return Scenario{Tokens: tokens, Cut: true, CutAfter: n}
}

// Silent says nothing after the headers until the client goes away.
func Silent() Scenario { return Scenario{Hang: true, Tokens: 1} }

// StallAfter sends n of tokens text chunks and then goes silent until the
// client goes away.
func StallAfter(tokens, n int) Scenario { return Scenario{Tokens: tokens, Stall: true, StallAfter: n} }

// HugeFrameAfter sends n text chunks and then the start of a frame that
// announces size bytes, and waits.
func HugeFrameAfter(n int, size uint32) Scenario {
	return Scenario{Tokens: n + 1, HugeFrame: size, HugeFrameAfter: n}
}

// words returns the text chunks of the scenario, stamping them at send time
// when asked.
func (s Scenario) word(i int, now func() time.Time) string {
	var w string
	if len(s.Words) > 0 {
		w = s.Words[i]
	} else {
		w = "tok" + strconv.Itoa(i+1) + " "
	}
	if s.Stamp {
		w = strings.TrimSuffix(w, " ") + "@" + strconv.FormatInt(now().UnixNano(), 10) + " "
	}
	return w
}

func (s Scenario) count() int {
	if len(s.Words) > 0 {
		return len(s.Words)
	}
	return s.Tokens
}

// ParseStamp returns the send time carried by a stamped text chunk.
func ParseStamp(text string) (time.Time, bool) {
	_, ns, ok := strings.Cut(strings.TrimSpace(text), "@")
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}
