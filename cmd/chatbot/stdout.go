package main

import (
	"io"
	"sync"
)

// lockedWriter serialises whole-line writes from the logger and the metrics
// emitter, which share standard output (CloudWatch reads both from it).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
