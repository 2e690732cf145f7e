// Package sse writes Server-Sent Events to an http.ResponseWriter.
//
// It is built for writers that may not buffer or flush the way net/http's
// does: under AWS Lambda response streaming (lambdaurl) the ResponseWriter has
// no http.Flusher, but every Write leaves at once as its own chunk. So each
// frame is written with exactly one Write, and a flush is attempted through
// http.ResponseController with http.ErrNotSupported treated as normal.
//
// It writes frames; it does not know what they mean. The OpenAI chunk format
// and the [DONE] sentinel belong to the gateway.
package sse
