package local

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/harness/proc"
)

// StartApplication starts the Flink cluster of an application-mode
// environment (Config.Application): the JobManager runs the job's main
// class from the runtime bundle's job jar with args, under jobID (32 hex
// digits), restored from savepoint if not "". It returns once every
// TaskManager has registered; the job's own progress is the caller's to watch.
func (e *Env) StartApplication(ctx context.Context, mainClass string, args []string, jobID, savepoint string) error {
	e.mu.Lock()
	boot := e.bootFlink
	e.mu.Unlock()
	if !e.cfg.Application || boot == nil {
		return errors.New("not an application-mode environment, or not started")
	}
	jmArgs := []string{"--job-classname", mainClass, "--job-id", jobID}
	if savepoint != "" {
		jmArgs = append(jmArgs, "--fromSavepoint", savepoint)
	}
	// The entry point stops reading its own options at the first one it
	// does not know: the program's arguments follow.
	jmArgs = append(jmArgs, args...)
	return boot(ctx, "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint", jmArgs)
}

// AddTaskManagers starts n more TaskManagers (supervised like the first
// ones) and returns their names.
func (e *Env) AddTaskManagers(n int) ([]string, error) {
	var names []string
	for i := 0; i < n; i++ {
		e.mu.Lock()
		launch, id := e.launchTM, e.nextTM
		e.nextTM++
		e.mu.Unlock()
		if launch == nil {
			return names, errors.New("the Flink cluster is not running")
		}
		p, _, err := launch(id)
		if err != nil {
			return names, fmt.Errorf("start taskmanager-%d: %w", id, err)
		}
		names = append(names, p.Name)
		go e.supervise(id, p, e.generation())
	}
	return names, nil
}

// RemoveTaskManagers stops the n newest running TaskManagers (SIGTERM, then
// SIGKILL after a grace period); their supervisors do not restart them.
func (e *Env) RemoveTaskManagers(n int) ([]string, error) {
	ps, err := e.taskManagers(0)
	if err != nil {
		return nil, err
	}
	if n >= len(ps) {
		return nil, fmt.Errorf("removing %d of %d running TaskManager(s) would leave none", n, len(ps))
	}
	id := func(p *proc.Process) int { v, _ := strconv.Atoi(strings.TrimPrefix(p.Name, "taskmanager-")); return v }
	sort.Slice(ps, func(i, j int) bool { return id(ps[i]) > id(ps[j]) })
	var names []string
	for _, p := range ps[:n] {
		e.mu.Lock()
		if e.retired == nil {
			e.retired = map[int]bool{}
		}
		e.retired[id(p)] = true
		e.mu.Unlock()
		p.Stop(10 * time.Second)
		e.forget(p)
		names = append(names, p.Name)
	}
	return names, nil
}

// supervise plays the TaskManager's supervisor, as Kubernetes would for a
// pod: when the process ends while the environment runs, it is started
// again after cfg.RestartDelay (never, if that is negative).
// A supervisor of an earlier start attempt (gen; see undoStart) ends
// instead.
func (e *Env) supervise(n int, p *proc.Process, gen int) {
	for {
		select {
		case <-p.Done:
		case <-e.stopCh:
			return
		}
		e.mu.Lock()
		retired := e.retired[n] || e.gen != gen
		e.mu.Unlock()
		if e.cfg.RestartDelay < 0 || e.isStopped() || retired {
			return
		}
		e.cfg.Logf("abload: %s exited (%v); restarting it in %s", p.Name, p.Err, e.cfg.RestartDelay)
		select {
		case <-time.After(e.cfg.RestartDelay):
		case <-e.stopCh:
			return
		}
		// Again after the wait: the environment may have stopped, started
		// again (another attempt), or retired this TaskManager meanwhile.
		e.mu.Lock()
		launch, gone := e.launchTM, e.retired[n] || e.gen != gen || e.stopped
		e.mu.Unlock()
		if gone {
			return
		}
		np, _, err := launch(n)
		if err != nil {
			e.cfg.Logf("abload: restart %s: %v", p.Name, err)
			return
		}
		e.forget(p)
		e.cfg.Logf("abload: %s restarted (pid %d)", np.Name, np.Cmd.Process.Pid)
		p = np
	}
}

// generation is the start attempt the environment's processes belong to.
func (e *Env) generation() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.gen
}

func (e *Env) isStopped() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopped
}

// forget drops an exited process from the tracked list.
func (e *Env) forget(p *proc.Process) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, q := range e.procs {
		if q == p {
			e.procs = append(e.procs[:i], e.procs[i+1:]...)
			return
		}
	}
}

// process returns the running process of that name, or nil.
func (e *Env) process(name string) *proc.Process {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.procs {
		if p.Name == name && !p.Exited() {
			return p
		}
	}
	return nil
}

// taskManagers returns TaskManager n's process (1-based), or all running
// ones for n = 0.
func (e *Env) taskManagers(n int) ([]*proc.Process, error) {
	if n > 0 {
		p := e.process(fmt.Sprintf("taskmanager-%d", n))
		if p == nil {
			return nil, fmt.Errorf("taskmanager-%d is not running", n)
		}
		return []*proc.Process{p}, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var ps []*proc.Process
	for _, p := range e.procs {
		if strings.HasPrefix(p.Name, "taskmanager-") && !p.Exited() {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil, errors.New("no TaskManager is running")
	}
	return ps, nil
}

// KillTaskManager SIGKILLs TaskManager n (1-based); the supervisor starts it
// again after the restart delay.
func (e *Env) KillTaskManager(n int) error {
	ps, err := e.taskManagers(n)
	if err != nil {
		return err
	}
	return syscall.Kill(-ps[0].Cmd.Process.Pid, syscall.SIGKILL)
}

// PauseTaskManagers SIGSTOPs TaskManager n, or all for n = 0.
func (e *Env) PauseTaskManagers(n int) error { return e.signalTaskManagers(n, syscall.SIGSTOP) }

// ResumeTaskManagers SIGCONTs TaskManager n, or all for n = 0.
func (e *Env) ResumeTaskManagers(n int) error { return e.signalTaskManagers(n, syscall.SIGCONT) }

func (e *Env) signalTaskManagers(n int, sig syscall.Signal) error {
	ps, err := e.taskManagers(n)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range ps {
		errs = append(errs, syscall.Kill(-p.Cmd.Process.Pid, sig))
	}
	return errors.Join(errs...)
}

// RestartBroker stops the broker cleanly (SIGTERM), keeps it down for
// down, and starts it again on the same storage and port.
func (e *Env) RestartBroker(ctx context.Context, down time.Duration) error {
	p := e.process("kafka")
	if p == nil {
		return errors.New("the broker is not running")
	}
	p.Stop(30 * time.Second)
	e.forget(p)
	t := time.NewTimer(down)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	return e.launchKafka(ctx)
}

// FlinkMetricsEndpoints lists the running Flink processes' Prometheus
// reporter endpoints.
func (e *Env) FlinkMetricsEndpoints() []env.FlinkMetricsEndpoint {
	var out []env.FlinkMetricsEndpoint
	for _, c := range e.Components() {
		e.mu.Lock()
		addr, ok := e.promAddrs[c.Name]
		e.mu.Unlock()
		if ok {
			out = append(out, env.FlinkMetricsEndpoint{Component: c.Name, Addr: addr})
		}
	}
	return out
}

// NetProxy is the proxy between the job and the broker (nil without
// Config.NetProxy, or before Start).
func (e *Env) NetProxy() *netproxy.Proxy {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.proxy
}

// Components returns the environment's running processes (broker,
// JobManager, TaskManagers) by name.
func (e *Env) Components() []env.Component {
	e.mu.Lock()
	defer e.mu.Unlock()
	var cs []env.Component
	for _, p := range e.procs {
		if !p.Exited() {
			cs = append(cs, env.Component{Name: p.Name, PID: p.Cmd.Process.Pid, JVM: true})
		}
	}
	return cs
}
