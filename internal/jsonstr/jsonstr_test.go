package jsonstr_test

import (
	"encoding/json"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
)

func TestAppendString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{`q"b\s`, `"q\"b\\s"`},
		{"\n\r\t\x00\x1f", `"\n\r\t\u0000\u001f"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"é漢😀", `"é漢😀"`},
		{"a\xffb", `"a\ufffdb"`},
	} {
		if got := string(jsonstr.AppendString([]byte("x"), tc.in)); got != "x"+tc.want {
			t.Errorf("AppendString(%q) = %s, want x%s", tc.in, got, tc.want)
		}
	}
}

func BenchmarkAppendString(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = jsonstr.AppendString(buf[:0], "a plain token with \"quotes\" and ünïcode")
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "\n\r\t\x00\x1f", "\u2028\u2029", "é漢😀", "\xff\xfe", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := jsonstr.AppendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("AppendString(%q) = %s: not valid JSON: %v", s, b, err)
		}
		// Each invalid byte becomes one U+FFFD, as ranging over the string does.
		if want := string([]rune(s)); got != want {
			t.Fatalf("round trip of %q = %q, want %q", s, got, want)
		}
	})
}
