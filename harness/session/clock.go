package session

import "time"

// Clock is one host's monotonic-backed wall clock: wall time read once at
// construction, advanced by the monotonic clock afterwards, so a wall-clock
// step (NTP) during a run cannot bend a latency. All timestamps the harness
// records come from one Clock.
type Clock struct {
	base   time.Time
	baseNs int64
}

// NewClock starts a clock at the current wall time.
func NewClock() *Clock {
	now := time.Now()
	return &Clock{base: now, baseNs: now.UnixNano()}
}

// Now returns Unix nanoseconds.
func (c *Clock) Now() int64 { return c.baseNs + int64(time.Since(c.base)) }

// Time returns Now as a time.Time (without a monotonic reading).
func (c *Clock) Time() time.Time { return time.Unix(0, c.Now()) }
