package main

import (
	"fmt"
	"os"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

// version is stamped at build time: go build -ldflags "-X main.version=…"
// (the Makefile passes git describe). A build without it says so.
var version = "unstamped"

const usage = `usage: chatbot                 run the gateway (configured by environment variables)
       chatbot apikey [NAME]   generate an API key and print the API_KEY_SHA256S entry for it
       chatbot version         print the version this binary was built from
       chatbot help            show this text

Configuration: every environment variable the gateway reads, with its
default, is listed in docs/configuration.md in the source tree.`

// subcommand runs a command-line subcommand and returns the exit code.
func subcommand(args []string) int {
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Println(usage)
		return 0
	case "version", "-version", "--version":
		fmt.Println("chatbot", version)
		return 0
	case "apikey":
		name := "default"
		if len(args) > 1 {
			name = args[1]
		}
		key, sum, err := auth.GenerateAPIKey()
		if err != nil {
			fmt.Fprintln(os.Stderr, "chatbot:", err)
			return 1
		}
		fmt.Printf("API key (give it to the client; it is not stored anywhere):\n  %s\n", key)
		fmt.Printf("Gateway setting (add to API_KEY_SHA256S, comma-separated):\n  %s:%s\n", name, sum)
		return 0
	}
	fmt.Fprintf(os.Stderr, "chatbot: unknown command %q\n%s\n", args[0], usage)
	return 2
}
