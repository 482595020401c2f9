package testcleanup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Timeout bounds each registered function once interrupted.
const Timeout = 90 * time.Second

// ErrNothing is what a stop function returns when what it would stop is
// already gone (the log then says so instead of "stopped").
var ErrNothing = errors.New("nothing left to stop")

var reg struct {
	sync.Mutex
	next     int
	funcs    map[int]entry
	stopping bool
}

type entry struct {
	what string
	stop func(context.Context) error
}

// exit is held by the interrupt handler from the signal until it exits the
// process, and by Exit: a test process's own epilogue can't end the
// process in the middle of the handler's work.
var exit sync.Mutex

// Register records how to stop something the process started (what names
// it in the log) and returns a function that forgets it again, for when
// the test stopped it itself. Call it before starting the thing: once the
// process is being interrupted, Register blocks for good (the handler is
// about to exit the process), so nothing new starts.
func Register(what string, stop func(context.Context) error) (forget func()) {
	reg.Lock()
	if reg.stopping {
		reg.Unlock()
		select {}
	}
	defer reg.Unlock()
	if reg.funcs == nil {
		reg.funcs = map[int]entry{}
	}
	id := reg.next
	reg.next++
	reg.funcs[id] = entry{what, stop}
	return func() {
		reg.Lock()
		defer reg.Unlock()
		delete(reg.funcs, id)
	}
}

// Main runs the tests (m.Run, m a *testing.M) with the interrupt handler
// installed and returns their exit code; end the process with Exit. On
// SIGINT or SIGTERM the handler stops what is registered and exits the
// process with 130; a second signal exits at once (what is being stopped
// goes on in its own process group). Tests that fail because of the
// interrupt (a child process interrupted with them) can end m.Run before
// the handler has begun: Main waits a moment for it.
func Main(m interface{ Run() int }) int {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	began := make(chan struct{})
	go func() {
		s := <-sig
		exit.Lock() // never unlocked: this goroutine ends the process
		close(began)
		// With the go command gone (it dies of a SIGTERM to the group),
		// writing to its pipe would kill this process with SIGPIPE.
		signal.Ignore(syscall.SIGPIPE)
		logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "testcleanup: "+format+"\n", args...) }
		logf("%v: stopping what this test process started (again to exit at once)", s)
		go func() {
			logf("%v again: exiting without waiting", <-sig)
			os.Exit(130)
		}()
		StopAll(context.Background(), logf)
		os.Exit(130)
	}()
	code := m.Run()
	select {
	case <-began:
		select {} // the handler exits the process
	case <-time.After(100 * time.Millisecond):
	}
	return code
}

// Exit ends the process with code, unless the interrupt handler is at work:
// then it waits for the handler to end the process.
func Exit(code int) {
	exit.Lock()
	os.Exit(code)
}

// StopAll runs every registered function, newest first, each once and
// each within Timeout, and says what it stopped or why it could not. From
// its start on, Register blocks.
func StopAll(ctx context.Context, logf func(string, ...any)) {
	reg.Lock()
	reg.stopping = true
	ids := make([]int, 0, len(reg.funcs))
	for id := range reg.funcs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Reverse(ids) // newest first
	es := make([]entry, len(ids))
	for i, id := range ids {
		es[i] = reg.funcs[id]
		delete(reg.funcs, id)
	}
	reg.Unlock()
	for _, e := range es {
		fctx, cancel := context.WithTimeout(ctx, Timeout)
		err := e.stop(fctx)
		cancel()
		switch {
		case errors.Is(err, ErrNothing):
			logf("%s: %v", e.what, ErrNothing)
		case err != nil:
			logf("%s: %v", e.what, err)
		default:
			logf("stopped %s", e.what)
		}
	}
}

// EnvUp registers StandingEnv for `abload env up … --dir DIR` (args being
// abload's arguments; anything else is no environment). Call it before
// running the command.
func EnvUp(bin string, args []string) {
	if len(args) < 2 || args[0] != "env" || args[1] != "up" {
		return
	}
	for i, a := range args {
		if a == "--dir" && i+1 < len(args) {
			StandingEnv(bin, args[i+1])
		} else if d, ok := strings.CutPrefix(a, "--dir="); ok {
			StandingEnv(bin, d)
		}
	}
}

// StandingEnv registers `bin env down --dir dir` for a standing environment
// the test process brings up with the abload binary (its JVMs are detached,
// its containers have no reaper). Register it before `env up` runs: an
// interrupted up leaves a recorded state that down stops too. While a run
// that was interrupted with the process still holds the environment, down
// is retried; an environment already down is nothing to stop. Down runs
// in a process group of its own, so a second Ctrl-C does not cut it short.
func StandingEnv(bin, dir string) (forget func()) {
	recorded := func() bool {
		_, err := os.Stat(filepath.Join(dir, "env.json"))
		return !errors.Is(err, fs.ErrNotExist)
	}
	return Register("the standing environment in "+dir, func(ctx context.Context) error {
		for {
			if !recorded() {
				return ErrNothing
			}
			cmd := exec.CommandContext(ctx, bin, "env", "down", "--dir", dir)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			out, err := cmd.CombinedOutput()
			if err == nil {
				return nil
			}
			if !recorded() {
				return nil // taken down meanwhile (the interrupted test's own cleanup)
			}
			if !strings.Contains(string(out), "is in use by") || ctx.Err() != nil {
				return fmt.Errorf("abload env down: %v\n%s", err, out)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("abload env down: %v\n%s", ctx.Err(), out)
			case <-time.After(time.Second):
			}
		}
	})
}
