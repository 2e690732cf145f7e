package responses

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/convstore"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// Routes are the routes of what the Responses API keeps: stored
// responses, and the Conversations API. Without a store they answer that
// nothing is kept.
func (f Format) Routes() []gateway.Route {
	s := &kept{store: f.Store}
	routes := []gateway.Route{
		{Method: http.MethodGet, Pattern: "/v1/responses/{id}", Serve: s.getResponse},
		{Method: http.MethodDelete, Pattern: "/v1/responses/{id}", Serve: s.deleteResponse},
		{Method: http.MethodGet, Pattern: "/v1/responses/{id}/input_items", Serve: s.inputItems},
	}
	routes = append(routes, s.conversationRoutes()...)
	if f.Store == nil {
		for i := range routes {
			routes[i].Serve = nothingKept
		}
	}
	return routes
}

// nothingKept serves every route of what is kept when nothing is: the
// kept's own handlers can count on a store.
func nothingKept(http.ResponseWriter, *http.Request, *gateway.Call) error { return errNotKept }

// kept serves what the store keeps.
type kept struct {
	store convstore.Store
}

// errNotKept answers every route of what is kept when nothing is.
var errNotKept = &gateway.Error{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found",
	Message: "this gateway keeps no responses or conversations (STATE_STORE=off)"}

func (s *kept) getResponse(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	id := r.PathValue("id")
	resp, err := s.store.Response(r.Context(), call.Caller, id)
	if err != nil {
		return storeError(err, "", "response "+gateway.Quote(id)+" was not found")
	}
	gateway.WriteJSON(w, http.StatusOK, resp.Object)
	return nil
}

func (s *kept) deleteResponse(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	id := r.PathValue("id")
	if err := s.store.DeleteResponse(r.Context(), call.Caller, id); err != nil {
		return storeError(err, "", "response "+gateway.Quote(id)+" was not found")
	}
	gateway.WriteJSON(w, http.StatusOK, deleted{ID: id, Object: "response", Deleted: true})
	return nil
}

// inputItems lists a stored response's own input items, newest first
// unless order=asc, as OpenAI does.
func (s *kept) inputItems(w http.ResponseWriter, r *http.Request, call *gateway.Call) error {
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	resp, err := s.store.Response(r.Context(), call.Caller, id)
	if err != nil {
		return storeError(err, "", "response "+gateway.Quote(id)+" was not found")
	}
	items := resp.Input
	if p.Desc {
		items = make([]convstore.Item, len(resp.Input))
		for i, it := range resp.Input {
			items[len(items)-1-i] = it
		}
	}
	if p.After != "" {
		i := indexOf(items, p.After)
		if i < 0 {
			return storeError(convstore.ErrNotFound, "after", "item "+gateway.Quote(p.After)+" is not an input item of this response")
		}
		items = items[i+1:]
	}
	more := len(items) > p.Limit
	if more {
		items = items[:p.Limit]
	}
	gateway.WriteJSON(w, http.StatusOK, listOf(items, more))
	return nil
}

func indexOf(items []convstore.Item, id string) int {
	for i, it := range items {
		if it.ID == id {
			return i
		}
	}
	return -1
}

type deleted struct {
	ID      string `json:"id,omitempty"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// list is OpenAI's cursor page.
type list struct {
	Object  string  `json:"object"`
	Data    any     `json:"data"`
	FirstID *string `json:"first_id"`
	LastID  *string `json:"last_id"`
	HasMore bool    `json:"has_more"`
}

func listOf(items []convstore.Item, more bool) list {
	data := make([]json.RawMessage, len(items))
	l := list{Object: "list", Data: data, HasMore: more}
	for i, it := range items {
		data[i] = it.Data
	}
	if len(items) > 0 {
		l.FirstID, l.LastID = &items[0].ID, &items[len(items)-1].ID
	}
	return l
}

// pageOf reads after, limit (1–100, default 20) and order (asc or desc;
// desc by default when descDefault) from the query.
func pageOf(r *http.Request, descDefault bool) (convstore.Page, error) {
	q := r.URL.Query()
	p := convstore.Page{After: q.Get("after"), Limit: 20, Desc: descDefault}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > convstore.MaxPage {
			return p, gateway.Invalid("limit", "invalid_value", "limit must be from 1 to 100")
		}
		p.Limit = n
	}
	switch q.Get("order") {
	case "":
	case "asc":
		p.Desc = false
	case "desc":
		p.Desc = true
	default:
		return p, gateway.Invalid("order", "invalid_value", `order must be "asc" or "desc"`)
	}
	return p, nil
}
