package standing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/scenarios"
)

// Schema names the state file's format.
const Schema = "abload.env/v1"

// StateFile is the state file's name in the environment's directory (the
// endpoints file runs are given with --env-file).
const StateFile = "env.json"

// lockFile is held (flock) by the one run using the environment, and by
// down while it stops it.
const lockFile = "run.lock"

// Status values of a state file.
const (
	StatusStarting = "starting" // up is starting it (or crashed doing so: down cleans up)
	StatusUp       = "up"
)

// Process is one JVM of a standing environment: in the local kind a
// process identified by pid and start time together (a pid alone may have
// been reused), in the Docker kind a container identified by its ID.
type Process struct {
	Name       string `json:"name"`
	PID        int    `json:"pid,omitempty"`
	StartTicks uint64 `json:"start_ticks,omitempty"`
	Container  string `json:"container,omitempty"`
	Log        string `json:"log"`
}

// String names the process and what identifies it.
func (p Process) String() string {
	if p.Container != "" {
		return fmt.Sprintf("%s (container %.12s)", p.Name, p.Container)
	}
	return fmt.Sprintf("%s (pid %d)", p.Name, p.PID)
}

// State is the state file: what `env up` started and where it is.
type State struct {
	Schema       string                     `json:"schema"`
	Kind         string                     `json:"kind"`
	Status       string                     `json:"status"`
	Dir          string                     `json:"dir"`
	StartedAt    time.Time                  `json:"started_at"`
	ReadyAt      time.Time                  `json:"ready_at,omitzero"`
	UpSeconds    float64                    `json:"up_seconds,omitempty"` // from start to ready
	Endpoints    *env.Endpoints             `json:"endpoints,omitempty"`
	FlinkVersion string                     `json:"flink_version"`
	KafkaVersion string                     `json:"kafka_version"`
	TaskManagers int                        `json:"taskmanagers"`
	Slots        int                        `json:"slots"`
	Processes    []Process                  `json:"processes"`
	Metrics      []env.FlinkMetricsEndpoint `json:"flink_metrics,omitempty"`
	// Env is the env section the environment was started for (its sharing
	// key): a run whose own differs can't use it.
	Env scenarios.Env `json:"env"`
	// Work is the scratch directory (Kafka's log, Flink's checkpoints) that
	// down removes.
	Work string `json:"work"`
	// Label is the Docker kind's run label: every container and the
	// network carry it, and down removes everything that does (recorded
	// before the first container starts, so a crashed up is cleaned up).
	Label string `json:"label,omitempty"`
	// Proxy is where each run starts the network proxy between the job and
	// the broker (env.network.proxy): the broker advertises Listen to the
	// job, and the proxy forwards to Upstream, the broker's JOB listener.
	// nil: the job reaches the broker directly.
	Proxy *ProxySpec `json:"proxy,omitempty"`
}

// ProxySpec is a standing environment's network proxy: the address the
// job's Kafka clients are given and the broker listener behind it.
type ProxySpec struct {
	Listen   string `json:"listen"`
	Upstream string `json:"upstream"`
}

// Container is one container of a Docker environment: its component name
// (kafka, jobmanager, taskmanager-N) and ID.
type Container struct {
	Name string
	ID   string
}

// DockerEnv is a Docker environment as Up starts it.
type DockerEnv interface {
	env.Environment
	ID() string // the run label every container and the network carry
	Containers() []Container
	FlinkMetricsEndpoints() []env.FlinkMetricsEndpoint
	NetProxy() *netproxy.Proxy
}

// DockerKind is the Docker kind's part of a standing environment, which the
// Docker environment registers from init (RegisterDocker): this package
// does not import it (its tests import the harness, which imports this).
type DockerKind struct {
	// New builds (does not start) the environment a scenario asks for,
	// with workDir as its scratch directory.
	New func(sc *scenarios.Scenario, rt *cluster.Runtime, logDir, workDir string, logf func(string, ...any)) (DockerEnv, error)
	// Running says which containers run (and are not paused), by ID.
	Running func(ctx context.Context, cs []Container) (map[string]bool, error)
	// Components meters the containers for the monitor; close ends the
	// metering (its Docker client).
	Components func(ctx context.Context, cs []Container) (comps []env.Component, close func(), err error)
	// Remove saves the logs of the containers carrying the run label into
	// logDir and removes them and the network.
	Remove func(ctx context.Context, label string, logDir string) error
}

var docker DockerKind

// RegisterDocker makes the Docker kind available to env up, status and down.
func RegisterDocker(k DockerKind) { docker = k }

// ErrNotUp is returned when no state file is found: nothing is up there.
var ErrNotUp = errors.New("no environment is up")

// DefaultDir is where `env up` keeps an environment unless told otherwise:
// $ABLOAD_ENV_DIR, else abload/env in the user's cache directory.
func DefaultDir() string {
	if d := os.Getenv("ABLOAD_ENV_DIR"); d != "" {
		return d
	}
	if c, err := os.UserCacheDir(); err == nil {
		return filepath.Join(c, "abload", "env")
	}
	return filepath.Join(os.TempDir(), "abload-env")
}

// statePath accepts the environment's directory or its state file.
func statePath(path string) string {
	if st, err := os.Stat(path); (err == nil && st.IsDir()) || (err != nil && !strings.HasSuffix(path, ".json")) {
		return filepath.Join(path, StateFile)
	}
	return path
}

// Read reads the state file at path (the file or its directory).
func Read(path string) (*State, error) {
	p := statePath(path)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s (no %s; start one with abload env up)", ErrNotUp, filepath.Dir(p), StateFile)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if s.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, expected %q (an environment file written by abload env up)", p, s.Schema, Schema)
	}
	if s.Kind == scenarios.EnvDocker && s.Endpoints != nil {
		// Docker's userland proxy stands before the broker's published port.
		s.Endpoints.KafkaBehindProxy = true
	}
	return &s, nil
}

func (s *State) write() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(s.Dir, "."+StateFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(s.Dir, StateFile))
}

// Running lists the recorded processes still running (same pid, same start
// time; a container: running and not paused) and the ones that are not.
// The error is a Docker daemon that can't say (nothing is then judged).
func (s *State) Running() (running, gone []Process, err error) {
	var up map[string]bool
	if s.Kind == scenarios.EnvDocker {
		if docker.Running == nil {
			return nil, nil, errDockerMissing
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		up, err = docker.Running(ctx, s.containers())
		cancel()
		if err != nil {
			return nil, nil, fmt.Errorf("the environment in %s: its containers can't be checked: %w", s.Dir, err)
		}
	}
	for _, p := range s.Processes {
		if (p.Container != "" && up[p.Container]) || (p.Container == "" && proc.Same(p.PID, p.StartTicks)) {
			running = append(running, p)
		} else {
			gone = append(gone, p)
		}
	}
	return running, gone, nil
}

var errDockerMissing = errors.New("env.kind docker: this abload is built without the Docker environment")

// containers are the Docker kind's processes as testcontainers names them.
func (s *State) containers() []Container {
	var cs []Container
	for _, p := range s.Processes {
		if p.Container != "" {
			cs = append(cs, Container{Name: p.Name, ID: p.Container})
		}
	}
	return cs
}

// Fits reports whether a run whose env section's sharing key is key can
// use this environment; the error names every field that differs.
func (s *State) Fits(key scenarios.Env) error {
	key.Kind = s.Env.Kind
	want, have := flatten(key), flatten(s.Env)
	var diffs []string
	for k, v := range want {
		if have[k] != v {
			diffs = append(diffs, fmt.Sprintf("env.%s: the scenario has %s, the environment %s", k, v, orNone(have[k])))
		}
	}
	for k, v := range have {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("env.%s: the scenario has none, the environment %s", k, v))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	return fmt.Errorf("the environment in %s was started for another env section:\n  %s\n(start one for this scenario: abload env down, then abload env up SCENARIO.yaml)", s.Dir, strings.Join(diffs, "\n  "))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// flatten is an env section as dotted paths to JSON values.
func flatten(e scenarios.Env) map[string]string {
	data, _ := json.Marshal(e)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if mm, ok := v.(map[string]any); ok {
			for k, x := range mm {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
			return
		}
		b, _ := json.Marshal(v)
		out[prefix] = string(b)
	}
	walk("", m)
	return out
}

// UpOptions configures Up.
type UpOptions struct {
	Scenario *scenarios.Scenario // its env section sizes the environment
	Key      scenarios.Env       // the env section's sharing key, recorded
	Runtime  *cluster.Runtime
	Dir      string
	Logf     func(format string, args ...any)
}

// Refuse says why a scenario's env section can't stand between runs (nil
// if it can): the local and Docker kinds (an external cluster is up
// already), and nothing that ends with a job (Reactive Mode).
func Refuse(sc *scenarios.Scenario) error {
	switch {
	case sc.Env.Kind != scenarios.EnvLocal && sc.Env.Kind != scenarios.EnvDocker:
		return fmt.Errorf("env.kind %s: abload env up starts the local or the Docker environment (an external cluster is up already: runs name it in env.external)", sc.Env.Kind)
	case sc.Env.Scheduler == scenarios.SchedulerReactive:
		return errors.New("env.scheduler reactive: a Reactive Mode cluster ends with its job, so each run starts its own")
	}
	return nil
}

// Up starts the local or Docker environment the scenario's env section
// describes, detached from abload, in dir, and writes dir/env.json. Each
// process is recorded as it starts (the Docker kind: its run label before
// the first container); a failed or interrupted (ctx) start stops them all
// and removes the file, so nothing is left running.
func Up(ctx context.Context, o UpOptions) (*State, error) {
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if err := Refuse(o.Scenario); err != nil {
		return nil, &env.InputError{Err: err}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	// Held while starting: a second up, a down or a run in the same
	// directory waits for none of this and is refused.
	l, err := lock(dir)
	if err != nil {
		return nil, err
	}
	defer l.release()
	if old, err := Read(dir); err == nil {
		running, _, err := old.Running()
		if err != nil {
			return nil, fmt.Errorf("%w (abload env down --dir %s removes it once Docker answers)", err, dir)
		}
		if len(running) > 0 {
			return nil, fmt.Errorf("an environment is already up in %s (%d process(es) running): abload env status, abload env down", dir, len(running))
		}
		if old.Kind == scenarios.EnvDocker && old.Label != "" {
			// Stopped or never recorded (an up killed outright): whatever
			// carries its label goes before the file is replaced.
			ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			err := docker.Remove(ctx, old.Label, filepath.Join(dir, "logs"))
			cancel()
			if err != nil {
				return nil, fmt.Errorf("%s records a Docker environment (label %s) that can't be removed: %w (abload env down --dir %s)", filepath.Join(dir, StateFile), old.Label, err, dir)
			}
		}
		o.Logf("abload: %s records an environment none of whose processes runs any more: replacing it", filepath.Join(dir, StateFile))
	}
	rec, err := o.Runtime.Recipe()
	if err != nil {
		return nil, err
	}
	settings := cluster.SettingsFor(o.Scenario, rec)
	st := &State{Schema: Schema, Kind: o.Scenario.Env.Kind, Status: StatusStarting, Dir: dir, StartedAt: time.Now().UTC(),
		FlinkVersion: o.Runtime.FlinkVersion(), KafkaVersion: o.Runtime.KafkaVersion(), Env: o.Key,
		TaskManagers: settings.TaskManagers, Slots: settings.Slots,
		Work: filepath.Join(dir, "work")}
	_ = os.RemoveAll(st.Work)
	if st.Kind == scenarios.EnvDocker {
		return upDocker(ctx, o, st)
	}
	var mu sync.Mutex
	var recErr error
	e := local.New(local.Config{
		Settings: settings,
		Runtime:  o.Runtime,
		LogDir:   filepath.Join(dir, "logs"),
		WorkDir:  st.Work,
		Pin:      o.Scenario.Env.Pin,
		Logf:     o.Logf,
		Detach:   true,
		Started: func(p *proc.Process) {
			pid := p.Cmd.Process.Pid
			ticks, err := proc.StartTicks(pid)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				recErr = errors.Join(recErr, fmt.Errorf("%s (pid %d): %w", p.Name, pid, err))
				return
			}
			// A process of the same name replaces the one recorded: the
			// start tried again on other ports (a port was taken), or a
			// TaskManager was restarted.
			rec := Process{Name: p.Name, PID: pid, StartTicks: ticks, Log: p.LogPath}
			if i := slices.IndexFunc(st.Processes, func(q Process) bool { return q.Name == p.Name }); i >= 0 {
				st.Processes[i] = rec
			} else {
				st.Processes = append(st.Processes, rec)
			}
			if err := st.write(); err != nil {
				recErr = errors.Join(recErr, err)
			}
		},
	})
	fail := func(err error) (*State, error) {
		_ = env.Stop(e) // stops every process it started, removes the work dir
		_ = os.Remove(filepath.Join(dir, StateFile))
		return nil, err
	}
	mu.Lock()
	err = st.write()
	mu.Unlock()
	if err != nil {
		return fail(err)
	}
	ep, err := e.Start(ctx)
	if err == nil {
		mu.Lock()
		err = recErr
		mu.Unlock()
	}
	if err != nil {
		return fail(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if err := st.ready(ep, e.FlinkMetricsEndpoints(), e.NetProxy()); err != nil {
		return fail(err)
	}
	return st, nil
}

// upDocker starts the Docker environment. Its containers run on after this
// process exits (there is no reaper); the run label is recorded before the
// first starts, and each container by ID once all are up. A failed or
// interrupted start removes them all.
func upDocker(ctx context.Context, o UpOptions, st *State) (*State, error) {
	if docker.New == nil {
		return nil, errDockerMissing
	}
	if v := os.Getenv("TESTCONTAINERS_RYUK_DISABLED"); v != "" && v != "true" && v != "1" {
		return nil, &env.InputError{Err: fmt.Errorf("TESTCONTAINERS_RYUK_DISABLED=%s: testcontainers' reaper would remove the standing containers when env up exits; unset it (abload disables the reaper)", v)}
	}
	e, err := docker.New(o.Scenario, o.Runtime, filepath.Join(st.Dir, "logs"), st.Work, o.Logf)
	if err != nil {
		return nil, err
	}
	st.Label = e.ID()
	fail := func(err error) (*State, error) {
		// Saves the containers' logs, removes them, the network and the
		// work dir; if that fails, the file (its label) stays for down.
		if serr := env.Stop(e); serr != nil {
			return nil, fmt.Errorf("%w; removing its containers failed too (%v): abload env down --dir %s", err, serr, st.Dir)
		}
		_ = os.Remove(filepath.Join(st.Dir, StateFile))
		return nil, err
	}
	if err := st.write(); err != nil {
		return fail(err)
	}
	ep, err := e.Start(ctx)
	if err != nil {
		return fail(err)
	}
	for _, c := range e.Containers() {
		st.Processes = append(st.Processes, Process{Name: c.Name, Container: c.ID,
			Log: fmt.Sprintf("docker logs %.12s; saved into %s at env down", c.ID, filepath.Join(st.Dir, "logs", c.Name+".log"))})
	}
	if err := st.ready(ep, e.FlinkMetricsEndpoints(), e.NetProxy()); err != nil {
		return fail(err)
	}
	return st, nil
}

// ready records a started environment's endpoints and marks it up.
func (st *State) ready(ep *env.Endpoints, metrics []env.FlinkMetricsEndpoint, np *netproxy.Proxy) error {
	st.Status, st.Endpoints, st.Metrics = StatusUp, ep, metrics
	if np != nil {
		// This process's proxy ends with it; each run starts its own at
		// the same address (the broker advertises it to the job).
		st.Proxy = &ProxySpec{Listen: np.Addr(), Upstream: np.Upstream()}
	}
	st.ReadyAt = time.Now().UTC()
	st.UpSeconds = st.ReadyAt.Sub(st.StartedAt).Seconds()
	sort.Slice(st.Processes, func(i, j int) bool { return st.Processes[i].Name < st.Processes[j].Name })
	return st.write()
}

// Down stops the environment recorded at path (its directory or state
// file): every recorded process that is still the one started (pid and
// start time; the Docker kind: every container and network carrying its
// run label, their logs saved into logs/ first), its scratch directory,
// and the state file. Logs stay. It refuses while a run holds the
// environment.
func Down(path string, logf func(string, ...any)) error {
	st, err := Read(path)
	if err != nil {
		return err
	}
	l, err := lock(st.Dir)
	if err != nil {
		return err
	}
	defer l.release()
	if st.Kind == scenarios.EnvDocker {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if docker.Remove == nil {
			return errDockerMissing
		}
		if st.Label == "" {
			return fmt.Errorf("%s records a Docker environment without its run label: nothing of it can be found (remove the file)", filepath.Join(st.Dir, StateFile))
		}
		if err := docker.Remove(ctx, st.Label, filepath.Join(st.Dir, "logs")); err != nil {
			return err
		}
		for _, p := range st.Processes {
			logf("abload: removed %s", p)
		}
		return st.removeFiles()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(st.Processes))
	for i, p := range st.Processes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A JVM writing its class-data sharing archive as it exits
			// (make cds) needs seconds more than a plain shutdown.
			err := proc.StopRecorded(p.PID, p.StartTicks, 30*time.Second)
			switch {
			case errors.Is(err, proc.ErrNotSame):
				logf("abload: %s (pid %d) was not running", p.Name, p.PID)
			case err != nil:
				errs[i] = fmt.Errorf("%s (pid %d): %w", p.Name, p.PID, err)
			default:
				logf("abload: stopped %s (pid %d)", p.Name, p.PID)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return st.removeFiles()
}

// removeFiles removes a stopped environment's scratch directory and its
// state file.
func (st *State) removeFiles() error {
	if st.Work != "" && st.Work == filepath.Join(st.Dir, "work") {
		if err := os.RemoveAll(st.Work); err != nil {
			return err
		}
	}
	return os.Remove(filepath.Join(st.Dir, StateFile))
}
