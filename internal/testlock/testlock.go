package testlock

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// PathEnv, when set, names the lock file (the turnstile is beside it, with
// ".turnstile" appended); by default both are in os.TempDir().
const PathEnv = "ABLOAD_TEST_LOCK"

type mode int

const (
	none mode = iota
	shared
	alone
)

func (m mode) String() string {
	if m == alone {
		return "alone"
	}
	return "shared"
}

// The process's one hold. The tests of one process that take the lock run
// one after another (none of them is parallel); a subtest runs under its
// parent's hold.
var state struct {
	sync.Mutex
	main, turn *os.File
	held       mode
	holder     string // the test whose end releases the hold
}

// Shared holds the end-to-end lock shared until tb ends: tb may run beside
// another process's Shared test, never beside an Alone one.
func Shared(tb testing.TB) { take(tb, shared) }

// Alone holds the end-to-end lock exclusively until tb ends: no other
// process's end-to-end test runs meanwhile. Call it before the test starts
// anything (a cluster, a run).
func Alone(tb testing.TB) { take(tb, alone) }

func take(tb testing.TB, want mode) {
	tb.Helper()
	state.Lock()
	defer state.Unlock()
	name := tb.Name()
	covered := state.held != none && (name == state.holder || strings.HasPrefix(name, state.holder+"/"))
	if covered && state.held >= want {
		return
	}
	if err := open(); err != nil {
		tb.Fatalf("testlock: %v", err)
	}
	prev := state.held
	if covered {
		// Shared to Alone within one test: let go first, so two
		// processes upgrading at once can't wait for each other.
		_ = unix.Flock(int(state.main.Fd()), unix.LOCK_UN)
		state.held = none
	}
	if err := acquire(tb, want); err != nil {
		tb.Fatalf("testlock: %v", err)
	}
	state.held = want
	switch {
	case !covered:
		state.holder = name
		tb.Cleanup(release)
	case name != state.holder:
		// A subtest asked for more than its parent holds: back to the
		// parent's hold when the subtest ends.
		tb.Cleanup(func() { downgrade(prev) })
	}
}

func open() error {
	if state.main != nil {
		return nil
	}
	path := os.Getenv(PathEnv)
	if path == "" {
		path = filepath.Join(os.TempDir(), "abload-e2e.lock")
	}
	// Read-only: flock needs no more, and another user's file serves.
	m, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o666)
	if err != nil {
		return err
	}
	t, err := os.OpenFile(path+".turnstile", os.O_CREATE|os.O_RDONLY, 0o666)
	if err != nil {
		m.Close()
		return err
	}
	state.main, state.turn = m, t
	return nil
}

// acquire passes the turnstile first: a test waiting to run Alone holds
// it, so the other lane's next Shared test waits behind it instead of
// overtaking it for as long as that lane has tests.
func acquire(tb testing.TB, want mode) error {
	tb.Helper()
	how := unix.LOCK_SH
	if want == alone {
		how = unix.LOCK_EX
	}
	turn, main := int(state.turn.Fd()), int(state.main.Fd())
	var waited time.Time
	if err := flock(tb, turn, unix.LOCK_EX, want, &waited); err != nil {
		return err
	}
	defer unix.Flock(turn, unix.LOCK_UN)
	if err := flock(tb, main, how, want, &waited); err != nil {
		return err
	}
	if !waited.IsZero() {
		tb.Logf("testlock: waited %.1fs", time.Since(waited).Seconds())
	}
	return nil
}

// flock takes the lock; when it has to wait for another process, it says so
// once per acquire and sets *waited to when it began.
func flock(tb testing.TB, fd, how int, want mode, waited *time.Time) error {
	tb.Helper()
	err := unix.Flock(fd, how|unix.LOCK_NB)
	if err != unix.EWOULDBLOCK {
		return err
	}
	if waited.IsZero() {
		*waited = time.Now()
		tb.Logf("testlock: waiting for another test process's end-to-end test (to run %s)", want)
	}
	for {
		if err = unix.Flock(fd, how); err != unix.EINTR {
			return err
		}
	}
}

// downgrade goes back from alone to shared (a conversion can't wait for
// another process: none holds the lock while this one holds it alone).
func downgrade(to mode) {
	state.Lock()
	defer state.Unlock()
	if state.held == alone && to == shared {
		for unix.Flock(int(state.main.Fd()), unix.LOCK_SH) == unix.EINTR {
		}
		state.held = shared
	}
}

func release() {
	state.Lock()
	defer state.Unlock()
	if state.main != nil {
		_ = unix.Flock(int(state.main.Fd()), unix.LOCK_UN)
	}
	state.held, state.holder = none, ""
}
