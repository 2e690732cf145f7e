package dynalite

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Region is the region the test clients claim; dynalite ignores it.
const Region = "us-east-1"

// startTimeout bounds the wait for node to start listening. It only turns a
// hang into a clear failure; the start normally takes well under a second.
const startTimeout = 30 * time.Second

var (
	once     sync.Once
	endpoint string
	startErr error
	// stdin is the server's standard input, kept referenced: once it is
	// collected (or the process exits) the pipe closes and the server
	// exits.
	stdin io.WriteCloser
)

// Dir is this directory, where package.json and node_modules live.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Endpoint starts the shared server if it is not running and returns its
// URL. It skips t, saying how to install it, when node_modules is missing.
func Endpoint(t testing.TB) string {
	t.Helper()
	dir := Dir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "dynalite", "package.json")); err != nil {
		t.Skipf("dynalite is not installed; run `make test-dynalite-deps` (or `cd %s && npm ci`) to run this test", dir)
	}
	once.Do(func() { endpoint, startErr = start(dir) })
	if startErr != nil {
		t.Fatalf("start dynalite: %v", startErr)
	}
	return endpoint
}

func start(dir string) (string, error) {
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	// The pipe stays open for the life of the test binary; its end tells
	// the server to exit.
	var err error
	if stdin, err = cmd.StdinPipe(); err != nil {
		return "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("run node: %w", err)
	}
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				port <- p
			}
		}
		close(port)
	}()
	select {
	case p, ok := <-port:
		if !ok {
			_ = cmd.Wait()
			return "", fmt.Errorf("node exited before listening: %s", stderr.String())
		}
		go func() {
			err := cmd.Wait()
			_ = stdin.Close()
			exitMu.Lock()
			exited = fmt.Sprintf("dynalite exited (%v): %s", err, stderr.String())
			exitMu.Unlock()
		}()
		return "http://127.0.0.1:" + p, nil
	case <-time.After(startTimeout):
		_ = cmd.Process.Kill()
		return "", fmt.Errorf("node did not listen within %s: %s", startTimeout, stderr.String())
	}
}

var (
	exitMu sync.Mutex
	exited string
)

// Exited says, after a newline, why the server exited, if it did: tests
// add it to the message of a failed call.
func Exited() string {
	exitMu.Lock()
	defer exitMu.Unlock()
	if exited == "" {
		return ""
	}
	return "\n" + exited
}

// lockedBuffer collects the server's standard error.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 64<<10 {
		return len(p), nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// AWSOptions point the AWS SDK at the server at url, with static
// credentials and Region.
func AWSOptions(url string) []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithRegion(Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(url),
	}
}

// Env is the same as AWSOptions, as environment variables for a process.
func Env(url string) map[string]string {
	return map[string]string{
		"AWS_REGION":                Region,
		"AWS_ACCESS_KEY_ID":         "test",
		"AWS_SECRET_ACCESS_KEY":     "test",
		"AWS_ENDPOINT_URL_DYNAMODB": url,
	}
}

// Client returns a DynamoDB client for the server at url.
func Client(t testing.TB, url string) *dynamodb.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), AWSOptions(url)...)
	if err != nil {
		t.Fatal(err)
	}
	return dynamodb.NewFromConfig(cfg)
}

// Table creates a table laid out as Terraform lays out the quota table
// (partition key "pk", a string; on-demand) under a fresh name, and
// returns the name.
func Table(t testing.TB, url string) string { return createTable(t, url, "quota-", "") }

// SortedTable creates a table laid out as Terraform lays out the
// conversation table (partition key "pk" and sort key "sk", both strings;
// on-demand) under a fresh name, and returns the name.
func SortedTable(t testing.TB, url string) string {
	return createTable(t, url, "sorted-", types.ScalarAttributeTypeS)
}

// StreamTable creates a table laid out as Terraform lays out the stream
// table (partition key "pk", a string; sort key "sk", a number; on-demand)
// under a fresh name, and returns the name.
func StreamTable(t testing.TB, url string) string {
	return createTable(t, url, "streams-", types.ScalarAttributeTypeN)
}

// createTable creates an on-demand table named prefix plus a random
// suffix, keyed by the string "pk" and, unless sortType is "", by "sk" of
// that type.
func createTable(t testing.TB, url, prefix string, sortType types.ScalarAttributeType) string {
	t.Helper()
	name := prefix + strings.ToLower(rand.Text()[:12])
	attrs := []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}}
	keys := []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}}
	if sortType != "" {
		attrs = append(attrs, types.AttributeDefinition{AttributeName: aws.String("sk"), AttributeType: sortType})
		keys = append(keys, types.KeySchemaElement{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange})
	}
	_, err := Client(t, url).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: attrs,
		KeySchema:            keys,
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table: %v%s", err, Exited())
	}
	return name
}
