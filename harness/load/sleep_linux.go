package load

import (
	"time"

	"golang.org/x/sys/unix"
)

// shortSleep sleeps d (below 2 ms) in the kernel. The runtime's timers
// wake in whole milliseconds on Linux (its poller waits in them), which
// would make a 0.3 ms wait of the sender 1.1 ms and a 1.5 ms one 2.1 ms.
// The thread blocks meanwhile; the runtime hands its processor to other
// goroutines as for any blocking system call.
func shortSleep(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
