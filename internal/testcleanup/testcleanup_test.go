package testcleanup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain is also the helper process of TestInterruptStopsWhatIsRegistered.
func TestMain(m *testing.M) {
	if os.Getenv("TESTCLEANUP_HELPER") == "" {
		os.Exit(m.Run())
	}
	os.Exit(Main(helperM{}))
}

// helperM stands in for the tests: it registers two things and waits to
// be interrupted.
type helperM struct{}

func (helperM) Run() int {
	Register("first", func(context.Context) error { os.Stdout.WriteString("stopped first\n"); return nil })
	forget := Register("forgotten", func(context.Context) error { os.Stdout.WriteString("stopped forgotten\n"); return nil })
	forget()
	Register("second", func(context.Context) error {
		time.Sleep(200 * time.Millisecond) // still at work when m.Run returns early
		os.Stdout.WriteString("stopped second\n")
		return errors.New("it was gone")
	})
	own := make(chan os.Signal, 1)
	if os.Getenv("TESTCLEANUP_HELPER") == "early" {
		// Like a test failing because its child was interrupted too: the
		// tests end (m.Run returns) while the handler is still at work.
		signal.Notify(own, syscall.SIGINT, syscall.SIGTERM)
	}
	os.Stdout.WriteString("ready\n")
	select {
	case <-own:
		return 1
	case <-time.After(time.Minute):
		return 0
	}
}

// On SIGINT or SIGTERM the registered functions run, newest first, a
// forgotten one not at all, a failing one says why; the process exits 130,
// also when the tests end first (early).
func TestInterruptStopsWhatIsRegistered(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		mode string
	}{{syscall.SIGINT, "1"}, {syscall.SIGTERM, "1"}, {syscall.SIGINT, "early"}} {
		sig := c.sig
		t.Run(sig.String()+"/"+c.mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0])
			cmd.Env = append(os.Environ(), "TESTCLEANUP_HELPER="+c.mode)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			r := bufio.NewReader(out)
			if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
				t.Fatalf("helper: %q, %v", line, err)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var lines []string
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				lines = append(lines, strings.TrimSpace(line))
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("helper exit: %v, want 130", err)
			}
			if got := strings.Join(lines, ", "); got != "stopped second, stopped first" {
				t.Errorf("stopped: %q, want second then first (newest first), nothing forgotten", got)
			}
			if !strings.Contains(stderr.String(), "second: it was gone") || !strings.Contains(stderr.String(), "stopped first") {
				t.Errorf("log:\n%s", stderr.String())
			}
		})
	}
}

// reset forgets what a test registered and lets Register work again after
// a StopAll (which, in a real interrupt, ends the process).
func reset() {
	reg.Lock()
	defer reg.Unlock()
	reg.funcs, reg.stopping = nil, false
}

// fakeAbload writes a stand-in for the abload binary whose env down says
// the environment is in use busy times, then removes env.json from its
// --dir and succeeds; every call is appended to calls.
func fakeAbload(t *testing.T, busy int, calls string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "abload")
	script := `#!/bin/sh
echo "$@" >> ` + calls + `
n=$(wc -l < ` + calls + `)
if [ "$n" -le ` + strconv.Itoa(busy) + ` ]; then
  echo "abload env down: the environment in $4 is in use by pid 1 (one run at a time per environment)" >&2
  exit 1
fi
rm "$4/env.json"
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// StandingEnv's env down: retried while the environment is in use (an
// interrupted run still exiting), nothing to do once it is down, an error
// with the output for any other failure; EnvUp registers it only for
// env up with a --dir.
func TestStandingEnvDown(t *testing.T) {
	defer reset()
	var log []string
	logf := func(f string, a ...any) { log = append(log, fmt.Sprintf(f, a...)) }

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "env.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := filepath.Join(t.TempDir(), "calls")
	bin := fakeAbload(t, 2, calls)
	EnvUp(bin, []string{"run", "x.yaml", "--dir", dir}) // not an env up: nothing registered
	EnvUp(bin, []string{"env", "up", "x.yaml", "--dir", dir})
	gone := t.TempDir()
	StandingEnv(bin, gone) // no env.json: nothing to stop, bin not called
	StopAll(context.Background(), logf)
	b, _ := os.ReadFile(calls)
	if got := strings.Count(string(b), "env down --dir "+dir); got != 3 || strings.Count(string(b), "\n") != 3 {
		t.Errorf("abload called:\n%s\nwant env down three times (twice in use), for %s only", b, dir)
	}
	want := []string{"the standing environment in " + gone + ": " + ErrNothing.Error(), "stopped the standing environment in " + dir}
	if !slices.Equal(log, want) {
		t.Errorf("log %q, want %q", log, want)
	}

	// Any other failure is not retried, and says what abload said.
	reset()
	log = nil
	if err := os.WriteFile(filepath.Join(dir, "env.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "abload")
	if err := os.WriteFile(broken, []byte("#!/bin/sh\necho 'no such environment kind' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	StandingEnv(broken, dir)
	StopAll(context.Background(), logf)
	if len(log) != 1 || !strings.Contains(log[0], "no such environment kind") {
		t.Errorf("log %q, want the failure with abload's output", log)
	}
}

// Once StopAll has begun, Register blocks: nothing new starts while the
// process is being interrupted.
func TestRegisterBlocksOnceStopping(t *testing.T) {
	defer reset()
	StopAll(context.Background(), func(string, ...any) {})
	done := make(chan struct{})
	go func() {
		Register("late", func(context.Context) error { return nil })
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("Register returned after StopAll began")
	case <-time.After(200 * time.Millisecond):
	}
}
