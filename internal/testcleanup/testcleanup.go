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

// Timeout bounds all the registered functions together once interrupted.
const Timeout = 2 * time.Minute

var reg struct {
	sync.Mutex
	next  int
	funcs map[int]entry
}

type entry struct {
	what string
	stop func(context.Context) error
}

// Register records how to stop something the process started (what names
// it in the log) and returns a function that forgets it again, for when
// the test stopped it itself.
func Register(what string, stop func(context.Context) error) (forget func()) {
	reg.Lock()
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
// installed and returns their exit code; on SIGINT or SIGTERM it stops
// what is registered and exits the process with 130. Tests that fail
// because of the interrupt (a child process interrupted with them) can end
// m.Run first: Main then waits for the handler, so the caller's own
// epilogue can't exit the process under it.
func Main(m interface{ Run() int }) int {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	interrupted := make(chan struct{})
	go func() {
		s := <-sig
		close(interrupted)
		fmt.Fprintf(os.Stderr, "testcleanup: %v: stopping what this test process started\n", s)
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		StopAll(ctx, func(format string, args ...any) { fmt.Fprintf(os.Stderr, "testcleanup: "+format+"\n", args...) })
		os.Exit(130)
	}()
	code := m.Run()
	// A signal that ended the tests may still be on its way to sig (the
	// runtime hands it to each channel in turn): give it a moment.
	select {
	case <-interrupted:
		select {} // the handler exits the process
	case <-time.After(100 * time.Millisecond):
	}
	return code
}

// StopAll runs every registered function, newest first, each once, and
// says what it stopped or why it could not.
func StopAll(ctx context.Context, logf func(string, ...any)) {
	reg.Lock()
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
		if err := e.stop(ctx); err != nil {
			logf("%s: %v", e.what, err)
		} else {
			logf("stopped %s", e.what)
		}
	}
}

// StandingEnv registers `bin env down --dir dir` for a standing environment
// the test process brings up with the abload binary (its JVMs are detached,
// its containers have no reaper). Register it before `env up` runs: an
// interrupted up leaves a recorded state that down stops too. While a run
// that was interrupted with the process still holds the environment, down
// is retried; an environment already down is nothing to stop.
func StandingEnv(bin, dir string) (forget func()) {
	return Register("the standing environment in "+dir, func(ctx context.Context) error {
		for {
			if _, err := os.Stat(filepath.Join(dir, "env.json")); errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			out, err := exec.CommandContext(ctx, bin, "env", "down", "--dir", dir).CombinedOutput()
			if err == nil {
				return nil
			}
			if _, serr := os.Stat(filepath.Join(dir, "env.json")); errors.Is(serr, fs.ErrNotExist) {
				return nil // taken down meanwhile (the interrupted test's own cleanup)
			}
			if !strings.Contains(string(out), "in use by pid") || ctx.Err() != nil {
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
