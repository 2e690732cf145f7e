package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// Background answers handed to another invocation (Config.Handoff): on
// Lambda the invocation that accepts a background request ends with its
// response, so the answer is produced by an asynchronous invocation of the
// same function. The request is kept with its stream (the job), and the
// other invocation is told only where it is and its hash (a JobEvent): the
// caller it runs as and the request it answers come from what was kept
// here, after the request was authenticated, never from the event. The job
// is claimed once (streambuf.Store.Claim), so an event delivered twice, or
// one made up, runs nothing.

// JobEvent tells another invocation which kept job to run. It holds
// nothing that could be used to impersonate a caller: a made-up event
// names a stream that does not exist, or one whose job has another hash
// or has been claimed already.
type JobEvent struct {
	Caller string `json:"caller"` // the key the stream is filed under
	ID     string `json:"id"`     // the response id
	Hash   string `json:"hash"`   // streambuf.JobHash of the kept job
}

// Handoff queues a JobEvent for another invocation and returns once it is
// queued (on Lambda: an asynchronous Invoke of the function itself).
type Handoff func(ctx context.Context, ev JobEvent) error

// Handover is a Grant that another invocation can settle: Ticket is what
// it needs to (Reopener), HandOver lets go of the grant here (its renewals)
// without settling it.
type Handover interface {
	Ticket() ([]byte, error)
	HandOver()
}

// Reopener is a Limiter that settles, in the invocation that produces a
// background answer, a Grant another invocation handed over.
type Reopener interface {
	Reopen(ctx context.Context, ticket []byte) (Grant, error)
}

// DefaultJobMaxAge is the default Config.JobMaxAge.
const DefaultJobMaxAge = 5 * time.Minute

// handoffTimeout bounds the Handoff call: queueing an event is quick, and
// the client waits for it.
const handoffTimeout = 10 * time.Second

// keptJob is what a background request keeps with its stream.
type keptJob struct {
	Format  string          `json:"format"`     // the route, which names the Format
	Request string          `json:"request_id"` // the accepting request's id: the response's
	Created time.Time       `json:"created"`
	Caller  *jobCaller      `json:"caller,omitempty"` // nil: no credential check (local)
	Body    json.RawMessage `json:"body"`             // the request as authenticated
	Grant   []byte          `json:"grant,omitempty"`  // the Handover ticket
}

// jobCaller is the verified caller, without the Authenticator's own
// record, which the Limiter needs only to admit and a ticket replaces.
type jobCaller struct {
	Subject string   `json:"subject,omitempty"`
	Key     string   `json:"key"`
	Groups  []string `json:"groups,omitempty"`
	Group   string   `json:"group,omitempty"`
}

func (h *Handler) jobMaxAge() time.Duration {
	if h.cfg.JobMaxAge > 0 {
		return h.cfg.JobMaxAge
	}
	return DefaultJobMaxAge
}

// handoff answers a background request whose answer another invocation
// produces: it keeps the job with the stream, hands it off and answers
// the accepted object. When the handoff fails the client is told (503)
// and the kept stream ends failed, so nothing claims success.
func (h *Handler) handoff(ctx context.Context, w http.ResponseWriter, f Format, x Exchange, m *Meta, rec *Record, adm *admission) {
	key := streambuf.Key{Caller: CallerKey(ctx), ID: f.ResponseID(m.ID)}
	if key.Caller == "" {
		adm.end()
		fail(w, rec, errNoKey)
		return
	}
	accepted, err := json.Marshal(x.(Backgrounder).Accepted(m))
	if err != nil {
		adm.end()
		fail(w, rec, fmt.Errorf("encode accepted response: %w", err))
		return
	}
	j := keptJob{Format: f.Path(), Request: m.ID, Created: m.Created, Body: adm.body}
	if c, ok := CallerFrom(ctx); ok {
		j.Caller = &jobCaller{Subject: c.Subject, Key: c.Key, Groups: c.Groups, Group: c.Group}
	}
	ho, handsOver := adm.grant.(Handover)
	if handsOver {
		if j.Grant, err = ho.Ticket(); err != nil {
			// Settled here instead, as a call that used its prompt.
			h.log.Warn("background job's grant cannot be handed over; it is settled now", slog.String("request_id", rec.ID),
				slog.String("error", err.Error()))
			handsOver = false
		}
	}
	job, err := json.Marshal(j)
	if err != nil {
		adm.end()
		fail(w, rec, fmt.Errorf("encode background job: %w", err))
		return
	}
	if room := streambuf.MaxItemBytes - len(accepted); len(job) > room {
		adm.end()
		fail(w, rec, Invalid("background", "background_too_large", fmt.Sprintf("a background request is kept in the stream "+
			"table until it runs, which holds at most %d bytes of it; this one needs %d: send it without background, or shorter",
			room, len(job))))
		return
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handoffTimeout)
	defer cancel()
	hd := streambuf.Header{Meta: accepted, Deadline: h.cfg.Now().Add(h.jobMaxAge()), Job: job}
	if err := h.cfg.Streams.Create(hctx, key, hd); err != nil {
		adm.end()
		rec.Err = err
		fail(w, rec, &Error{Status: http.StatusServiceUnavailable, Type: typeServer, Code: "store_unavailable",
			Message: "the stream store is unavailable; try again"})
		return
	}
	rec.StreamKept = "kept"
	if err := h.cfg.Handoff(hctx, JobEvent{Caller: key.Caller, ID: key.ID, Hash: streambuf.JobHash(job)}); err != nil {
		adm.cancel()
		unused(adm.grant)
		if serr := h.cfg.Streams.Append(hctx, key, nil, &streambuf.End{State: streambuf.Failed, Last: -1}); serr != nil {
			h.log.Warn("background response not marked failed: it reads as queued until its job's age passes",
				slog.String("request_id", rec.ID), slog.String("error", serr.Error()))
		}
		rec.Err = fmt.Errorf("hand off background job: %w", err)
		fail(w, rec, &Error{Status: http.StatusServiceUnavailable, Type: typeServer, Code: "background_unavailable",
			Message: "the background response could not be started; try again"})
		return
	}
	if handsOver {
		ho.HandOver()
		adm.cancel()
	} else {
		adm.end()
	}
	h.log.Info("background response handed off", slog.String("request_id", rec.ID), slog.String("response_id", key.ID))
	writeJSON(w, http.StatusOK, json.RawMessage(accepted))
}

// unused settles a grant whose call never ran: nothing used, nothing
// spent.
func unused(g Grant) {
	if g == nil {
		return
	}
	if sg, ok := g.(SpendGrant); ok {
		sg.Spent(0, true)
	}
	g.Done(chat.Usage{})
}
