package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// fakeAWS points every AWS client New makes at url, with static credentials.
func fakeAWS(url string) app.Option {
	return app.WithAWSOptions(awsAt(url)...)
}

// awsAt is the AWS configuration of a fake at url: a fixed region, static
// credentials, and no shared files from the machine running the tests.
func awsAt(url string) []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")),
		config.WithBaseEndpoint(url),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	}
}

// lockedBuffer is an output that tests can read while the gateway writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) requestLine(t *testing.T) map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := bufio.NewScanner(strings.NewReader(l.b.String()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "request" {
			return m
		}
	}
	t.Fatalf("no request line in %s", l.b.String())
	return nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// streamChat sends one user message, streamed, to h served on a loopback
// port, and reads the answer: its chunks and whether [DONE] ended it.
func streamChat(t *testing.T, h http.Handler, content string) ([]gatewaytest.Chunk, bool) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	body, err := json.Marshal(map[string]any{"stream": true, "messages": []map[string]string{{"role": "user", "content": content}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	chunks, done, err := gatewaytest.ReadStream(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return chunks, done
}
