package eliza_test

import (
	"fmt"

	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

func ExampleModel_Reply() {
	m, err := eliza.New(eliza.Options{})
	if err != nil {
		panic(err)
	}
	conv := []string{"Men are all alike.", "Well, my boyfriend made me come here."}
	fmt.Println(m.Reply(conv[:1]))
	fmt.Println(m.Reply(conv))
	// Output:
	// How are they alike, in your eyes?
	// Why do you mention your boyfriend made you come here?
}
