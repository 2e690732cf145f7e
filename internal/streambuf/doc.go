// Package streambuf keeps the events of a streamed answer so that a client
// whose connection dropped can pick the stream up where it left off, from
// any process that can reach the store, while the answer is still being
// produced or after it has ended.
//
// A stream is addressed by a Key: the caller's identity and the response id
// (chatcmpl-…, resp_…). Only a reader presenting the same Key finds it,
// which is how one caller is kept from reading another's answers. Events
// are numbered from 0 without gaps; the number is the SSE id the client
// sees, so a reader asks for "the events after n".
//
// The producer writes through a Writer, which never makes the relay wait on
// the store: Add copies the event into a batch that a goroutine of its own
// flushes when it is large enough or old enough (WriterConfig), so an answer
// of a thousand events costs a few dozen writes, not a thousand. Close
// flushes what is left together with the stream's end (completed, failed
// or cancelled). A reader uses Follow, which replays what is stored and
// then waits for more: in memory it is woken by the writer, in DynamoDB it
// polls at a bounded interval. A stream whose producer vanished (its
// deadline passed with no end written) ends the reader with
// ErrProducerLost rather than a wait without end.
//
// A stream may also carry a job (Header.Job): the work of a background
// answer that another invocation will produce, kept with the stream until
// that invocation claims it (Store.Claim, once, by the job's hash). The
// store never reads it.
//
// Two stores implement Store: Memory, for one process (local runs, tests),
// and Dynamo, a DynamoDB table every instance shares (docs/operations.md
// describes its key schema and what it costs per answer). The package
// knows nothing of HTTP or of the wire formats: an event's Data is opaque
// bytes, and so is a stream's Meta.
package streambuf
