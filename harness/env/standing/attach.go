package standing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/scenarios"
)

// heldLock is the environment's run lock, held by this process.
type heldLock struct{ f *os.File }

// lock takes the environment's run lock without waiting: one run at a time
// per environment. The lock goes with the process that holds it, however it
// ends.
func lock(dir string) (*heldLock, error) {
	p := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	// A status probing the lock holds it for an instant: try for a second
	// before saying it is in use.
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	for i := 0; i < 10 && errors.Is(err, syscall.EWOULDBLOCK); i++ {
		time.Sleep(100 * time.Millisecond)
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		holder, _ := os.ReadFile(p)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := strings.TrimSpace(string(holder))
			if who == "" {
				who = "another process"
			} else {
				who = "pid " + who
			}
			return nil, fmt.Errorf("the environment in %s is in use by %s (one run at a time per environment)", dir, who)
		}
		return nil, err
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &heldLock{f: f}, nil
}

// inUse is the pid of the process holding the run lock ("" if none: a
// lock file left by a run that died is not held).
func inUse(dir string) string {
	p := filepath.Join(dir, lockFile)
	f, err := os.Open(p)
	if err != nil {
		return "" // no lock file: never used
	}
	defer f.Close()
	// A shared lock is enough to probe: it conflicts with a holder's
	// exclusive one, and writes nothing.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return ""
	}
	b, _ := os.ReadFile(p)
	if who := strings.TrimSpace(string(b)); who != "" {
		return who
	}
	return "another process"
}

func (l *heldLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

// Shape is what a run must leave as it found it: the topics, the jobs
// running, the TaskManagers and their slots.
type Shape struct {
	Topics         []string
	JobsRunning    int
	TaskManagers   int
	SlotsTotal     int
	SlotsAvailable int
}

// Diff lists how b differs from a ("" if it doesn't).
func (a Shape) Diff(b Shape) string {
	var d []string
	if extra := minus(b.Topics, a.Topics); len(extra) > 0 {
		d = append(d, "topics left behind: "+strings.Join(extra, ", "))
	}
	if gone := minus(a.Topics, b.Topics); len(gone) > 0 {
		d = append(d, "topics gone: "+strings.Join(gone, ", "))
	}
	if a.JobsRunning != b.JobsRunning {
		d = append(d, fmt.Sprintf("jobs running %d → %d", a.JobsRunning, b.JobsRunning))
	}
	if a.TaskManagers != b.TaskManagers {
		d = append(d, fmt.Sprintf("TaskManagers %d → %d", a.TaskManagers, b.TaskManagers))
	}
	if a.SlotsTotal != b.SlotsTotal || a.SlotsAvailable != b.SlotsAvailable {
		d = append(d, fmt.Sprintf("free slots %d of %d → %d of %d", a.SlotsAvailable, a.SlotsTotal, b.SlotsAvailable, b.SlotsTotal))
	}
	return strings.Join(d, "; ")
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Measure reads the environment's shape through its endpoints.
func Measure(ctx context.Context, ep *env.Endpoints) (Shape, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var s Shape
	ov, err := ep.FlinkClient().Overview(ctx)
	if err != nil {
		return s, fmt.Errorf("flink REST %s: %w", ep.FlinkREST, err)
	}
	s.JobsRunning, s.TaskManagers, s.SlotsTotal, s.SlotsAvailable = ov.JobsRunning, ov.TaskManagers, ov.SlotsTotal, ov.SlotsAvailable
	adm, cl, err := kafka.AdminClient(ep)
	if err != nil {
		return s, err
	}
	defer cl.Close()
	td, err := adm.ListTopics(ctx)
	if err != nil {
		return s, fmt.Errorf("kafka %s: list topics: %w", strings.Join(ep.KafkaBootstrap, ","), err)
	}
	s.Topics = td.Names()
	slices.Sort(s.Topics)
	return s, nil
}

// Health is what status found.
type Health struct {
	State   *State
	Gone    []Process // recorded processes no longer running
	KafkaOK bool
	Shape   *Shape // nil when Flink or Kafka did not answer
	Problem string // "" when healthy
	InUseBy string // the pid holding the run lock, "" if none
}

// Check reads the state at path and checks the environment: every process
// running, Kafka serving, Flink answering with all its TaskManagers.
func Check(ctx context.Context, path string) (*Health, error) {
	st, err := Read(path)
	if err != nil {
		return nil, err
	}
	h := &Health{State: st}
	var problems []string
	_, h.Gone, err = st.Running()
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, p := range h.Gone {
		problems = append(problems, fmt.Sprintf("%s is not running (its log: %s)", p, p.Log))
	}
	switch {
	case st.Status != StatusUp:
		problems = append(problems, fmt.Sprintf("status %q: abload env up did not finish (crashed or still starting)", st.Status))
	case st.Endpoints == nil || len(st.Endpoints.KafkaBootstrap) == 0:
		problems = append(problems, "the state file records no endpoints")
	default:
		h.KafkaOK = cluster.KafkaServes(ctx, st.Endpoints.KafkaBootstrap[0])
		if !h.KafkaOK {
			problems = append(problems, "kafka does not serve on "+st.Endpoints.KafkaBootstrap[0])
		} else if sh, err := Measure(ctx, st.Endpoints); err != nil {
			problems = append(problems, err.Error())
		} else {
			h.Shape = &sh
			if sh.TaskManagers != st.TaskManagers || sh.SlotsTotal != st.TaskManagers*st.Slots {
				problems = append(problems, fmt.Sprintf("flink has %d TaskManager(s) with %d slot(s); it was started with %d × %d", sh.TaskManagers, sh.SlotsTotal, st.TaskManagers, st.Slots))
			}
		}
	}
	h.InUseBy = inUse(st.Dir)
	h.Problem = strings.Join(problems, "; ")
	return h, nil
}

// Attached is a standing environment seen by one run (env.Environment):
// Start takes the run lock and checks that everything is up, Stop releases
// the lock and stops nothing. It offers what the monitor and the metrics
// endpoint read (its processes, Flink's reporters) but injects no faults
// and scales nothing: a run that needs those starts its own environment.
type Attached struct {
	st    *State
	path  string
	logf  func(string, ...any)
	lock  *heldLock
	ep    *env.Endpoints
	shape Shape
	proxy *netproxy.Proxy // the run's network proxy (State.Proxy), nil without
	// left is the last run's Left, once a teardown asked (leftKnown): Stop
	// says it without measuring (and waiting) again.
	left      string
	leftKnown bool
	found     *Shape // the shape Left measured last
	// comps are the Docker kind's containers as metered (built once per
	// attachment), closeComps ends their metering.
	comps      []env.Component
	closeComps func()
}

// Open reads the environment file at path (the file, or the directory
// env up wrote it into); nothing is checked or locked until Start.
func Open(path string, logf func(string, ...any)) (*Attached, error) {
	st, err := Read(path)
	if err != nil {
		return nil, err
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Attached{st: st, path: statePath(path), logf: logf}, nil
}

// State is the environment's state file as read.
func (a *Attached) State() *State { return a.st }

// File is the state file's path (absolute).
func (a *Attached) File() string { return filepath.Join(a.st.Dir, StateFile) }

func (a *Attached) Kind() string              { return a.st.Kind }
func (a *Attached) FlinkVersion() string      { return a.st.FlinkVersion }
func (a *Attached) KafkaVersion() string      { return a.st.KafkaVersion }
func (a *Attached) Endpoints() *env.Endpoints { return a.ep }

// Start takes the run lock (failing at once if another run holds it),
// checks that every process runs and both clusters answer, and records the
// environment's shape for Stop to compare with.
func (a *Attached) Start(ctx context.Context) (*env.Endpoints, error) {
	if a.st.Status != StatusUp {
		return nil, fmt.Errorf("%s: status %q: abload env up did not finish; abload env down, then env up again", a.path, a.st.Status)
	}
	l, err := lock(a.st.Dir)
	if err != nil {
		return nil, err
	}
	h, err := Check(ctx, a.path)
	if err == nil && h.Problem != "" {
		err = fmt.Errorf("the environment in %s is not healthy: %s (abload env down, then env up)", a.st.Dir, h.Problem)
	}
	if err != nil {
		l.release()
		return nil, err
	}
	if p := h.State.Proxy; p != nil {
		np, err := netproxy.New(p.Listen, p.Upstream)
		if err != nil {
			l.release()
			return nil, fmt.Errorf("the environment in %s: start its network proxy on %s (the address its broker gives the job): %w", a.st.Dir, p.Listen, err)
		}
		a.proxy = np
	}
	a.lock, a.ep, a.shape = l, h.State.Endpoints, *h.Shape
	a.st = h.State
	if a.shape.JobsRunning > 0 {
		a.logf("abload: the environment in %s runs %d job(s) abload did not start here", a.st.Dir, a.shape.JobsRunning)
	}
	return a.ep, nil
}

// Left compares the environment with what Start found, waiting up to wait
// for slots a cancelled job is still returning; "" means as found.
func (a *Attached) Left(ctx context.Context, wait time.Duration) string {
	if a.ep == nil {
		return ""
	}
	deadline := time.Now().Add(wait)
	for {
		sh, err := Measure(ctx, a.ep)
		if err != nil {
			return "could not be checked: " + err.Error() // not cached: Stop checks again
		}
		d := a.shape.Diff(sh)
		if d == "" || time.Now().After(deadline) || ctx.Err() != nil {
			a.left, a.leftKnown, a.found = d, true, &sh
			return d
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Recheck is Start's check again for the next run of a sequence (a
// matrix, a capacity curve) on the environment it holds: everything still
// up, and left as the first run found it (a difference is said, not an
// error: the next run starts from there).
func (a *Attached) Recheck(ctx context.Context) error {
	h, err := Check(ctx, a.path)
	if err == nil && h.Problem != "" {
		err = fmt.Errorf("the environment in %s is not healthy any more: %s (abload env down, then env up)", a.st.Dir, h.Problem)
	}
	if err != nil {
		return err
	}
	if d := a.Left(ctx, 10*time.Second); d != "" {
		a.logf("abload: the last run left the environment in %s changed: %s", a.st.Dir, d)
	}
	// The next run is judged against what it finds, and its teardown
	// measures again.
	if a.found != nil {
		a.shape = *a.found
	}
	a.leftKnown = false
	return nil
}

// Stop releases the run lock; the environment stays up. It says when the
// run left the environment other than it found it.
func (a *Attached) Stop(ctx context.Context) error {
	if a.lock == nil {
		return nil
	}
	d := a.left
	if !a.leftKnown {
		d = a.Left(ctx, 10*time.Second)
	}
	if d != "" {
		a.logf("abload: the run left the environment in %s changed: %s", a.st.Dir, d)
	}
	if a.proxy != nil {
		_ = a.proxy.Close()
		a.proxy = nil
	}
	if a.closeComps != nil {
		a.closeComps()
		a.comps, a.closeComps = nil, nil
	}
	a.lock.release()
	a.lock = nil
	return nil
}

// NetProxy is the run's network proxy between the job and the broker (nil
// when the environment was started without one); each run shapes it.
func (a *Attached) NetProxy() *netproxy.Proxy { return a.proxy }

// Components lists the environment's processes for the monitor (the
// Docker kind: its containers, metered through Docker's stats).
func (a *Attached) Components() []env.Component {
	if a.st.Kind == scenarios.EnvDocker {
		if a.comps == nil && a.closeComps == nil && docker.Components != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cs, closeFn, err := docker.Components(ctx, a.st.containers())
			if err != nil {
				a.logf("abload: the environment's containers can't be metered: %v", err)
				closeFn = func() {} // said once; not tried again
			}
			a.comps, a.closeComps = cs, closeFn
		}
		return a.comps
	}
	var cs []env.Component
	for _, p := range a.st.Processes {
		if procSame(p) {
			cs = append(cs, env.Component{Name: p.Name, PID: p.PID, JVM: true})
		}
	}
	return cs
}

// FlinkMetricsEndpoints lists the Flink processes' Prometheus reporters.
func (a *Attached) FlinkMetricsEndpoints() []env.FlinkMetricsEndpoint {
	return a.st.Metrics
}

func procSame(p Process) bool { return proc.Same(p.PID, p.StartTicks) }

// JVMOptions are the extra options the environment's JVMs were started
// with (env.JVMOptioned): its env section's.
func (a *Attached) JVMOptions() []string { return a.st.Env.JVMOptions }
