package bedrock

import (
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// tagSplitter takes a model's text apart where the model marks its
// reasoning with tags in the text itself (gpt-oss on InvokeModel:
// <reasoning>…</reasoning>; DeepSeek R1 and Qwen3: <think>…</think>):
// what is inside goes on as reasoning, the rest as answer text. A tag may
// arrive split over chunks, so a piece that could be the start of one is
// held back until the next chunk says.
type tagSplitter struct {
	open, close string
	inside      bool
	pending     string // held back: it may be the start of a tag
	// trim drops the line breaks models put after a tag, between their
	// reasoning and the answer.
	trim bool
}

func (s *tagSplitter) feed(text string, out emitter) error {
	buf := text
	if s.pending != "" {
		buf, s.pending = s.pending+text, ""
	}
	for buf != "" {
		tag := s.open
		if s.inside {
			tag = s.close
		}
		if i := strings.Index(buf, tag); i >= 0 {
			if err := s.emit(buf[:i], out); err != nil {
				return err
			}
			s.inside = !s.inside
			s.trim = true
			buf = buf[i+len(tag):]
			continue
		}
		keep := partialSuffix(buf, tag)
		s.pending = buf[len(buf)-keep:]
		return s.emit(buf[:len(buf)-keep], out)
	}
	return nil
}

// flush passes on what was held back: at the end of the stream it was no
// tag after all.
func (s *tagSplitter) flush(out emitter) error {
	p := s.pending
	s.pending = ""
	return s.emit(p, out)
}

func (s *tagSplitter) emit(text string, out emitter) error {
	if s.trim {
		text = strings.TrimLeft(text, "\r\n")
		if text == "" {
			return nil
		}
		s.trim = false
	}
	switch {
	case text == "":
		return nil
	case s.inside:
		return out(chat.Delta{Reasoning: text})
	default:
		return out(chat.Delta{Text: text})
	}
}

// partialSuffix is the length of the longest end of s that begins tag.
func partialSuffix(s, tag string) int {
	for n := min(len(s), len(tag)-1); n > 0; n-- {
		if strings.HasSuffix(s, tag[:n]) {
			return n
		}
	}
	return 0
}
