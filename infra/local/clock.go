package local

import (
	"sync"
	"time"
)

// Clock is the local stack's time: the real time moved by an offset, which
// tests (and POST /_local/clock) set or advance to watch a year of
// schedules go by. Every function of the stack reads it; deployed functions
// read the real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the stack's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Set moves the clock so that it reads t now (and runs on from there).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
