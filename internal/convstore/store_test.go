package convstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by a store and its test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func config(c *clock) convstore.Config {
	return convstore.Config{TTL: 24 * time.Hour, MaxConversations: 3, MaxItems: 5, MaxRecordBytes: 1 << 20, Now: c.Now}
}

// stores runs test against both stores: the same contract in one process
// and in DynamoDB (dynalite, the real AWS SDK).
func eachStore(t *testing.T, test func(t *testing.T, s convstore.Store, c *clock)) {
	for _, st := range []struct {
		name string
		open func(t *testing.T, cfg convstore.Config) convstore.Store
	}{
		{"memory", func(t *testing.T, cfg convstore.Config) convstore.Store {
			s, err := convstore.NewMemory(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"dynamodb", func(t *testing.T, cfg convstore.Config) convstore.Store {
			url := dynalite.Endpoint(t)
			s, err := convstore.NewDynamo(dynalite.Client(t, url), dynalite.SortedTable(t, url), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{now: t0}
			test(t, st.open(t, config(c)), c)
		})
	}
}

func item(id, text string) convstore.Item {
	return convstore.Item{ID: id, Data: json.RawMessage(fmt.Sprintf(`{"id":%q,"type":"message","text":%q}`, id, text))}
}

func ids(items []convstore.Item) string {
	var out []string
	for _, it := range items {
		out = append(out, it.ID)
	}
	return strings.Join(out, ",")
}

func TestResponsesRoundTripPerCaller(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s convstore.Store, c *clock) {
		ctx := context.Background()
		big := strings.Repeat("x", 900_000) // larger than two DynamoDB items
		r := &convstore.Response{ID: "resp_1", Created: t0, Previous: "resp_0",
			Input:  []convstore.Item{item("msg_in", "hello")},
			Output: []convstore.Item{item("msg_out", big)}, Object: json.RawMessage(`{"id":"resp_1"}`)}
		if err := s.PutResponse(ctx, "alice", r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Response(ctx, "alice", "resp_1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != "resp_1" || got.Previous != "resp_0" || !got.Created.Equal(t0) || ids(got.Input) != "msg_in" ||
			!bytes.Equal(got.Output[0].Data, r.Output[0].Data) || string(got.Object) != `{"id":"resp_1"}` {
			t.Fatalf("read back %+v", got)
		}
		if _, err := s.Response(ctx, "mallory", "resp_1"); !errors.Is(err, convstore.ErrNotFound) {
			t.Fatalf("another caller reads it: %v", err)
		}
		if err := s.DeleteResponse(ctx, "mallory", "resp_1"); !errors.Is(err, convstore.ErrNotFound) {
			t.Fatalf("another caller deletes it: %v", err)
		}
		if err := s.DeleteResponse(ctx, "alice", "resp_1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Response(ctx, "alice", "resp_1"); !errors.Is(err, convstore.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestRecordsExpireAfterTheTTL(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s convstore.Store, c *clock) {
		ctx := context.Background()
		if err := s.PutResponse(ctx, "alice", &convstore.Response{ID: "resp_1", Created: c.Now(), Object: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateConversation(ctx, "alice", &convstore.Conversation{ID: "conv_1"}, []convstore.Item{item("a", "x")}); err != nil {
			t.Fatal(err)
		}
		c.Advance(23 * time.Hour)
		if err := s.AppendItems(ctx, "alice", "conv_1", []convstore.Item{item("b", "y")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Response(ctx, "alice", "resp_1"); err != nil {
			t.Fatalf("before the TTL: %v", err)
		}
		c.Advance(time.Hour)
		if _, err := s.Response(ctx, "alice", "resp_1"); !errors.Is(err, convstore.ErrNotFound) {
			t.Fatalf("after the TTL: %v", err)
		}
		if _, err := s.Conversation(ctx, "alice", "conv_1"); !errors.Is(err, convstore.ErrNotFound) {
			t.Fatalf("conversation after the TTL: %v", err)
		}
		if list, _, err := s.Conversations(ctx, "alice", convstore.Page{}); err != nil || len(list) != 0 {
			t.Fatalf("list after the TTL: %v %v", list, err)
		}
	})
}

func TestConversationItemsInOrderWithPages(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s convstore.Store, c *clock) {
		ctx := context.Background()
		conv := &convstore.Conversation{ID: "conv_1", Title: "Mothers", Metadata: map[string]string{"k": "v"}}
		if err := s.CreateConversation(ctx, "alice", conv, []convstore.Item{item("a", "1"), item("b", "2")}); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
		big := convstore.Item{ID: "c", Data: json.RawMessage(`"` + strings.Repeat("z", 400_000) + `"`)}
		if err := s.AppendItems(ctx, "alice", "conv_1", []convstore.Item{big, item("d", "4")}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			page      convstore.Page
			want      string
			wantMore  bool
			wantError error
		}{
			{page: convstore.Page{}, want: "a,b,c,d"},
			{page: convstore.Page{Limit: 2}, want: "a,b", wantMore: true},
			{page: convstore.Page{After: "b", Limit: 1}, want: "c", wantMore: true},
			{page: convstore.Page{After: "c"}, want: "d"},
			{page: convstore.Page{Desc: true, Limit: 3}, want: "d,c,b", wantMore: true},
			{page: convstore.Page{Desc: true, After: "c"}, want: "b,a"},
			{page: convstore.Page{After: "nope"}, wantError: convstore.ErrNotFound},
		} {
			got, more, err := s.Items(ctx, "alice", "conv_1", tc.page)
			if !errors.Is(err, tc.wantError) || ids(got) != tc.want || more != tc.wantMore {
				t.Errorf("Items(%+v) = %s more=%v err=%v; want %s more=%v err=%v", tc.page, ids(got), more, err, tc.want, tc.wantMore, tc.wantError)
			}
		}
		got, err := s.Item(ctx, "alice", "conv_1", "c")
		if err != nil || !bytes.Equal(got.Data, big.Data) {
			t.Fatalf("Item(c): %v, %d bytes", err, len(got.Data))
		}
		if err := s.DeleteItem(ctx, "alice", "conv_1", "b"); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.Items(ctx, "alice", "conv_1", convstore.Page{}); ids(got) != "a,c,d" {
			t.Fatalf("after deleting b: %s", ids(got))
		}
		cv, err := s.Conversation(ctx, "alice", "conv_1")
		if err != nil || cv.Title != "Mothers" || cv.Metadata["k"] != "v" || !cv.Created.Equal(t0) || !cv.Updated.After(t0) {
			t.Fatalf("Conversation = %+v, %v", cv, err)
		}
		for _, caller := range []string{"mallory", ""} {
			if _, _, err := s.Items(ctx, caller, "conv_1", convstore.Page{}); !errors.Is(err, convstore.ErrNotFound) {
				t.Errorf("caller %q lists items: %v", caller, err)
			}
			if _, err := s.Item(ctx, caller, "conv_1", "a"); !errors.Is(err, convstore.ErrNotFound) {
				t.Errorf("caller %q reads an item: %v", caller, err)
			}
			if err := s.AppendItems(ctx, caller, "conv_1", []convstore.Item{item("e", "x")}); !errors.Is(err, convstore.ErrNotFound) {
				t.Errorf("caller %q appends: %v", caller, err)
			}
		}
	})
}

func TestCapsAreRefusedByName(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s convstore.Store, c *clock) {
		ctx := context.Background()
		capOf := func(err error) string {
			var ce *convstore.CapError
			if errors.As(err, &ce) {
				return ce.Cap
			}
			return fmt.Sprint(err)
		}
		for i := range 3 {
			if err := s.CreateConversation(ctx, "alice", &convstore.Conversation{ID: fmt.Sprint("conv_", i)}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if got := capOf(s.CreateConversation(ctx, "alice", &convstore.Conversation{ID: "conv_9"}, nil)); got != convstore.CapConversations {
			t.Errorf("fourth conversation: %s", got)
		}
		if err := s.CreateConversation(ctx, "bob", &convstore.Conversation{ID: "conv_9"}, nil); err != nil {
			t.Errorf("another caller's first conversation: %v", err)
		}
		if err := s.AppendItems(ctx, "alice", "conv_0", []convstore.Item{item("1", ""), item("2", ""), item("3", ""), item("4", "")}); err != nil {
			t.Fatal(err)
		}
		if got := capOf(s.AppendItems(ctx, "alice", "conv_0", []convstore.Item{item("5", ""), item("6", "")})); got != convstore.CapItems {
			t.Errorf("past the item cap: %s", got)
		}
		if got, _, _ := s.Items(ctx, "alice", "conv_0", convstore.Page{}); ids(got) != "1,2,3,4" {
			t.Errorf("a refused append changed the conversation: %s", ids(got))
		}
		huge := convstore.Item{ID: "h", Data: json.RawMessage(`"` + strings.Repeat("h", 1<<20) + `"`)}
		if got := capOf(s.AppendItems(ctx, "alice", "conv_1", []convstore.Item{huge})); got != convstore.CapRecordBytes {
			t.Errorf("an item past the size cap: %s", got)
		}
		if err := s.DeleteConversation(ctx, "alice", "conv_2"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateConversation(ctx, "alice", &convstore.Conversation{ID: "conv_9"}, nil); err != nil {
			t.Errorf("after a delete there is room again: %v", err)
		}
	})
}

func TestConversationsNewestFirstAndDeleteAll(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s convstore.Store, c *clock) {
		ctx := context.Background()
		for _, id := range []string{"conv_a", "conv_b", "conv_c"} {
			if err := s.CreateConversation(ctx, "alice", &convstore.Conversation{ID: id}, nil); err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Minute)
		}
		if _, err := s.UpdateConversation(ctx, "alice", "conv_a", "Renamed", nil); err != nil {
			t.Fatal(err)
		}
		names := func(p convstore.Page) string {
			list, more, err := s.Conversations(ctx, "alice", p)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range list {
				out = append(out, c.ID+":"+c.Title)
			}
			return fmt.Sprintf("%s %v", strings.Join(out, ","), more)
		}
		if got := names(convstore.Page{}); got != "conv_a:Renamed,conv_c:,conv_b: false" {
			t.Errorf("list = %s", got)
		}
		if got := names(convstore.Page{After: "conv_a", Limit: 1}); got != "conv_c: true" {
			t.Errorf("second page = %s", got)
		}
		if _, err := s.UpdateConversation(ctx, "mallory", "conv_a", "x", nil); !errors.Is(err, convstore.ErrNotFound) {
			t.Errorf("another caller renames: %v", err)
		}
		if err := s.PutResponse(ctx, "alice", &convstore.Response{ID: "resp_1", Created: c.Now(), Object: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateConversation(ctx, "bob", &convstore.Conversation{ID: "conv_a"}, []convstore.Item{item("x", "bob's")}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAll(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		if got := names(convstore.Page{}); got != " false" {
			t.Errorf("after DeleteAll: %s", got)
		}
		if _, err := s.Response(ctx, "alice", "resp_1"); !errors.Is(err, convstore.ErrNotFound) {
			t.Errorf("response after DeleteAll: %v", err)
		}
		if got, _, err := s.Items(ctx, "bob", "conv_a", convstore.Page{}); err != nil || ids(got) != "x" {
			t.Errorf("bob's conversation after alice's DeleteAll: %s %v", ids(got), err)
		}
	})
}

func TestMemoryKeepsABoundedNumberOfResponses(t *testing.T) {
	t.Parallel()
	c := &clock{now: t0}
	s, err := convstore.NewMemory(config(c))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range convstore.MemoryResponses + 2 {
		if err := s.PutResponse(ctx, "alice", &convstore.Response{ID: fmt.Sprint("resp_", i), Created: t0, Object: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	for id, want := range map[string]bool{"resp_0": false, "resp_1": false, "resp_2": true, fmt.Sprint("resp_", convstore.MemoryResponses+1): true} {
		if _, err := s.Response(ctx, "alice", id); (err == nil) != want {
			t.Errorf("%s kept = %v; want %v", id, err == nil, want)
		}
	}
}
