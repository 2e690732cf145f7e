package responses

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// The Conversations API (OpenAI's shapes), plus two documented extensions
// a chat page needs: GET /v1/conversations lists the caller's
// conversations, newest change first, and DELETE /v1/conversations removes
// everything the caller stored. A conversation also carries a title and
// the time of its last change.
func (s *kept) conversationRoutes() []gateway.Route {
	return []gateway.Route{
		{Method: http.MethodGet, Pattern: "/v1/conversations", Serve: s.listConversations},
		{Method: http.MethodPost, Pattern: "/v1/conversations", Serve: s.createConversation},
		{Method: http.MethodDelete, Pattern: "/v1/conversations", Serve: s.deleteAll},
		{Method: http.MethodGet, Pattern: "/v1/conversations/{id}", Serve: s.getConversation},
		{Method: http.MethodPost, Pattern: "/v1/conversations/{id}", Serve: s.updateConversation},
		{Method: http.MethodDelete, Pattern: "/v1/conversations/{id}", Serve: s.deleteConversation},
		{Method: http.MethodGet, Pattern: "/v1/conversations/{id}/items", Serve: s.listItems},
		{Method: http.MethodPost, Pattern: "/v1/conversations/{id}/items", Serve: s.addItems},
		{Method: http.MethodGet, Pattern: "/v1/conversations/{id}/items/{item}", Serve: s.getItem},
		{Method: http.MethodDelete, Pattern: "/v1/conversations/{id}/items/{item}", Serve: s.deleteItem},
	}
}

// conversationObject is OpenAI's Conversation, with the gateway's title
// and updated_at.
type conversationObject struct {
	ID        string            `json:"id"`
	Object    string            `json:"object"`
	CreatedAt int64             `json:"created_at"`
	UpdatedAt int64             `json:"updated_at"`
	Title     string            `json:"title"`
	Metadata  map[string]string `json:"metadata"`
}

func objectOf(c *convstore.Conversation) conversationObject {
	m := c.Metadata
	if m == nil {
		m = map[string]string{}
	}
	return conversationObject{ID: c.ID, Object: "conversation", CreatedAt: c.Created.Unix(), UpdatedAt: c.Updated.Unix(), Title: c.Title, Metadata: m}
}

// conversationBody is what creating or updating a conversation may send.
type conversationBody struct {
	Items    []map[string]json.RawMessage `json:"items"`
	Metadata map[string]string            `json:"metadata"`
	Title    *string                      `json:"title"`
}

const maxTitle = 256

func decodeConversationBody(body []byte, lim gateway.Limits) (*conversationBody, []convstore.Item, error) {
	var in conversationBody
	if len(body) == 0 {
		return &in, nil, nil
	}
	if err := gateway.DecodeJSON(body, &in); err != nil {
		return nil, nil, err
	}
	if _, err := metadata(in.Metadata); err != nil {
		return nil, nil, err
	}
	if in.Title != nil && len(*in.Title) > maxTitle {
		return nil, nil, gateway.Invalid("title", "invalid_value", "title must be at most 256 characters")
	}
	items, err := decodeItems(in.Items, lim)
	return &in, items, err
}

// decodeItems checks items as input items (the same rules as a response's
// input) and gives each an id.
func decodeItems(raw []map[string]json.RawMessage, lim gateway.Limits) ([]convstore.Item, error) {
	if len(raw) > lim.MaxMessages {
		return nil, gateway.Invalid("items", "too_many_messages", "at most "+strconv.Itoa(lim.MaxMessages)+" items are allowed")
	}
	items := make([]convstore.Item, len(raw))
	all := make([]json.RawMessage, len(raw))
	for i, it := range raw {
		var err error
		if items[i], err = normalItem(it); err != nil {
			return nil, err
		}
		all[i] = items[i].Data
	}
	if len(all) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(all)
	if err != nil {
		return nil, err
	}
	if _, err := inputMessages(b, "items", nil, lim); err != nil {
		return nil, err
	}
	return items, nil
}

func notFound(id string) string { return "conversation " + gateway.Quote(id) + " was not found" }

func (s *kept) listConversations(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	convs, more, err := s.store.Conversations(r.Context(), call.Caller, p)
	if err != nil {
		return storeError(err, "after", "conversation "+gateway.Quote(p.After)+" was not found")
	}
	data := make([]conversationObject, len(convs))
	l := list{Object: "list", Data: data, HasMore: more}
	for i := range convs {
		data[i] = objectOf(&convs[i])
	}
	if len(data) > 0 {
		l.FirstID, l.LastID = &data[0].ID, &data[len(data)-1].ID
	}
	gateway.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (s *kept) createConversation(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	in, items, err := decodeConversationBody(call.Body, call.Limits)
	if err != nil {
		return err
	}
	c := &convstore.Conversation{ID: "conv_" + strings.ToLower(rand.Text()), Metadata: in.Metadata}
	if in.Title != nil {
		c.Title = *in.Title
	}
	if c.Title == "" {
		for _, it := range items {
			if c.Title = titleOf(it.Data); c.Title != "" {
				break
			}
		}
	}
	if err := s.store.CreateConversation(r.Context(), call.Caller, c, items); err != nil {
		return storeError(err, "items", "")
	}
	gateway.WriteJSON(w, http.StatusOK, objectOf(c))
	return nil
}

func (s *kept) getConversation(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	c, err := s.store.Conversation(r.Context(), call.Caller, r.PathValue("id"))
	if err != nil {
		return storeError(err, "", notFound(r.PathValue("id")))
	}
	gateway.WriteJSON(w, http.StatusOK, objectOf(c))
	return nil
}

// updateConversation replaces the metadata, the title, or both; what the
// body leaves out stays.
func (s *kept) updateConversation(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	in, items, err := decodeConversationBody(call.Body, call.Limits)
	if err != nil {
		return err
	}
	if len(items) > 0 {
		return gateway.Invalid("items", "unsupported_parameter", "add items with POST /v1/conversations/{id}/items")
	}
	id := r.PathValue("id")
	c, err := s.store.Conversation(r.Context(), call.Caller, id)
	if err != nil {
		return storeError(err, "", notFound(id))
	}
	title, meta := c.Title, c.Metadata
	if in.Title != nil {
		title = *in.Title
	}
	if in.Metadata != nil {
		meta = in.Metadata
	}
	if c, err = s.store.UpdateConversation(r.Context(), call.Caller, id, title, meta); err != nil {
		return storeError(err, "", notFound(id))
	}
	gateway.WriteJSON(w, http.StatusOK, objectOf(c))
	return nil
}

func (s *kept) deleteConversation(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	id := r.PathValue("id")
	if err := s.store.DeleteConversation(r.Context(), call.Caller, id); err != nil {
		return storeError(err, "", notFound(id))
	}
	gateway.WriteJSON(w, http.StatusOK, deleted{ID: id, Object: "conversation.deleted", Deleted: true})
	return nil
}

func (s *kept) deleteAll(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	if err := s.store.DeleteAll(r.Context(), call.Caller); err != nil {
		return storeError(err, "", "")
	}
	gateway.WriteJSON(w, http.StatusOK, deleted{Object: "conversation.deleted_all", Deleted: true})
	return nil
}

func (s *kept) listItems(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	items, more, err := s.store.Items(r.Context(), call.Caller, id, p)
	if err != nil {
		if _, cerr := s.store.Conversation(r.Context(), call.Caller, id); cerr != nil {
			return storeError(cerr, "", notFound(id))
		}
		return storeError(err, "after", "item "+gateway.Quote(p.After)+" was not found")
	}
	gateway.WriteJSON(w, http.StatusOK, listOf(items, more))
	return nil
}

func (s *kept) addItems(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	in, items, err := decodeConversationBody(call.Body, call.Limits)
	if err != nil {
		return err
	}
	if len(items) == 0 || in.Metadata != nil || in.Title != nil {
		return gateway.Invalid("items", "invalid_value", "items must be a non-empty array, and the only field")
	}
	id := r.PathValue("id")
	if err := s.store.AppendItems(r.Context(), call.Caller, id, items); err != nil {
		return storeError(err, "items", notFound(id))
	}
	gateway.WriteJSON(w, http.StatusOK, listOf(items, false))
	return nil
}

func (s *kept) getItem(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	id, item := r.PathValue("id"), r.PathValue("item")
	it, err := s.store.Item(r.Context(), call.Caller, id, item)
	if err != nil {
		return storeError(err, "", "item "+gateway.Quote(item)+" was not found in conversation "+gateway.Quote(id))
	}
	gateway.WriteJSON(w, http.StatusOK, it.Data)
	return nil
}

// deleteItem removes one item and answers the conversation, as OpenAI does.
func (s *kept) deleteItem(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	id, item := r.PathValue("id"), r.PathValue("item")
	if err := s.store.DeleteItem(r.Context(), call.Caller, id, item); err != nil {
		return storeError(err, "", "item "+gateway.Quote(item)+" was not found in conversation "+gateway.Quote(id))
	}
	c, err := s.store.Conversation(r.Context(), call.Caller, id)
	if err != nil {
		return storeError(err, "", notFound(id))
	}
	gateway.WriteJSON(w, http.StatusOK, objectOf(c))
	return nil
}
