package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is one child JVM of the local environment. Each runs in its own
// process group (so a terminal's Ctrl-C reaches only abload, which then tears
// everything down in order) and with a parent-death signal (so even a
// SIGKILLed abload leaves no orphan JVM behind).
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error // set before done is closed
}

// startProcess starts argv with stdout and stderr appended to logPath, on
// the CPUs of the list cpus ("" = not pinned; see startCmd).
func startProcess(name, logPath string, env []string, cpus string, argv ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := startCmd(cmd, cpus); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, argv[0], err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, waits up to grace, then SIGKILLs it.
func (p *process) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// failure describes a process that died or never became ready, quoting the
// tail of its log so the user sees the cause without opening files.
func (p *process) failure(what string, logs ...string) error {
	state := "still running"
	if p.exited() {
		state = fmt.Sprintf("exited: %v", p.err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)", p.name, what, state)
	for _, l := range append([]string{p.logPath}, logs...) {
		if tail := tailFile(l, 20); tail != "" {
			fmt.Fprintf(&b, "\n--- last lines of %s ---\n%s", l, tail)
		}
	}
	return errors.New(b.String())
}

// tailFile returns the last n lines of path ("" if unreadable).
func tailFile(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 64 << 10
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	off := st.Size() - max
	if off < 0 {
		off = 0
	}
	buf, err := io.ReadAll(io.NewSectionReader(f, off, max))
	if err != nil {
		return ""
	}
	buf = bytes.TrimRight(buf, "\n")
	lines := bytes.Split(buf, []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// waitFor polls ready every interval until it returns true, the process
// exits, ctx ends or timeout passes.
func waitFor(ctx context.Context, p *process, timeout time.Duration, what string, ready func(context.Context) bool, logs ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		if ready(ctx) {
			return nil
		}
		if p != nil && p.exited() {
			return p.failure("exited before it was "+what, logs...)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			if p != nil {
				return p.failure(fmt.Sprintf("was not %s after %s", what, timeout), logs...)
			}
			return fmt.Errorf("not %s after %s", what, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// stopAll stops processes concurrently.
func stopAll(ps []*process, grace time.Duration) {
	var wg sync.WaitGroup
	for _, p := range ps {
		if p == nil {
			continue
		}
		wg.Add(1)
		go func(p *process) { defer wg.Done(); p.stop(grace) }(p)
	}
	wg.Wait()
}
