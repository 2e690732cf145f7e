package main

import (
	"fmt"
	"os"
)

const usage = `usage: chatbot            run the gateway (configured by environment variables)
       chatbot help       show this text`

// subcommand runs a command-line subcommand and returns the exit code.
func subcommand(args []string) int {
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Println(usage)
		return 0
	}
	fmt.Fprintf(os.Stderr, "chatbot: unknown command %q\n%s\n", args[0], usage)
	return 2
}
