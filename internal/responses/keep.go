package responses

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// maxChain bounds how many stored responses previous_response_id walks
// back: each is one read.
const maxChain = 100

// keepTimeout bounds the writes that keep an answer. They run after the
// answer, on their own context: a client that leaves at the last moment
// still has its response kept.
const keepTimeout = 10 * time.Second

// keeping is what a request asks of the store: the state it continues and
// whether its answer is kept.
type keeping struct {
	store        convstore.Store
	caller       string          // set by Prepare
	save         bool            // store: keep the response
	previous     string          // previous_response_id
	conversation string          // conversation
	input        json.RawMessage // the request's own input, as sent
	instructions *string
	lim          gateway.Limits
	items        []convstore.Item // the input as items, with ids (set by Prepare)
}

// decodeKeeping reads store, previous_response_id and conversation. With a
// store, store defaults to true as in OpenAI's API.
func decodeKeeping(in *responsesRequest, store convstore.Store, lim gateway.Limits) (keeping, error) {
	k := keeping{store: store, input: in.Input, instructions: in.Instructions, lim: lim}
	if store == nil {
		return k, nil
	}
	k.save = in.Store == nil || *in.Store
	if gateway.IsSet(in.PreviousResponseID) {
		if err := json.Unmarshal(in.PreviousResponseID, &k.previous); err != nil {
			return k, gateway.Invalid("previous_response_id", "invalid_type", "previous_response_id must be a string")
		}
	}
	if raw := in.Conversation; gateway.IsSet(raw) {
		var byID struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &k.conversation) != nil && (json.Unmarshal(raw, &byID) != nil || byID.ID == "") {
			return k, gateway.Invalid("conversation", "invalid_type", `conversation must be a conversation id or {"id": "<conversation id>"}`)
		}
		if k.conversation == "" {
			k.conversation = byID.ID
		}
	}
	if k.previous != "" && k.conversation != "" {
		return k, gateway.Invalid("previous_response_id", "invalid_value", "previous_response_id and conversation cannot both be set")
	}
	return k, nil
}

// Prepare reads what the request continues — the chain of stored
// responses before previous_response_id, or the conversation's items —
// and puts it before the request's own input.
func (p *responsesParsed) Prepare(ctx context.Context, caller string) error {
	k := &p.keep
	if k.store == nil {
		return nil
	}
	if caller == "" && (k.save || k.previous != "" || k.conversation != "") {
		return &gateway.Error{Status: http.StatusForbidden, Type: "permission_error", Code: "no_caller_key",
			Message: "these credentials cannot keep responses or conversations; send store: false"}
	}
	k.caller = caller
	var err error
	if k.items, err = inputItems(k.input); err != nil {
		return err
	}
	var history []convstore.Item
	param := "previous_response_id"
	switch {
	case k.previous != "":
		history, err = chain(ctx, k.store, caller, k.previous)
	case k.conversation != "":
		param = "conversation"
		history, err = conversationItems(ctx, k.store, caller, k.conversation)
	default:
		return nil
	}
	if err != nil {
		return storeError(err, param, "")
	}
	if len(history)+len(k.items) > k.lim.MaxMessages {
		return gateway.Invalid(param, "too_many_messages", "the conversation holds more than "+strconv.Itoa(k.lim.MaxMessages)+" items; start a new one")
	}
	all := make([]json.RawMessage, 0, len(history)+len(k.items))
	for _, it := range history {
		all = append(all, it.Data)
	}
	for _, it := range k.items {
		all = append(all, it.Data)
	}
	raw, err := json.Marshal(all)
	if err != nil {
		return err
	}
	lim := k.lim
	lim.MaxMessages = len(all)
	msgs, err := inputMessages(raw, "input", k.instructions, lim)
	if err != nil {
		return err
	}
	p.req.Messages = msgs
	return nil
}

// chain returns the items of the stored responses that end with id, oldest
// first: each one's input, then its output.
func chain(ctx context.Context, s convstore.Store, caller, id string) ([]convstore.Item, error) {
	var turns [][]convstore.Item
	for n := 0; id != ""; n++ {
		if n == maxChain {
			return nil, gateway.Invalid("previous_response_id", "invalid_value", "previous_response_id starts a chain of more than "+strconv.Itoa(maxChain)+" responses; start a new one")
		}
		r, err := s.Response(ctx, caller, id)
		if err != nil {
			return nil, err
		}
		turns = append(turns, append(append([]convstore.Item(nil), r.Input...), r.Output...))
		id = r.Previous
	}
	var out []convstore.Item
	for i := len(turns) - 1; i >= 0; i-- {
		out = append(out, turns[i]...)
	}
	return out, nil
}

// conversationItems returns all of a conversation's items, oldest first.
func conversationItems(ctx context.Context, s convstore.Store, caller, id string) ([]convstore.Item, error) {
	var out []convstore.Item
	page := convstore.Page{Limit: convstore.MaxPage}
	for {
		list, more, err := s.Items(ctx, caller, id, page)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if !more || len(list) == 0 {
			return out, nil
		}
		page.After = list[len(list)-1].ID
	}
}

// keepAnswer keeps o, the finished response, as the request asked: in the
// store under its id, and its input and output appended to its
// conversation. It runs before the client is told the answer is complete,
// so a response said to be stored can be continued.
func (p *responsesParsed) keepAnswer(o *responseObject) error {
	k := &p.keep
	if k.store == nil || (!k.save && k.conversation == "") {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), keepTimeout)
	defer cancel()
	out := make([]convstore.Item, 0, len(o.Output))
	for _, v := range o.Output {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out = append(out, convstore.Item{ID: itemIDOf(b), Data: b})
	}
	if k.save {
		obj, err := json.Marshal(o)
		if err != nil {
			return err
		}
		err = k.store.PutResponse(ctx, k.caller, &convstore.Response{ID: o.ID, Created: time.Unix(o.CreatedAt, 0).UTC(),
			Previous: k.previous, Conversation: k.conversation, Input: k.items, Output: out, Object: obj})
		if err != nil {
			return storeError(err, "store", "")
		}
	}
	if k.conversation != "" {
		if err := k.store.AppendItems(ctx, k.caller, k.conversation, append(append([]convstore.Item(nil), k.items...), out...)); err != nil {
			return storeError(err, "conversation", "")
		}
		if err := titleFromInput(ctx, k); err != nil {
			return storeError(err, "conversation", "")
		}
	}
	return nil
}

// titleFromInput names an untitled conversation after its first user text.
func titleFromInput(ctx context.Context, k *keeping) error {
	c, err := k.store.Conversation(ctx, k.caller, k.conversation)
	if err != nil || c.Title != "" {
		return err
	}
	for _, it := range k.items {
		if t := titleOf(it.Data); t != "" {
			_, err := k.store.UpdateConversation(ctx, k.caller, c.ID, t, c.Metadata)
			return err
		}
	}
	return nil
}

const titleLength = 48

// titleOf is the start of a user message item's text, on one line.
func titleOf(item json.RawMessage) string {
	var m struct {
		Type, Role string
		Content    []struct{ Type, Text string }
	}
	if json.Unmarshal(item, &m) != nil || m.Type != "message" || m.Role != "user" {
		return ""
	}
	var text []string
	for _, c := range m.Content {
		text = append(text, c.Text)
	}
	line := strings.Join(strings.Fields(strings.Join(text, " ")), " ")
	if r := []rune(line); len(r) > titleLength {
		line = string(r[:titleLength-1]) + "…"
	}
	return line
}

func itemIDOf(b []byte) string {
	var v struct{ ID string }
	_ = json.Unmarshal(b, &v)
	return v.ID
}

// inputItems turns input (a string or items) into items as the API lists
// them: each with an id and a type, a message's content as parts.
func inputItems(raw json.RawMessage) ([]convstore.Item, error) {
	var list []map[string]json.RawMessage
	if len(raw) > 0 && raw[0] == '"' {
		list = []map[string]json.RawMessage{{"role": json.RawMessage(`"user"`), "content": raw}}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, gateway.Invalid("input", "invalid_type", "input must be a string or an array of input items")
	}
	out := make([]convstore.Item, len(list))
	for i, it := range list {
		item, err := normalItem(it)
		if err != nil {
			return nil, err
		}
		out[i] = item
	}
	return out, nil
}

// idPrefixes are the id prefixes of the item types, as OpenAI's.
var idPrefixes = map[string]string{
	"message": "msg_", "function_call": "fc_", "function_call_output": "fco_", "reasoning": "rs_",
}

func normalItem(it map[string]json.RawMessage) (convstore.Item, error) {
	var typ, role, id string
	_ = json.Unmarshal(it["type"], &typ)
	_ = json.Unmarshal(it["role"], &role)
	_ = json.Unmarshal(it["id"], &id)
	if typ == "" {
		typ = "message"
		it["type"] = json.RawMessage(`"message"`)
	}
	if content := it["content"]; typ == "message" && len(content) > 0 && content[0] == '"' {
		var text string
		if err := json.Unmarshal(content, &text); err != nil {
			return convstore.Item{}, gateway.Invalid("input", "invalid_type", "content must be a string or an array of parts")
		}
		part := "input_text"
		if role == "assistant" {
			part = "output_text"
		}
		it["content"], _ = json.Marshal([]map[string]string{{"type": part, "text": text}})
	}
	if id == "" {
		id = idPrefixes[typ] + strings.ToLower(rand.Text())
		it["id"], _ = json.Marshal(id)
	}
	if _, ok := it["status"]; !ok && typ == "message" {
		it["status"] = json.RawMessage(`"completed"`)
	}
	b, err := json.Marshal(it)
	return convstore.Item{ID: id, Data: b}, err
}

// storeError is what a client is told of a store's error: a 404 for an id
// it does not have (named by param), a 400 naming a cap, and otherwise a
// 503 whose cause goes to the log.
func storeError(err error, param, what string) error {
	var ce *convstore.CapError
	var ge *gateway.Error
	switch {
	case errors.As(err, &ge):
		return err
	case errors.Is(err, convstore.ErrNotFound):
		if what == "" {
			what = param + " was not found"
		}
		e := &gateway.Error{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found", Message: what}
		if param != "" {
			e.Param = &param
		}
		return e
	case errors.As(err, &ce):
		return gateway.Invalid(param, ce.Cap, ce.Error())
	}
	slog.Debug("store error", "error", err.Error())
	return errors.Join(&gateway.Error{Status: http.StatusServiceUnavailable, Type: "service_unavailable_error",
		Code: "store_unavailable", Message: "stored responses and conversations are unavailable; retry shortly"}, err)
}
