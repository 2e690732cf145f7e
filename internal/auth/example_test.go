package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

func ExampleGuard_Check() {
	const key = "sk-exampleexampleexampleexampleexampleexample"
	sum := sha256.Sum256([]byte(key))
	keys, err := auth.ParseAPIKeys([]string{"docs-example:" + hex.EncodeToString(sum[:])})
	if err != nil {
		panic(err)
	}
	g, err := auth.New(context.Background(), auth.Config{APIKeys: auth.APIKeyConfig{Keys: keys}})
	if err != nil {
		panic(err)
	}
	body := `{"model":"eliza","messages":[{"role":"user","content":"hi"}]}`
	r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+key)
	id, err := g.Check(r, []byte(body))
	fmt.Println(id.Method, id.KeyName, err)

	r.Header.Set("Authorization", "Bearer sk-wrong")
	_, err = g.Check(r, []byte(body))
	var ae *auth.Error
	if errors.As(err, &ae) {
		fmt.Println(ae.Kind, ae.Code)
	}
	// Output:
	// apikey docs-example <nil>
	// unauthenticated invalid_api_key
}
