// Package ssetest reads Server-Sent Events the way the WHATWG HTML
// specification's event-stream parser does, for tests of anything that
// writes them. Each event records when it arrived, so tests can check that
// frames are delivered incrementally.
package ssetest
