package streambuf_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// BenchmarkWriter measures what keeping a stream costs per frame: one op is
// one frame of 150 bytes (a typical chat.completion.chunk) added to a
// Writer, with answers of 1,000 frames each started and closed (Close waits
// for the last write), so the store's work is included, amortised. It
// reports the writes per answer with the default batching.
func BenchmarkWriter(b *testing.B) {
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			s := &counting{Store: st.open(b, nil)()}
			data := make([]byte, 150)
			ctx := context.Background()
			var w *streambuf.Writer
			answers, seq := 0, int64(0)
			begin := func() {
				key := streambuf.Key{Caller: "bench", ID: fmt.Sprint("chatcmpl-", answers)}
				var err error
				w, err = streambuf.Start(ctx, s, key, streambuf.Header{Deadline: time.Now().Add(time.Hour)}, streambuf.WriterConfig{})
				if err != nil {
					b.Fatal(err)
				}
				answers, seq = answers+1, 0
			}
			end := func() {
				if err := w.Close(ctx, streambuf.End{State: streambuf.Completed}); err != nil {
					b.Fatal(err)
				}
			}
			begin()
			b.ReportAllocs()
			for b.Loop() {
				w.Add(streambuf.Event{Seq: seq, Data: data})
				if seq++; seq == 1000 {
					end()
					begin()
				}
			}
			end()
			b.ReportMetric(float64(s.appends.Load())/float64(answers), "writes/answer")
		})
	}
}
