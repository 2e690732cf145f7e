package eliza

import (
	"context"
	_ "embed"
	"errors"
	"strings"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// ID is the model id under which ELIZA answers.
const ID = "eliza"

// ErrScript means a script could not be loaded: it does not follow the
// script format, or it refers to something it does not define.
var ErrScript = errors.New("invalid script")

//go:embed script/listener.txt
var listenerScript []byte

// Options configures a Model. The zero value is the embedded script with no
// pacing.
type Options struct {
	// WordDelay paces Stream: the first word goes out at once, each later
	// word after this delay. Zero or negative means no pacing.
	WordDelay time.Duration
	// Script is the script text; nil means the embedded listener script.
	Script []byte
}

// Model is an ELIZA that answers with a compiled script. It holds no
// conversation state, so one Model serves any number of conversations
// concurrently.
type Model struct {
	s     *script
	delay time.Duration
}

var (
	_ chat.Model   = (*Model)(nil)
	_ chat.Capable = (*Model)(nil)
)

// Capabilities says ELIZA answers text only: no tools, images or
// reasoning effort.
func (m *Model) Capabilities() chat.Capabilities { return chat.Capabilities{} }

// New compiles the script. A script that does not load is an error wrapping
// ErrScript that names the offending line.
func New(opts Options) (*Model, error) {
	src := opts.Script
	if src == nil {
		src = listenerScript
	}
	s, err := parseScript(src)
	if err != nil {
		return nil, err
	}
	return &Model{s: s, delay: max(opts.WordDelay, 0)}, nil
}

// Reply returns ELIZA's answer to the last of a conversation's user
// messages. It replays every message from a fresh state, so the answer
// depends on this conversation alone. With no messages it returns the
// script's first greeting.
func (m *Model) Reply(userInputs []string) string {
	if len(userInputs) == 0 {
		return m.s.greetings[0]
	}
	return m.replay(userInputs, nil)
}

// replay runs a non-empty conversation through a fresh session and
// returns the last reply. trace, if not nil, sees every rule the engine uses.
func (m *Model) replay(userInputs []string, trace func(string)) string {
	ss := newSession(m.s)
	ss.trace = trace
	ss.quiet = true
	for _, in := range userInputs[:len(userInputs)-1] {
		ss.turn(in)
	}
	ss.quiet = false
	return ss.turn(userInputs[len(userInputs)-1])
}

// Stream answers the user messages of req word by word. A conversation
// without user messages gets a greeting (the script's greetings in turn, by
// the number of assistant messages).
//
// Each word is one token: the first is emitted as it is, each later one
// with a leading space, so the pieces concatenate to the reply. With
// req.MaxTokens > 0 the answer stops after that many words with
// FinishLength. PromptTokens counts the space-separated words of all the
// request's messages. As chat.Model asks, an error (the context ended, emit
// failed) comes with the usage so far: the prompt and the words emitted.
//
// A request that needs tools, images or a reasoning effort is refused by
// name (chat.Unsupported): ELIZA cannot pretend to call a tool.
func (m *Model) Stream(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
	if param := m.Capabilities().Missing(req.Features()); param != "" {
		return chat.Result{}, chat.Unsupported(ID, param)
	}
	var users []string
	res := chat.Result{FinishReason: chat.FinishStop}
	assistants := 0
	for _, msg := range req.Messages {
		res.Usage.PromptTokens += len(strings.Fields(msg.Content))
		switch msg.Role {
		case chat.RoleUser:
			users = append(users, msg.Content)
		case chat.RoleAssistant:
			assistants++
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	reply := m.s.greetings[assistants%len(m.s.greetings)]
	if len(users) > 0 {
		reply = m.Reply(users)
	}

	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for i, w := range strings.Split(reply, " ") {
		if req.MaxTokens > 0 && i >= req.MaxTokens {
			res.FinishReason = chat.FinishLength
			break
		}
		if i > 0 {
			w = " " + w
			if m.delay > 0 {
				if timer == nil {
					timer = time.NewTimer(m.delay)
				} else {
					timer.Reset(m.delay)
				}
				select {
				case <-ctx.Done():
					return res, ctx.Err()
				case <-timer.C:
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if err := emit(chat.Delta{Text: w}); err != nil {
			return res, err
		}
		res.Usage.CompletionTokens++
	}
	return res, nil
}
