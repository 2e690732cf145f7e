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
	_ = w.Data([]byte(`{"text":"hello"}`))
	_ = w.Data([]byte("two\nlines"))
	_ = w.Comment("ping")
	_ = w.Data([]byte("[DONE]"))

	fmt.Println(rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())
	// Output:
	// text/event-stream; charset=utf-8
	// data: {"text":"hello"}
	//
	// data: two
	// data: lines
	//
	// : ping
	//
	// data: [DONE]
	//
}
