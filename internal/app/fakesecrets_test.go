package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// SecretsManager is a fake AWS Secrets Manager on 127.0.0.1 that answers
// GetSecretValue in the service's JSON 1.1 protocol, so the real SDK client
// talks to it. Secrets are found by ARN or by name.
type SecretsManager struct {
	Server *httptest.Server

	mu      sync.Mutex
	secrets map[string]string
	calls   int
}

// NewSecretsManager starts the fake with secrets keyed by ARN; it stops when
// the test ends.
func NewSecretsManager(tb testing.TB, secrets map[string]string) *SecretsManager {
	tb.Helper()
	s := &SecretsManager{secrets: secrets}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Server.Close)
	return s
}

// Calls counts GetSecretValue requests.
func (s *SecretsManager) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Env returns the variables that point a process's default AWS
// configuration at the fake.
func (s *SecretsManager) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": s.Server.URL,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":            "secret",
	}
}

func (s *SecretsManager) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		awsError(w, http.StatusBadRequest, "UnknownOperationException", "unsupported request")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		awsError(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "request is not signed")
		return
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		awsError(w, http.StatusBadRequest, "SerializationException", "bad JSON")
		return
	}
	s.mu.Lock()
	arn, value, ok := s.find(in.SecretId)
	s.mu.Unlock()
	if !ok {
		awsError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	name := arn[strings.LastIndex(arn, ":")+1:]
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"ARN":           arn,
		"Name":          name,
		"SecretString":  value,
		"VersionId":     "11111111-2222-3333-4444-555555555555",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   float64(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()),
	})
}

func (s *SecretsManager) find(id string) (arn, value string, ok bool) {
	if v, ok := s.secrets[id]; ok {
		return id, v, true
	}
	for arn, v := range s.secrets {
		if strings.HasSuffix(arn, ":secret:"+id) {
			return arn, v, true
		}
	}
	return "", "", false
}

func awsError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
