package testcleanup

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
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
			cmd := exec.Command(os.Args[0])
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
