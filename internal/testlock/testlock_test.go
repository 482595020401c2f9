package testlock

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// helperTB is the testing.TB of the helper process, which runs no test.
type helperTB struct{ testing.TB }

func (helperTB) Helper()                           {}
func (helperTB) Name() string                      { return "helper" }
func (helperTB) Logf(string, ...any)               {}
func (helperTB) Cleanup(func())                    {}
func (helperTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// TestMain is also the helper process of these tests: with TESTLOCK_HOLD
// set it holds the lock so until its stdin closes.
func TestMain(m *testing.M) {
	quietMax = 0 // these tests' Alone needn't wait for a quiet machine
	// They run in lanes.sh's lanes, but their Alone takes a lock of their
	// own (and so do the helper processes, which inherit this environment).
	os.Unsetenv(PhaseEnv)
	switch os.Getenv("TESTLOCK_HOLD") {
	case "":
		os.Exit(m.Run())
	case "alone":
		Alone(helperTB{})
	default:
		Shared(helperTB{})
	}
	os.Stdout.WriteString("held\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

// holder starts the helper process holding the lock at path as how; close
// the returned function to let it go.
func holder(t *testing.T, path, how string) (letGo func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TESTLOCK_HOLD="+how, PathEnv+"="+path)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	done := false
	letGo = func() {
		if !done {
			done = true
			in.Close()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(letGo)
	return letGo
}

// reset points this process at a fresh lock file.
func reset(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "lock")
	t.Setenv(PathEnv, path)
	state.Lock()
	state.main, state.turn, state.held, state.holder = nil, nil, none, ""
	state.Unlock()
	return path
}

// takeIn runs take in a subtest of its own goroutine and reports when it
// holds; the subtest (and its hold) ends when release is called, which
// returns once it has.
func takeIn(t *testing.T, want mode) (held <-chan struct{}, release func()) {
	h, r, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t.Run("take", func(t *testing.T) {
			take(t, want)
			close(h)
			<-r
		})
	}()
	return h, func() { close(r); <-done }
}

func TestAloneAndShared(t *testing.T) {
	cases := []struct {
		other string
		want  mode
		waits bool
	}{
		{"shared", shared, false},
		{"shared", alone, true},
		{"alone", shared, true},
		{"alone", alone, true},
	}
	for _, c := range cases {
		path := reset(t)
		letGo := holder(t, path, c.other)
		held, release := takeIn(t, c.want)
		select {
		case <-held:
			if c.waits {
				t.Errorf("%s beside another process's %s: held at once, want a wait", c.want, c.other)
			}
		case <-time.After(500 * time.Millisecond):
			if !c.waits {
				t.Errorf("%s beside another process's %s: still waiting after 0.5 s, want held at once", c.want, c.other)
			}
		}
		letGo()
		select {
		case <-held:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: not held 30 s after the other process let go", c.want)
		}
		release()
	}
}

// A waiting Alone holds the turnstile: a Shared asked for after it waits
// behind it, though the lock's current holder is shared too.
func TestAloneIsNotOvertaken(t *testing.T) {
	path := reset(t)
	letGoShared := holder(t, path, "shared")
	// This process waits to run alone...
	aloneHeld, aloneRelease := takeIn(t, alone)
	time.Sleep(300 * time.Millisecond)
	// ...so a third process asking for shared must not get in first.
	third := exec.Command(os.Args[0])
	third.Env = append(os.Environ(), "TESTLOCK_HOLD=shared", PathEnv+"="+path)
	in, _ := third.StdinPipe()
	out, _ := third.StdoutPipe()
	if err := third.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); _ = third.Wait() }()
	thirdHeld := make(chan struct{})
	go func() {
		if line, _ := bufio.NewReader(out).ReadString('\n'); line == "held\n" {
			close(thirdHeld)
		}
	}()
	select {
	case <-thirdHeld:
		t.Fatal("a shared request overtook a waiting alone one")
	case <-time.After(500 * time.Millisecond):
	}
	letGoShared()
	select {
	case <-aloneHeld:
	case <-time.After(30 * time.Second):
		t.Fatal("alone not held after the shared holder let go")
	}
	select {
	case <-thirdHeld:
		t.Fatal("a shared hold beside an alone one")
	case <-time.After(300 * time.Millisecond):
	}
	aloneRelease()
	select {
	case <-thirdHeld:
	case <-time.After(30 * time.Second):
		t.Fatal("the shared request not held after alone let go")
	}
}

// free says whether another open file description of the lock at path
// could take it as how right now (as another process would).
func free(t *testing.T, path string, how int) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB); err != nil {
		return false
	}
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return true
}

// A subtest runs under its parent's hold; asking for more upgrades it
// until the subtest ends. What another process could take shows the hold
// itself, not only this package's record of it.
func TestSubtestUnderParentsHold(t *testing.T) {
	path := reset(t)
	holds := func(t *testing.T, what string, want mode) {
		t.Helper()
		sh, ex := free(t, path, unix.LOCK_SH), free(t, path, unix.LOCK_EX)
		var got mode
		switch {
		case sh && ex:
			got = none
		case sh:
			got = shared
		case !sh && !ex:
			got = alone
		default:
			t.Fatalf("%s: exclusive free but shared not", what)
		}
		if got != want || state.held != want {
			t.Errorf("%s: the lock is held %v (recorded %v), want %v", what, got, state.held, want)
		}
	}
	t.Run("parent", func(t *testing.T) {
		Shared(t)
		holds(t, "parent's Shared", shared)
		t.Run("child", func(t *testing.T) {
			Shared(t)
			if state.holder != "TestSubtestUnderParentsHold/parent" {
				t.Errorf("held by %q, want the parent", state.holder)
			}
			holds(t, "child's Shared under it", shared)
			Alone(t)
			holds(t, "child's Alone", alone)
		})
		holds(t, "after the child that asked for alone ended", shared)
	})
	holds(t, "after the parent ended", none)
}

// The machine's busy cores from two /proc/stat samples: user, nice, system,
// irq and softirq are busy; idle, iowait and steal (the host's) are not;
// guest time is in user already.
func TestBusyCores(t *testing.T) {
	stat := func(cpu string) string {
		dir := t.TempDir()
		body := cpu + "\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 5\nctxt 9\nbtime 1700000000\n"
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	p, err := statTicks(stat("cpu  1000 0 500 8000 100 0 0 7 3 0"))
	if err != nil {
		t.Fatal(err)
	}
	// 200 busy jiffies (150 user + 50 system) of 800: 200 idle, 400
	// stolen by the host; guest time grows too (it is in user already).
	c, err := statTicks(stat("cpu  1150 0 550 8180 120 0 0 407 90 0"))
	if err != nil {
		t.Fatal(err)
	}
	if p.cpus != 2 {
		t.Errorf("cpus = %d, want 2", p.cpus)
	}
	if got := c.busyCores(p); got < 0.499 || got > 0.501 {
		t.Errorf("busy %.3f cores, want 0.5 (a quarter of two)", got)
	}
	if got := p.busyCores(p); got != 0 {
		t.Errorf("busy %.3f cores over no time, want 0", got)
	}
	if _, err := statTicks(t.TempDir()); err == nil {
		t.Error("no stat file: no error")
	}
	bad := stat("cpu 1 x 3 4 5 6")
	if _, err := statTicks(bad); err == nil {
		t.Error("a malformed cpu line: no error")
	}
	if _, err := cpuTicks(); err != nil {
		t.Errorf("this machine's /proc/stat: %v", err)
	}
}

// In lanes.sh's lanes no test may run Alone: one that does was missed by
// its scan, and fails saying how to make it found.
func TestAloneInTheLanesFails(t *testing.T) {
	t.Setenv(PathEnv, filepath.Join(t.TempDir(), "lock"))
	t.Setenv(PhaseEnv, "lanes")
	var msg any
	func() {
		defer func() { msg = recover() }()
		Alone(helperTB{})
	}()
	if s, _ := msg.(string); !strings.Contains(s, "first statement") {
		t.Fatalf("Alone in the lanes: %v, want a failure naming the fix", msg)
	}
	if state.held != none {
		t.Errorf("the failed Alone holds the lock (%v)", state.held)
	}
}
