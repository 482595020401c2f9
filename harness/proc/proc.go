package proc

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

// Process is one child JVM of the local environment. Each runs in its own
// process group (so a terminal's Ctrl-C reaches only abload, which then tears
// everything down in order) and with a parent-death signal (so even a
// SIGKILLed abload leaves no orphan JVM behind).
type Process struct {
	Name    string
	Cmd     *exec.Cmd
	LogPath string
	Done    chan struct{}
	Err     error // set before done is closed
}

// Start starts argv with stdout and stderr appended to logPath, on
// the CPUs of the list cpus ("" = not pinned; see StartCmd).
func Start(name, logPath string, env []string, cpus string, argv ...string) (*Process, error) {
	return start(false, name, logPath, env, cpus, argv...)
}

// StartDetached is Start for a process meant to outlive abload (`abload env
// up`): it runs in a session of its own (its pid is its process group's
// id, and no terminal's signals reach it) and without a parent-death
// signal. Whoever stops it later identifies it by pid and StartTicks.
func StartDetached(name, logPath string, env []string, cpus string, argv ...string) (*Process, error) {
	return start(true, name, logPath, env, cpus, argv...)
}

func start(detach bool, name, logPath string, env []string, cpus string, argv ...string) (*Process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if err := StartCmd(cmd, cpus); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, argv[0], err)
	}
	p := &Process{Name: name, Cmd: cmd, LogPath: logPath, Done: make(chan struct{})}
	go func() {
		p.Err = cmd.Wait()
		logFile.Close()
		close(p.Done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.Done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process group, waits up to grace, then SIGKILLs it.
func (p *Process) Stop(grace time.Duration) {
	if p.Exited() {
		return
	}
	pgid := p.Cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.Done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.Done
	}
}

// Failure describes a process that died or never became ready, quoting the
// tail of its log so the user sees the cause without opening files.
func (p *Process) Failure(what string, logs ...string) error {
	state := "still running"
	if p.Exited() {
		state = fmt.Sprintf("exited: %v", p.Err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)", p.Name, what, state)
	for _, l := range append([]string{p.LogPath}, logs...) {
		if tail := TailFile(l, 20); tail != "" {
			fmt.Fprintf(&b, "\n--- last lines of %s ---\n%s", l, tail)
		}
	}
	return errors.New(b.String())
}

// TailFile returns the last n lines of path ("" if unreadable).
func TailFile(path string, n int) string {
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

// WaitFor polls ready every interval until it returns true, the process
// exits, ctx ends or timeout passes.
func WaitFor(ctx context.Context, p *Process, timeout time.Duration, what string, ready func(context.Context) bool, logs ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		if ready(ctx) {
			return nil
		}
		if p != nil && p.Exited() {
			return p.Failure("exited before it was "+what, logs...)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			if p != nil {
				return p.Failure(fmt.Sprintf("was not %s after %s", what, timeout), logs...)
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

// StopAll stops processes concurrently.
func StopAll(ps []*Process, grace time.Duration) {
	var wg sync.WaitGroup
	for _, p := range ps {
		if p == nil {
			continue
		}
		wg.Add(1)
		go func(p *Process) { defer wg.Done(); p.Stop(grace) }(p)
	}
	wg.Wait()
}
