package responses_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/convstore"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/responses"
)

// byHeader authenticates the caller the X-Test-Caller header names: the
// tests' stand-in for the real guard, so that two callers can be told
// apart.
type byHeader struct{}

func (byHeader) Check(r *http.Request, _ []byte) (*gateway.Caller, error) {
	who := r.Header.Get("X-Test-Caller")
	return &gateway.Caller{Subject: who, Key: "test:" + who}, nil
}

// recall answers with what it was asked: the roles and texts of the
// conversation it received, so a test sees the history the store fed it.
func recall(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
	var seen []string
	for _, m := range req.Messages {
		seen = append(seen, string(m.Role)+":"+m.Content)
	}
	if err := emit(chat.Delta{Text: strings.Join(seen, "|")}); err != nil {
		return chat.Result{}, err
	}
	return chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 3, CompletionTokens: 1}}, nil
}

func newGateway(t *testing.T, store convstore.Store) http.Handler {
	t.Helper()
	h, err := gateway.New(gateway.Config{
		Models:  []gateway.ModelEntry{{ID: "recall", Model: chat.ModelFunc(recall)}},
		Formats: []gateway.Format{responses.Format{Store: store}},
		Auth:    byHeader{},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),

		MaxBodyBytes:   gateway.DefaultMaxBodyBytes,
		Limits:         gateway.DefaultLimits(),
		Heartbeat:      gateway.DefaultHeartbeat,
		DeadlineMargin: gateway.DefaultDeadlineMargin,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func memoryStore(t *testing.T) convstore.Store {
	t.Helper()
	s, err := convstore.NewMemory(convstore.Config{TTL: time.Hour, MaxConversations: 5, MaxItems: 50, MaxRecordBytes: 1 << 20, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// call makes one request as caller and decodes a JSON answer into out
// (when out is not nil); it returns the status and the raw body.
func call(t *testing.T, h http.Handler, caller, method, path, body string, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("X-Test-Caller", caller)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if out != nil && w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, w.Body)
		}
	}
	return w.Code, w.Body.String()
}

type response struct {
	ID                 string  `json:"id"`
	Store              bool    `json:"store"`
	PreviousResponseID *string `json:"previous_response_id"`
	Output             []struct {
		Type    string `json:"type"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"output"`
	Conversation *struct {
		ID string `json:"id"`
	} `json:"conversation"`
}

func (r response) text() string {
	for _, o := range r.Output {
		if o.Type == "message" && len(o.Content) > 0 {
			return o.Content[0].Text
		}
	}
	return ""
}

func TestPreviousResponseIDContinuesTheChain(t *testing.T) {
	t.Parallel()
	h := newGateway(t, memoryStore(t))
	var r1, r2, r3 response
	call(t, h, "alice", "POST", "/v1/responses", `{"input":"hello"}`, &r1)
	if !r1.Store || r1.text() != "user:hello" {
		t.Fatalf("first turn: %+v", r1)
	}
	call(t, h, "alice", "POST", "/v1/responses", `{"input":"again","previous_response_id":"`+r1.ID+`","instructions":"be brief"}`, &r2)
	if want := "system:be brief|user:hello|assistant:user:hello|user:again"; r2.text() != want {
		t.Fatalf("second turn saw %q; want %q", r2.text(), want)
	}
	// Instructions are not carried over, as in OpenAI's API.
	call(t, h, "alice", "POST", "/v1/responses", `{"input":[{"role":"user","content":"third"}],"previous_response_id":"`+r2.ID+`"}`, &r3)
	if !strings.HasPrefix(r3.text(), "user:hello|assistant:user:hello|user:again|assistant:system:be brief") || !strings.HasSuffix(r3.text(), "|user:third") {
		t.Fatalf("third turn saw %q", r3.text())
	}
	if r3.PreviousResponseID == nil || *r3.PreviousResponseID != r2.ID {
		t.Errorf("previous_response_id echoed as %v", r3.PreviousResponseID)
	}

	var got response
	if code, body := call(t, h, "alice", "GET", "/v1/responses/"+r2.ID, "", &got); code != 200 || got.ID != r2.ID || got.text() != r2.text() {
		t.Fatalf("GET: %d %s", code, body)
	}
	var items struct {
		Data []struct {
			ID, Type, Role string
			Content        []struct{ Type, Text string }
		} `json:"data"`
		FirstID string `json:"first_id"`
		LastID  string `json:"last_id"`
		HasMore bool   `json:"has_more"`
	}
	call(t, h, "alice", "GET", "/v1/responses/"+r2.ID+"/input_items", "", &items)
	if len(items.Data) != 1 || items.FirstID != items.Data[0].ID || items.LastID != items.Data[0].ID || items.Data[0].Type != "message" || items.Data[0].Content[0].Type != "input_text" || items.Data[0].Content[0].Text != "again" || items.HasMore {
		t.Fatalf("input_items = %+v", items)
	}

	for _, path := range []string{"/v1/responses/" + r1.ID, "/v1/responses/" + r1.ID + "/input_items"} {
		if code, _ := call(t, h, "mallory", "GET", path, "", nil); code != http.StatusNotFound {
			t.Errorf("another caller GET %s: %d", path, code)
		}
	}
	if code, _ := call(t, h, "mallory", "DELETE", "/v1/responses/"+r1.ID, "", nil); code != http.StatusNotFound {
		t.Errorf("another caller DELETE: %d", code)
	}
	if code, body := call(t, h, "mallory", "POST", "/v1/responses", `{"input":"x","previous_response_id":"`+r1.ID+`"}`, nil); code != http.StatusNotFound || !strings.Contains(body, `"param":"previous_response_id"`) {
		t.Errorf("another caller continues: %d %s", code, body)
	}
	if code, body := call(t, h, "alice", "DELETE", "/v1/responses/"+r1.ID, "", nil); code != 200 || !strings.Contains(body, `"deleted":true`) {
		t.Fatalf("DELETE: %d %s", code, body)
	}
	if code, _ := call(t, h, "alice", "GET", "/v1/responses/"+r1.ID, "", nil); code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", code)
	}
	if code, _ := call(t, h, "alice", "POST", "/v1/responses", `{"input":"x","previous_response_id":"`+r2.ID+`"}`, nil); code != http.StatusNotFound {
		t.Errorf("a chain with a deleted response continues: %d", code)
	}
}

func TestStoreFalseKeepsNothing(t *testing.T) {
	t.Parallel()
	h := newGateway(t, memoryStore(t))
	var r response
	call(t, h, "alice", "POST", "/v1/responses", `{"input":"hello","store":false}`, &r)
	if r.Store {
		t.Errorf("store echoed true")
	}
	if code, _ := call(t, h, "alice", "GET", "/v1/responses/"+r.ID, "", nil); code != http.StatusNotFound {
		t.Errorf("GET of an unstored response: %d", code)
	}
}

func TestWithoutAStoreStateIsRefusedByName(t *testing.T) {
	t.Parallel()
	h := newGateway(t, nil)
	for _, tc := range []struct{ body, param string }{
		{`{"input":"x","store":true}`, "store"},
		{`{"input":"x","previous_response_id":"resp_1"}`, "previous_response_id"},
		{`{"input":"x","conversation":"conv_1"}`, "conversation"},
	} {
		if code, body := call(t, h, "alice", "POST", "/v1/responses", tc.body, nil); code != 400 || !strings.Contains(body, `"param":"`+tc.param+`"`) {
			t.Errorf("%s: %d %s", tc.body, code, body)
		}
	}
	// Every route of what is kept, each method, with a body where it takes one.
	fill := strings.NewReplacer("{id}", "x_1", "{item}", "msg_1")
	for _, rt := range (responses.Format{}).Routes() {
		path, body := fill.Replace(rt.Pattern), ""
		if rt.Method == http.MethodPost {
			body = `{"items":[{"role":"user","content":"hi"}]}`
		}
		if code, resp := call(t, h, "alice", rt.Method, path, body, nil); code != 404 || !strings.Contains(resp, "STATE_STORE") {
			t.Errorf("%s %s: %d %s", rt.Method, path, code, resp)
		}
	}
}

func TestStreamedAnswersAreKept(t *testing.T) {
	t.Parallel()
	h := newGateway(t, memoryStore(t))
	r := httptest.NewRequest("POST", "/v1/responses", strings.NewReader(`{"input":"hello","stream":true}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Test-Caller", "alice")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	st, err := gatewaytest.ReadResponseStream(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	final := st.Final
	if final == nil || final.Status != "completed" {
		t.Fatalf("stream ended %+v", final)
	}
	var got response
	if code, body := call(t, h, "alice", "GET", "/v1/responses/"+final.ID, "", &got); code != 200 || got.text() != "user:hello" {
		t.Fatalf("GET of a streamed response: %d %s", code, body)
	}
}

// failing is a store whose writes fail.
type failing struct{ convstore.Store }

func (failing) PutResponse(context.Context, string, *convstore.Response) error {
	return errors.New("table unavailable")
}

func TestAnAnswerThatCannotBeKeptFails(t *testing.T) {
	t.Parallel()
	h := newGateway(t, failing{memoryStore(t)})
	if code, body := call(t, h, "alice", "POST", "/v1/responses", `{"input":"hello"}`, nil); code != http.StatusServiceUnavailable || !strings.Contains(body, "store_unavailable") || strings.Contains(body, "table unavailable") {
		t.Errorf("whole answer: %d %s", code, body)
	}
	r := httptest.NewRequest("POST", "/v1/responses", strings.NewReader(`{"input":"hello","stream":true}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	if !strings.Contains(body, "event: response.failed") || strings.Contains(body, "response.completed") || !strings.Contains(body, "store_unavailable") {
		t.Errorf("streamed answer:\n%s", body)
	}
	// Without store the same request is answered.
	if code, _ := call(t, h, "alice", "POST", "/v1/responses", `{"input":"hello","store":false}`, nil); code != 200 {
		t.Errorf("store: false: %d", code)
	}
}

type conversation struct {
	ID        string            `json:"id"`
	Object    string            `json:"object"`
	Title     string            `json:"title"`
	Metadata  map[string]string `json:"metadata"`
	UpdatedAt int64             `json:"updated_at"`
}

type itemList struct {
	Data []struct {
		ID, Type, Role string
		Content        []struct{ Type, Text string }
	} `json:"data"`
	HasMore bool `json:"has_more"`
}

func (l itemList) String() string {
	var out []string
	for _, it := range l.Data {
		text := ""
		if len(it.Content) > 0 {
			text = it.Content[0].Text
		}
		out = append(out, fmt.Sprintf("%s/%s:%s", it.Type, it.Role, text))
	}
	return strings.Join(out, " ")
}

func TestConversations(t *testing.T) {
	t.Parallel()
	h := newGateway(t, memoryStore(t))
	var c conversation
	if code, body := call(t, h, "alice", "POST", "/v1/conversations", `{"metadata":{"topic":"x"},"items":[{"role":"user","content":"I am worried about my mother"}]}`, &c); code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	if c.Object != "conversation" || c.Title != "I am worried about my mother" || c.Metadata["topic"] != "x" {
		t.Fatalf("created %+v", c)
	}
	var r response
	call(t, h, "alice", "POST", "/v1/responses", `{"input":"and my father","conversation":{"id":"`+c.ID+`"}}`, &r)
	if want := "user:I am worried about my mother|user:and my father"; r.text() != want || r.Conversation == nil || r.Conversation.ID != c.ID {
		t.Fatalf("answer in the conversation: %q %+v", r.text(), r.Conversation)
	}
	var items itemList
	call(t, h, "alice", "GET", "/v1/conversations/"+c.ID+"/items?order=asc", "", &items)
	want := "message/user:I am worried about my mother message/user:and my father message/assistant:" + r.text()
	if items.String() != want {
		t.Fatalf("items = %s; want %s", items, want)
	}
	var added itemList
	call(t, h, "alice", "POST", "/v1/conversations/"+c.ID+"/items", `{"items":[{"type":"message","role":"user","content":[{"type":"input_text","text":"more"}]}]}`, &added)
	if added.String() != "message/user:more" {
		t.Fatalf("added %s", added)
	}
	call(t, h, "alice", "POST", "/v1/responses", `{"input":"last","conversation":"`+c.ID+`"}`, &r)
	if !strings.HasSuffix(r.text(), "|user:more|user:last") {
		t.Fatalf("after adding an item the model saw %q", r.text())
	}
	if code, _ := call(t, h, "alice", "DELETE", "/v1/conversations/"+c.ID+"/items/"+added.Data[0].ID, "", &c); code != 200 {
		t.Fatalf("delete item: %d", code)
	}
	var renamed conversation
	call(t, h, "alice", "POST", "/v1/conversations/"+c.ID, `{"title":"Family"}`, &renamed)
	if renamed.Title != "Family" || renamed.Metadata["topic"] != "x" {
		t.Fatalf("renamed %+v", renamed)
	}
	var second conversation
	call(t, h, "alice", "POST", "/v1/conversations", `{}`, &second)
	var list struct {
		Data []conversation `json:"data"`
	}
	call(t, h, "alice", "GET", "/v1/conversations", "", &list)
	if len(list.Data) != 2 || list.Data[0].ID != second.ID || list.Data[1].ID != c.ID {
		t.Fatalf("list = %+v", list.Data)
	}

	for _, rt := range []struct{ method, path, body string }{
		{"GET", "/v1/conversations/" + c.ID, ""},
		{"POST", "/v1/conversations/" + c.ID, `{"title":"mine"}`},
		{"DELETE", "/v1/conversations/" + c.ID, ""},
		{"GET", "/v1/conversations/" + c.ID + "/items", ""},
		{"POST", "/v1/conversations/" + c.ID + "/items", `{"items":[{"role":"user","content":"hi"}]}`},
		{"GET", "/v1/conversations/" + c.ID + "/items/" + items.Data[0].ID, ""},
		{"DELETE", "/v1/conversations/" + c.ID + "/items/" + items.Data[0].ID, ""},
		{"POST", "/v1/responses", `{"input":"hi","conversation":"` + c.ID + `"}`},
	} {
		if code, body := call(t, h, "mallory", rt.method, rt.path, rt.body, nil); code != http.StatusNotFound {
			t.Errorf("another caller %s %s: %d %s", rt.method, rt.path, code, body)
		}
	}
	call(t, h, "mallory", "GET", "/v1/conversations", "", &list)
	if len(list.Data) != 0 {
		t.Errorf("another caller lists %+v", list.Data)
	}
	if code, _ := call(t, h, "mallory", "DELETE", "/v1/conversations", "", nil); code != 200 {
		t.Fatalf("another caller's delete-all: %d", code)
	}
	call(t, h, "alice", "GET", "/v1/conversations", "", &list)
	if len(list.Data) != 2 {
		t.Fatalf("another caller's delete-all removed alice's: %+v", list.Data)
	}
	if code, body := call(t, h, "alice", "DELETE", "/v1/conversations", "", nil); code != 200 || !strings.Contains(body, `"deleted":true`) {
		t.Fatalf("delete-all: %d %s", code, body)
	}
	call(t, h, "alice", "GET", "/v1/conversations", "", &list)
	if code, _ := call(t, h, "alice", "GET", "/v1/responses/"+r.ID, "", nil); len(list.Data) != 0 || code != 404 {
		t.Fatalf("after delete-all: %d conversations, response GET %d", len(list.Data), code)
	}
}

func TestConversationLimitsAndBadInput(t *testing.T) {
	t.Parallel()
	h := newGateway(t, memoryStore(t))
	for i := range 5 {
		if code, body := call(t, h, "alice", "POST", "/v1/conversations", `{}`, nil); code != 200 {
			t.Fatalf("conversation %d: %d %s", i, code, body)
		}
	}
	if code, body := call(t, h, "alice", "POST", "/v1/conversations", `{}`, nil); code != 400 || !strings.Contains(body, convstore.CapConversations) {
		t.Errorf("past the cap: %d %s", code, body)
	}
	for _, tc := range []struct{ body, param string }{
		{`{"items":[{"role":"wizard","content":"x"}]}`, "items[0].role"},
		{`{"items":[{"role":"user","content":{}}]}`, "items[0].content"},
		{`{"items":[{"role":"user","content":"x"},{"role":"user","content":[]}]}`, "items[1].content"},
		{`{"metadata":{"k":"` + strings.Repeat("v", 600) + `"}}`, "metadata.k"},
		{`{"title":"` + strings.Repeat("t", 300) + `"}`, "title"},
		{`{"items":`, ""},
	} {
		code, body := call(t, h, "bob", "POST", "/v1/conversations", tc.body, nil)
		if code != 400 || (tc.param != "" && !strings.Contains(body, `"param":"`+tc.param+`"`)) {
			t.Errorf("%s: %d %s", tc.body, code, body)
		}
		if strings.Contains(body, "input[") {
			t.Errorf("%s: the error names the input of a response, not the items sent: %s", tc.body, body)
		}
	}
	if code, body := call(t, h, "bob", "GET", "/v1/conversations?limit=0", "", nil); code != 400 || !strings.Contains(body, `"param":"limit"`) {
		t.Errorf("limit=0: %d %s", code, body)
	}
	if code, body := call(t, h, "bob", "PUT", "/v1/conversations", "", nil); code != http.StatusMethodNotAllowed || !bytes.Contains([]byte(body), []byte("DELETE, GET, POST")) {
		t.Errorf("PUT: %d %s", code, body)
	}
	if code, _ := call(t, h, "bob", "POST", "/v1/responses", `{"input":"x","conversation":"conv_nope"}`, nil); code != 404 {
		t.Errorf("unknown conversation: %d", code)
	}
	if code, body := call(t, h, "bob", "POST", "/v1/responses", `{"input":"x","conversation":"c","previous_response_id":"r"}`, nil); code != 400 || !strings.Contains(body, "cannot both") {
		t.Errorf("both: %d %s", code, body)
	}
}
