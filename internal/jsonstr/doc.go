// Package jsonstr appends JSON values to byte slices without reflection or
// allocation, for the encoders on the per-request and per-token paths (SSE
// chunks, metric lines). It is not a general JSON encoder: callers write the
// structure themselves and use it for the parts that need escaping.
package jsonstr
