package load

import (
	"time"

	"golang.org/x/sys/unix"
)

// shortSleep sleeps d (below a millisecond) in the kernel. The runtime's
// timers wake no sooner than about a millisecond on Linux (its poller waits
// in whole milliseconds), which would make every sub-millisecond wait of
// the sender a millisecond. The thread blocks meanwhile; the runtime hands
// its processor to other goroutines as for any blocking system call.
func shortSleep(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
