//go:build !linux

package load

import "time"

// shortSleep sleeps d with the runtime's timer.
func shortSleep(d time.Duration) { time.Sleep(d) }
