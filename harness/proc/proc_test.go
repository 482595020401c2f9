package proc

import (
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The processes abload starts die with it (Pdeathsig), which Linux ties to
// the thread that forked them; Go ends a thread when a goroutine locked to
// it returns. A child started from such a goroutine must live on: abload's
// JVMs were killed mid-run when a locked goroutine (a CPU hog in a test,
// the pinning code's error path) returned after starting one.
func TestChildOutlivesTheThreadThatAskedForIt(t *testing.T) {
	type started struct {
		p   *Process
		err error
	}
	log := filepath.Join(t.TempDir(), "sleep.log")
	// Hold this goroutine's thread (often the main one) so that the
	// goroutine below runs on another.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var s started
	for try := 0; ; try++ {
		ch := make(chan *started)
		go func() {
			runtime.LockOSThread()
			if unix.Gettid() == unix.Getpid() {
				// The main thread is never ended (Go parks it instead):
				// try again on another.
				runtime.UnlockOSThread()
				ch <- nil
				return
			}
			// Returns locked: Go ends this thread.
			p, err := Start("sleeper", log, nil, "", "sleep", "30")
			ch <- &started{p, err}
		}()
		if r := <-ch; r != nil {
			s = *r
			break
		}
		if try == 100 {
			t.Fatal("no goroutine ran off the main thread")
		}
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	defer s.p.Stop(time.Second)
	time.Sleep(500 * time.Millisecond)
	if s.p.Exited() {
		t.Fatalf("the child died when the thread that asked for it ended: %v", s.p.Err)
	}
}
