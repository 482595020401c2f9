package testlock

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/procfs"
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
// process's end-to-end test runs meanwhile; once it has the lock it waits
// (up to 30 s) for the machine's CPU to be quiet. Make it the test's first
// statement, with the reason as a comment on the same line: lanes.sh finds
// the Alone tests there and runs them before the lanes, one after another.
// In the lanes (PhaseEnv set to "lanes"), an Alone test that lanes.sh did
// not find fails.
func Alone(tb testing.TB) { take(tb, alone) }

// PhaseEnv is set to "lanes" by lanes.sh for the tests it runs in lanes
// at once: none of them may run Alone.
const PhaseEnv = "ABLOAD_TEST_PHASE"

func take(tb testing.TB, want mode) {
	tb.Helper()
	state.Lock()
	defer state.Unlock()
	name := tb.Name()
	covered := state.held != none && (name == state.holder || strings.HasPrefix(name, state.holder+"/"))
	if covered && state.held >= want {
		return
	}
	if want == alone && os.Getenv(PhaseEnv) == "lanes" {
		tb.Fatalf("testlock: %s runs alone but lanes.sh ran it in a lane: make testlock.Alone(t) its first statement (lanes.sh looks for it there)", name)
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
// it, so another lane's next Shared test waits behind it instead of
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
	if want == alone {
		settle(tb)
	}
	return nil
}

// What "quiet" is for a test running alone: the machine's CPU busy below
// quietCores (of a core, all processes together: an idle cluster of the
// test process uses a few percent) over two windows in a row, waited for at
// most quietMax. When the lock is granted the previous test has ended, but
// its JVMs and containers can still be exiting, a Docker container's log
// still being saved: seconds of CPU that a capacity or cost claim would
// measure. The figure is the whole machine's (/proc/stat): in a container
// limited to fewer cores than its host, other tenants' load counts, and a
// test may wait the whole quietMax and then run.
const (
	quietCores  = 0.35
	quietWindow = 500 * time.Millisecond
)

// quietMax is a variable for this package's own tests, which don't wait.
var quietMax = 30 * time.Second

// settle waits until the machine is quiet (or quietMax has passed: the test
// then runs and says how busy the machine was).
func settle(tb testing.TB) {
	tb.Helper()
	if quietMax <= 0 {
		return
	}
	start := time.Now()
	prev, err := cpuTicks()
	if err != nil {
		tb.Logf("testlock: can't read the machine's CPU (%v): not waiting for it to be quiet", err)
		return
	}
	quiet, last := 0, 0.0
	for time.Since(start) < quietMax {
		time.Sleep(quietWindow)
		cur, err := cpuTicks()
		if err != nil {
			tb.Logf("testlock: can't read the machine's CPU (%v): not waiting for it to be quiet", err)
			return
		}
		last = cur.busyCores(prev)
		prev = cur
		if last < quietCores {
			quiet++
			if quiet == 2 {
				if d := time.Since(start); d > 2*quietWindow+100*time.Millisecond {
					tb.Logf("testlock: waited %.1fs for the machine to be quiet", d.Seconds())
				}
				return
			}
		} else {
			quiet = 0
		}
	}
	tb.Logf("testlock: the machine is still busy (%.2f cores over the last %v) after %v: running anyway", last, quietWindow, quietMax)
}

// ticks is the machine's CPU time since boot (/proc/stat's cpu line, in
// seconds): all of it, idle (idle + iowait) and steal; and its CPU count.
type ticks struct {
	total, idle, steal float64
	cpus               int
}

func cpuTicks() (ticks, error) { return statTicks(procfs.DefaultMountPoint) }

// statTicks reads the stat file of the proc file system mounted at mount.
func statTicks(mount string) (ticks, error) {
	fs, err := procfs.NewFS(mount)
	if err != nil {
		return ticks{}, err
	}
	st, err := fs.Stat()
	if err != nil {
		return ticks{}, err
	}
	if len(st.CPU) == 0 {
		return ticks{}, fmt.Errorf("%s/stat: no cpuN lines", mount)
	}
	c := st.CPUTotal
	// Guest time is counted in user already.
	return ticks{
		total: c.User + c.Nice + c.System + c.Idle + c.Iowait + c.IRQ + c.SoftIRQ + c.Steal,
		idle:  c.Idle + c.Iowait,
		steal: c.Steal, // wall time the host gave to others: not busy here
		cpus:  len(st.CPU),
	}, nil
}

// busyCores is how many cores were busy on average between p and t.
func (t ticks) busyCores(p ticks) float64 {
	// iowait can go backwards (proc(5)): a negative busy counts as none.
	total := t.total - p.total
	busy := total - (t.idle - p.idle) - (t.steal - p.steal)
	if total <= 0 || busy <= 0 {
		return 0
	}
	return float64(t.cpus) * busy / total
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
