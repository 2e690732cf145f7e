package fakedynamo

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Error is an error DynamoDB answers with.
type Error struct {
	Status  int
	Type    string // the exception's name, without its namespace
	Message string
}

// The errors the tests inject.
var (
	// ProvisionedThroughputExceeded: the item's (or table's) provisioned
	// throughput was exceeded.
	ProvisionedThroughputExceeded = Error{Status: http.StatusBadRequest, Type: "ProvisionedThroughputExceededException",
		Message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}
	// Throttling: an on-demand table throttled the request.
	Throttling = Error{Status: http.StatusBadRequest, Type: "ThrottlingException",
		Message: "Rate of requests exceeds the allowed throughput."}
	// ResourceNotFound: the table does not exist (or is not active yet).
	ResourceNotFound = Error{Status: http.StatusBadRequest, Type: "ResourceNotFoundException",
		Message: "Requested resource not found"}
	// InternalServer: DynamoDB itself failed.
	InternalServer = Error{Status: http.StatusInternalServerError, Type: "InternalServerError",
		Message: "Internal server error"}
	conditionFailed = Error{Status: http.StatusBadRequest, Type: "ConditionalCheckFailedException",
		Message: "The conditional request failed"}
)

const (
	contentType = "application/x-amz-json-1.0"
	namespace   = "com.amazonaws.dynamodb.v20120810#"
)

// Server answers DynamoDB requests; see the package comment. The zero
// value is not usable: call New.
type Server struct {
	mu       sync.Mutex
	fail     map[string]Error // by key prefix
	counts   map[string]int64
	requests map[string]int // by key
}

// New returns a Server on which nothing fails yet.
func New() *Server {
	return &Server{fail: map[string]Error{}, counts: map[string]int64{}, requests: map[string]int{}}
}

// Fail makes every request on a key that starts with prefix fail with e.
func (s *Server) Fail(prefix string, e Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[prefix] = e
}

// Requests returns how many requests named a key that starts with prefix.
func (s *Server) Requests(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.requests {
		if strings.HasPrefix(k, prefix) {
			n += c
		}
	}
	return n
}

// Count returns the sum of the counters whose key starts with prefix.
func (s *Server) Count(prefix string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for k, c := range s.counts {
		if strings.HasPrefix(k, prefix) {
			n += c
		}
	}
	return n
}

// request is the part of an UpdateItem or GetItem request the fake reads.
type request struct {
	Key                       map[string]map[string]string
	ExpressionAttributeValues map[string]map[string]string
	ReturnValues              string
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	body, err := io.ReadAll(r.Body)
	var req request
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if r.Method != http.MethodPost || !ok || err != nil {
		writeError(w, Error{Status: http.StatusBadRequest, Type: "SerializationException", Message: "malformed request"})
		return
	}
	var key string
	for _, v := range req.Key {
		key = v["S"]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[key]++
	for prefix, e := range s.fail {
		if strings.HasPrefix(key, prefix) {
			writeError(w, e)
			return
		}
	}
	switch op {
	case "GetItem":
		writeJSON(w, struct{}{})
	case "UpdateItem":
		s.update(w, key, &req)
	default:
		writeError(w, Error{Status: http.StatusBadRequest, Type: "UnknownOperationException", Message: op + " is not served"})
	}
}

// update is UpdateItem: a counter step when the request adds :n, else a
// slot step, which succeeds.
func (s *Server) update(w http.ResponseWriter, key string, req *request) {
	add, isCounter := req.ExpressionAttributeValues[":n"]
	if !isCounter {
		writeJSON(w, struct{}{})
		return
	}
	n, _ := strconv.ParseInt(add["N"], 10, 64)
	if lim, ok := req.ExpressionAttributeValues[":limit"]; ok {
		if limit, _ := strconv.ParseInt(lim["N"], 10, 64); s.counts[key] >= limit {
			writeError(w, conditionFailed)
			return
		}
	}
	s.counts[key] += n
	if req.ReturnValues != "UPDATED_NEW" {
		writeJSON(w, struct{}{})
		return
	}
	writeJSON(w, map[string]any{"Attributes": map[string]any{
		"n": map[string]string{"N": strconv.FormatInt(s.counts[key], 10)},
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", contentType)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e Error) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": namespace + e.Type, "message": e.Message})
}
