package responses

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

func FuzzDecodeResponses(f *testing.F) {
	for _, s := range []string{
		`{"input":"hi"}`,
		`{"model":"eliza","stream":true,"instructions":"x","input":[{"role":"developer","content":"d"},{"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]},{"role":"assistant","content":[{"type":"output_text","text":"c"}]}],"max_output_tokens":5,"temperature":0.5,"top_p":1,"metadata":{"k":"v"},"store":false}`,
		`{"input":[{"type":"item_reference","id":"x"}]}`,
		`{"input":"hi","tools":[{"type":"web_search"}],"include":["x"]}`,
		`{"input":[],"previous_response_id":"r"}`,
		`{"input":[{"role":"user","content":"x"},{"type":"reasoning","encrypted_content":"W10="},{"type":"function_call","call_id":"a","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"a","output":[{"type":"input_text","text":"r"}]}],"tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"f"},"reasoning":{"effort":"low"}}`,
		`{"input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AA=="}]}]}`,
		`[]`, `null`, `{"input":3}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		lim := gatewaytest.FuzzLimits
		p, err := decodeResponses(body, lim, nil)
		if gatewaytest.Refused(t, err) {
			return
		}
		// The limit counts input items; instructions add a message of their own.
		gatewaytest.CheckAccepted(t, &p.req, lim, lim.MaxMessages+1)
		if len(p.echo.metadata) > maxMetadataPairs {
			t.Fatalf("accepted %d metadata pairs", len(p.echo.metadata))
		}
	})
}

// FuzzTextDelta: every delta is valid JSON that carries exactly its text
// (invalid UTF-8 replaced, as encoding/json does) and the next number.
func FuzzTextDelta(f *testing.F) {
	for _, s := range []string{"", "hi", "a\"b\\c\n", "\u2028", "\xff", "<script>"} {
		f.Add(s, `msg_"1`)
	}
	f.Fuzz(func(t *testing.T, text, id string) {
		e := newEventEncoder()
		e.message(id, 0)
		for seq := range 2 {
			var ev struct {
				Type           string  `json:"type"`
				SequenceNumber int     `json:"sequence_number"`
				ItemID         string  `json:"item_id"`
				Delta          *string `json:"delta"`
			}
			b := e.textDelta(text)
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("invalid JSON %s: %v", b, err)
			}
			want := strings.ToValidUTF8(text, "\uFFFD")
			if ev.Type != evTextDelta || ev.SequenceNumber != seq || ev.Delta == nil || (*ev.Delta != want && utf8.ValidString(text)) ||
				ev.ItemID != id && utf8.ValidString(id) {
				t.Fatalf("delta %s of %q, want type, sequence %d, item %q and the text", b, text, seq, id)
			}
		}
	})
}

// FuzzItemDeltas: the appended reasoning summary and function call
// argument deltas are the same JSON value as the itemPartEvent they stand
// for, marshalled.
func FuzzItemDeltas(f *testing.F) {
	for _, s := range []string{"", "hi", "a\"b\\c\n", "\u2028", "\xff", "<script>", `{"city":`} {
		f.Add(s, `rs_"1`, 2)
	}
	f.Fuzz(func(t *testing.T, delta, id string, index int) {
		e := newEventEncoder()
		for seq, tc := range []struct {
			encode func() []byte // valid until the next event is encoded
			want   itemPartEvent
		}{
			{func() []byte { return e.summaryDelta(id, index, delta) },
				itemPartEvent{Type: evSummaryDelta, ItemID: id, OutputIndex: index, SummaryIndex: &firstPart, Delta: &delta}},
			{func() []byte { return e.argsDelta(id, index, delta) },
				itemPartEvent{Type: evArgsDelta, ItemID: id, OutputIndex: index, Delta: &delta}},
		} {
			b := tc.encode()
			tc.want.SequenceNumber = seq
			var got, want any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("invalid JSON %s: %v", b, err)
			}
			if err := json.Unmarshal(marshalEvent(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("encoded %s, want the value of %s", b, marshalEvent(tc.want))
			}
		}
	})
}
