package authtest

import (
	"sync"
	"time"
)

// Clock is a settable time source for auth.WithTimeFunc, shared by the
// code under test and the test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at the current time, truncated to the second as token
// times are.
func NewClock() *Clock { return &Clock{t: time.Now().Truncate(time.Second)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
