package resilience_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// outcome is how a stream ended, as a client sees it.
type outcome string

const (
	completed outcome = "completed" // [DONE] after the requested model's answer
	fellBack  outcome = "fell back" // [DONE] after ELIZA's answer
	failed    outcome = "failed"    // an in-band error frame, last, no [DONE]
)

// result is a stream that passed checkFrames.
type result struct {
	model  string // the model named in every chunk
	text   string // the content deltas joined
	errMsg string // the in-band error's code and message, when failed
	frames int
	done   bool
}

func (r *result) outcome() outcome {
	switch {
	case r.errMsg != "":
		return failed
	case r.model == "eliza":
		return fellBack
	default:
		return completed
	}
}

type chunk = gatewaytest.Chunk

// checkFrames checks a whole SSE body frame by frame: only id, data and
// comment lines, every frame complete, the ids 0, 1, 2… in order (the
// resume cursor: a gap or a repeat would resume wrong), every data line JSON or [DONE],
// one id and one model throughout, the role first, content before the
// single finish, nothing after [DONE] or an error frame, and an end that is
// either [DONE] or an error frame. Anything else is garbled, duplicated or
// silently truncated.
func checkFrames(body []byte) (*result, error) {
	if len(body) > 0 && !bytes.HasSuffix(body, []byte("\n\n")) {
		return nil, fmt.Errorf("body ends mid-frame: %q", tail(body))
	}
	for _, line := range strings.Split(string(body), "\n") {
		if line != "" && !strings.HasPrefix(line, "data: ") && !strings.HasPrefix(line, "id: ") && !strings.HasPrefix(line, ":") {
			return nil, fmt.Errorf("stray line %q", line)
		}
	}
	events, err := ssetest.NewReader(bytes.NewReader(body)).All()
	if err != nil {
		return nil, fmt.Errorf("parse SSE: %w", err)
	}
	res := &result{frames: len(events)}
	var (
		id                     string
		text                   strings.Builder
		role, finish, ended    bool
		contentAfterFinish     bool
		firstChunkHadNoRole    bool
		sawChunk, sawUsageOnly bool
	)
	for i, ev := range events {
		if ev.ID != strconv.Itoa(i) {
			return nil, fmt.Errorf("frame %d has id %q, want %d", i, ev.ID, i)
		}
		if ended {
			return nil, fmt.Errorf("frame %d %q after the end of the stream", i, ev.Data)
		}
		if ev.Data == "[DONE]" {
			if !finish {
				return nil, fmt.Errorf("[DONE] at frame %d without a finish_reason before it", i)
			}
			res.done, ended = true, true
			continue
		}
		var c chunk
		dec := json.NewDecoder(strings.NewReader(ev.Data))
		if err := dec.Decode(&c); err != nil || dec.More() {
			return nil, fmt.Errorf("frame %d is not one JSON object: %q", i, ev.Data)
		}
		if c.Error != nil {
			if c.Error.Code == "" || c.Error.Message == "" {
				return nil, fmt.Errorf("frame %d: error without code or message: %q", i, ev.Data)
			}
			res.errMsg, ended = c.Error.Code+": "+c.Error.Message, true
			continue
		}
		if c.Object != "chat.completion.chunk" || c.ID == nil || c.Model == "" {
			return nil, fmt.Errorf("frame %d is not a chunk: %q", i, ev.Data)
		}
		if !sawChunk {
			sawChunk, id, res.model = true, *c.ID, c.Model
		} else if *c.ID != id || c.Model != res.model {
			return nil, fmt.Errorf("frame %d: id %q model %q, want %q %q as before", i, *c.ID, c.Model, id, res.model)
		}
		if sawUsageOnly {
			return nil, fmt.Errorf("frame %d after the usage chunk: %q", i, ev.Data)
		}
		if len(c.Choices) == 0 {
			sawUsageOnly = true
			if !finish || c.Usage == nil {
				return nil, fmt.Errorf("frame %d: a chunk without choices must be the usage after the finish: %q", i, ev.Data)
			}
			continue
		}
		if len(c.Choices) != 1 || c.Choices[0].Index != 0 {
			return nil, fmt.Errorf("frame %d: want one choice with index 0: %q", i, ev.Data)
		}
		ch := c.Choices[0]
		if ch.Delta.Role != nil {
			if role || *ch.Delta.Role != "assistant" {
				return nil, fmt.Errorf("frame %d: role %q again or wrong", i, *ch.Delta.Role)
			}
			role = true
		} else if !role {
			firstChunkHadNoRole = true
		}
		if ch.Delta.Content != nil {
			if finish {
				contentAfterFinish = true
			}
			text.WriteString(*ch.Delta.Content)
		}
		if ch.FinishReason != nil {
			if finish {
				return nil, fmt.Errorf("frame %d: a second finish_reason", i)
			}
			finish = true
		}
	}
	switch {
	case firstChunkHadNoRole:
		return nil, errors.New("the first chunk does not carry the assistant role")
	case contentAfterFinish:
		return nil, errors.New("content after the finish_reason")
	case !ended:
		return nil, fmt.Errorf("silently truncated: %d frames and neither [DONE] nor an error frame; tail %q", len(events), tail(body))
	}
	res.text = text.String()
	return res, nil
}

func tail(b []byte) []byte {
	if len(b) > 200 {
		return b[len(b)-200:]
	}
	return b
}
