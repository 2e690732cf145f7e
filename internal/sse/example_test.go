package sse_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/chatbot-gateway/chatbot/internal/sse"
)

func ExampleWriter() {
	rec := httptest.NewRecorder()
	w, err := sse.Start(rec)
	if err != nil {
		panic(err)
	}
	_ = w.Frame(0, "", []byte(`{"text":"hello"}`))
	_ = w.Frame(1, "", []byte("two\nlines"))
	_ = w.Comment("ping")
	_ = w.Frame(2, "", []byte("[DONE]"))

	fmt.Println(rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())
	// Output:
	// text/event-stream; charset=utf-8
	// id: 0
	// data: {"text":"hello"}
	//
	// id: 1
	// data: two
	// data: lines
	//
	// : ping
	//
	// id: 2
	// data: [DONE]
	//
}
