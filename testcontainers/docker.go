package testcontainers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/scenarios"
)

// Label keys on every container and network the environment creates.
const (
	LabelRun       = "org.abload.run"       // the environment's id: Stop removes everything carrying it
	LabelComponent = "org.abload.component" // kafka, jobmanager, taskmanager-N
)

func init() {
	// testcontainers' own progress lines would interleave with the run's;
	// the environment logs its containers itself.
	tclog.SetDefault(tclog.NewNoopLogger())
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		// The reaper's image cannot be pulled on hosts without a registry;
		// Stop removes everything by label instead (and Ctrl-C runs Stop).
		// testcontainers reads this once, at its first use.
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	env.Register(scenarios.EnvDocker, func(s env.Spec) (env.Environment, error) {
		rec, err := s.Runtime.Recipe()
		if err != nil {
			return nil, err
		}
		work, err := os.MkdirTemp("", "abload-docker-")
		if err != nil {
			return nil, err
		}
		return New(configFor(s, rec, work)), nil
	})
}

// configFor is the environment a scenario asks for, a cluster of the
// recipe's Flink line, with its scratch directory.
func configFor(s env.Spec, rec cluster.Recipe, workDir string) Config {
	e := s.Scenario.Env
	return Config{
		Settings:          cluster.SettingsFor(s.Scenario, rec),
		Runtime:           s.Runtime,
		LogDir:            s.LogDir,
		WorkDir:           workDir,
		SharedDirs:        s.SharedDirs,
		Exec:              s.Exec,
		TaskManagerCPUs:   e.TaskManager.CPUs,
		JobManagerCPUs:    e.JobManager.CPUs,
		KafkaCPUs:         e.Kafka.CPUs,
		TaskManagerCPUSet: e.Pin.TaskManagers,
		JobManagerCPUSet:  e.Pin.JobManager,
		KafkaCPUSet:       e.Pin.Kafka,
		Images:            e.Images,
		Logf:              s.Logf,
	}
}

// Config sizes the Docker environment.
type Config struct {
	// Settings: the size, Flink configuration, supervisor and network
	// proxy. The memory sizes are also the containers' memory limits. The
	// network proxy listens on the host side of the run's network (its
	// gateway) and forwards to Kafka's JOB listener, published on
	// 127.0.0.1; the harness's own clients keep the HOST listener.
	cluster.Settings
	Runtime *cluster.Runtime
	LogDir  string // container logs are written here at Stop
	// WorkDir holds checkpoints; it is bind-mounted at the same path into
	// the Flink containers, as are SharedDirs. Stop removes WorkDir.
	WorkDir    string
	SharedDirs []string

	TaskManagerCPUs, JobManagerCPUs, KafkaCPUs float64 // cores; 0 = no limit
	Images                                     string  // auto, local or official

	// The containers' cpusets (env.pin): CPU lists such as "1" or "0-1";
	// "" = any CPU.
	TaskManagerCPUSet, JobManagerCPUSet, KafkaCPUSet string

	// Exec runs short-lived helper commands (Flink's BashJavaUtils); nil
	// runs them as exec.Cmd's CombinedOutput does.
	Exec cluster.Exec
	Logf func(format string, args ...any)
}

// Env runs a single-node Kafka (KRaft) and a Flink session cluster
// (JobManager + N TaskManagers) as containers on a private Docker network,
// through testcontainers-go. Ryuk (testcontainers' reaper) is not used:
// every container and the network carry the environment's run label and
// Stop removes them all.
type Env struct {
	cfg Config
	id  string

	mu        sync.Mutex
	cli       *tc.DockerClient
	net       *tc.DockerNetwork
	nodes     map[string]*node // by component name
	logFrom   map[string]int   // where a restarted container's own log begins (bytes)
	images    Images
	endpoints *env.Endpoints
	proxy     *netproxy.Proxy
	stopped   bool
	stopCh    chan struct{}
}

// node is one container of the environment.
type node struct {
	name     string
	c        tc.Container
	id       string
	cpus     float64
	memBytes int64
	paused   string // "", "freezer" or "signal": how it was paused
}

// New returns a Docker environment; nothing starts until Start.
func New(cfg Config) *Env {
	cfg.Settings = cfg.Settings.WithDefaults()
	if cfg.Images == "" {
		cfg.Images = scenarios.ImagesAuto
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &Env{cfg: cfg, id: "abload-" + hex.EncodeToString(b), nodes: map[string]*node{}, logFrom: map[string]int{}, stopCh: make(chan struct{})}
}

func (e *Env) Kind() string { return scenarios.EnvDocker }

// JVMOptions are the extra options of the containers' JVMs (env.JVMOptioned).
func (e *Env) JVMOptions() []string { return e.cfg.JVMOptions }

// ClusterFlinkConfig is the cluster's configuration as written, where the
// processes bind and their directories aside (env.FlinkConfigured).
func (e *Env) ClusterFlinkConfig() (map[string]string, error) {
	rec, err := e.cfg.Runtime.Recipe()
	if err != nil {
		return nil, err
	}
	return e.cfg.FlinkConfigFor(rec), nil
}
func (e *Env) FlinkVersion() string { return e.cfg.Runtime.FlinkVersion() }
func (e *Env) KafkaVersion() string { return e.cfg.Runtime.KafkaVersion() }

// ID is the environment's run label value (and container name prefix).
func (e *Env) ID() string { return e.id }

// Images returns the images Start chose (zero before Start).
func (e *Env) Images() Images {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.images
}

// Endpoints returns what Start returned, or nil before a successful Start.
func (e *Env) Endpoints() *env.Endpoints {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.endpoints
}

// Start creates the network and the containers and waits until Kafka serves
// and every TaskManager has registered. On error the caller still calls Stop.
func (e *Env) Start(ctx context.Context) (*env.Endpoints, error) {
	start := time.Now()
	liveMu.Lock()
	if closing {
		liveMu.Unlock()
		return nil, errors.New("docker: this process is removing its environments (interrupted)")
	}
	starting.Add(1)
	live.Store(e.id, struct{}{})
	liveMu.Unlock()
	defer starting.Done()
	if err := os.MkdirAll(e.cfg.LogDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(e.cfg.WorkDir, "checkpoints"), 0o777); err != nil {
		return nil, err
	}
	cli, err := tc.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	e.mu.Lock()
	e.cli = cli
	e.mu.Unlock()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, err = cli.Ping(pctx, client.PingOptions{})
	cancel()
	if err != nil {
		return nil, fmt.Errorf("docker daemon not reachable (is dockerd running?): %w", err)
	}
	imgs, err := ResolveImages(ctx, cli, e.cfg.Images, e.FlinkVersion(), e.KafkaVersion())
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.images = imgs
	e.mu.Unlock()
	e.cfg.Logf("abload: docker images %s and %s (%s)", imgs.Flink, imgs.Kafka, imgs.Source)

	nw, err := network.New(ctx, network.WithLabels(map[string]string{LabelRun: e.id}))
	if err != nil {
		return nil, fmt.Errorf("docker: create network: %w", err)
	}
	e.mu.Lock()
	e.net = nw
	e.mu.Unlock()

	ports, err := cluster.FreePorts(2)
	if err != nil {
		return nil, err
	}
	kafkaPort, jobPort := ports[0], ports[1]
	// The network proxy's address is the JOB listener's advertised one, so
	// the proxy starts before the broker; its upstream, the JOB listener's
	// port on 127.0.0.1, is fixed (a restarted broker keeps it).
	var proxyAddr string
	if e.cfg.NetProxy {
		if proxyAddr, err = e.startProxy(ctx, jobPort); err != nil {
			return nil, err
		}
	}
	conf, jm, tm, err := e.flinkConfig(ctx)
	if err != nil {
		return nil, err
	}

	var wg sync.WaitGroup
	errs := make([]error, 2+e.cfg.TaskManagers)
	wg.Add(2 + e.cfg.TaskManagers)
	go func() { defer wg.Done(); errs[0] = e.startKafka(ctx, imgs.Kafka, kafkaPort, jobPort, proxyAddr) }()
	go func() { defer wg.Done(); errs[1] = e.startFlinkNode(ctx, imgs.Flink, "jobmanager", conf, jm, 0) }()
	for i := 1; i <= e.cfg.TaskManagers; i++ {
		go func() {
			defer wg.Done()
			errs[1+i] = e.startFlinkNode(ctx, imgs.Flink, fmt.Sprintf("taskmanager-%d", i), conf, tm, i)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	restURL, err := e.restURL(ctx)
	if err != nil {
		return nil, err
	}
	ep := &env.Endpoints{
		KafkaBootstrap:    []string{fmt.Sprintf("127.0.0.1:%d", kafkaPort)},
		FlinkREST:         restURL,
		JobKafkaBootstrap: []string{fmt.Sprintf("kafka:%d", kafkaInternalPort)},
		// Docker's userland proxy accepts connections to the published port
		// even while the broker is down (restart_broker) and closes them.
		KafkaBehindProxy: true,
	}
	if proxyAddr != "" {
		ep.JobKafkaBootstrap = []string{proxyAddr}
	}
	if err := e.waitKafka(ctx, ep.KafkaBootstrap[0], e.cfg.StartupTimeout); err != nil {
		return nil, err
	}
	e.cfg.Logf("abload: kafka %s ready on %s (container %s)", e.KafkaVersion(), ep.KafkaBootstrap[0], e.node("kafka").id[:12])
	if ep.FlinkREST, err = e.waitFlink(ctx, ep.FlinkREST); err != nil {
		return nil, err
	}
	e.cfg.Logf("abload: flink %s ready on %s with %d TaskManager container(s) × %d slot(s) in %.1fs",
		e.FlinkVersion(), ep.FlinkREST, e.cfg.TaskManagers, e.cfg.Slots, time.Since(start).Seconds())
	if proxyAddr != "" {
		if err := e.probeProxy(ctx, proxyAddr); err != nil {
			return nil, err
		}
	}
	for i := 1; i <= e.cfg.TaskManagers; i++ {
		go e.supervise(fmt.Sprintf("taskmanager-%d", i))
	}
	e.mu.Lock()
	e.endpoints = ep
	e.mu.Unlock()
	return ep, nil
}

func (e *Env) node(name string) *node {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nodes[name]
}

func (e *Env) isStopped() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopped
}

// waitKafka waits until the broker serves metadata, or its container ends.
func (e *Env) waitKafka(ctx context.Context, bootstrap string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if cluster.KafkaServes(ctx, bootstrap) {
			return nil
		}
		if err := e.exited("kafka"); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kafka: not ready after %s (logs: %s)", timeout, e.logTail(ctx, "kafka", 20))
		}
		if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}
}

// restURL is the JobManager's REST address on the host (its mapped port).
func (e *Env) restURL(ctx context.Context) (string, error) {
	mp, err := e.node("jobmanager").c.MappedPort(ctx, restPort)
	if err != nil {
		return "", fmt.Errorf("docker: jobmanager REST port: %w", err)
	}
	return fmt.Sprintf("http://127.0.0.1:%s", mp.Port()), nil
}

// waitFlink waits until every TaskManager has registered with all its
// slots, and returns the REST address (a JobManager started again may have
// been given another host port).
func (e *Env) waitFlink(ctx context.Context, restURL string) (string, error) {
	rest := flink.NewClient(restURL)
	want := e.cfg.TaskManagers * e.cfg.Slots
	deadline := time.Now().Add(e.cfg.StartupTimeout)
	restarted := map[string]bool{}
	for {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ov, err := rest.Overview(rctx)
		cancel()
		if err == nil && ov.TaskManagers == e.cfg.TaskManagers && ov.SlotsTotal == want {
			return restURL, nil
		}
		names := []string{"jobmanager"}
		for i := 1; i <= e.cfg.TaskManagers; i++ {
			names = append(names, fmt.Sprintf("taskmanager-%d", i))
		}
		for _, n := range names {
			if err := e.exited(n); err != nil {
				// A Flink JVM that dies while the cluster forms (seen once
				// under full load: the JobManager's entrypoint failed and
				// exited 1) is started again, once per container, as a
				// restart policy would; the first failure is reported.
				if restarted[n] {
					return "", err
				}
				restarted[n] = true
				e.cfg.Logf("abload: %s exited before the cluster was ready; starting it again once. The failure:\n%v", n, err)
				// Docker keeps one log across a restart: a second failure's
				// first error is looked for after this point.
				if b, lerr := e.logBytes(ctx, n); lerr == nil {
					e.mu.Lock()
					e.logFrom[n] = len(b)
					e.mu.Unlock()
				}
				// The restarted JVM gets time of its own to start.
				deadline = later(deadline, time.Now().Add(e.cfg.StartupTimeout/2))
				sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				serr := e.node(n).c.Start(sctx)
				cancel()
				if serr != nil {
					return "", fmt.Errorf("%w\n(starting %s again failed: %v)", err, n, serr)
				}
				if n == "jobmanager" {
					if restURL, err = e.restURL(ctx); err != nil {
						return "", err
					}
					rest = flink.NewClient(restURL)
				}
			}
		}
		if time.Now().After(deadline) {
			var logs strings.Builder
			for _, n := range names {
				fmt.Fprintf(&logs, "\n%s's last lines:\n%s", n, e.logTail(ctx, n, 15))
			}
			seen := "the REST API not answering"
			if err == nil {
				seen = fmt.Sprintf("%d of %d TaskManagers, %d of %d slots", ov.TaskManagers, e.cfg.TaskManagers, ov.SlotsTotal, want)
			}
			return "", fmt.Errorf("flink: not ready after %s (%s)%s\n(flink: not ready after %s: %s)",
				e.cfg.StartupTimeout, seen, logs.String(), e.cfg.StartupTimeout, seen)
		}
		if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
			return "", err
		}
	}
}

// exited reports a container that is no longer running, with its last log lines.
func (e *Env) exited(name string) error {
	n := e.node(name)
	if n == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := n.c.State(ctx)
	if err != nil || st.Running {
		return nil
	}
	// The headline again after the log: a CI log shown from its end shows it.
	b, _ := e.logBytes(ctx, name)
	e.mu.Lock()
	from := min(e.logFrom[name], len(b))
	e.mu.Unlock()
	cause := ""
	if c := firstError(b[from:], 12); c != "" {
		cause = "first error:\n" + c + "\n"
	}
	return fmt.Errorf("%s: container exited (code %d) during startup; %slast lines:\n%s\n(%s: exited with code %d during startup)",
		name, st.ExitCode, cause, tailLines(b, 20), name, st.ExitCode)
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// firstError returns a log's first ERROR line with the lines after it up to
// n, stack frames left out: the cause, where the last lines of a JVM that
// shut down are often only its shutdown's own errors.
func firstError(b []byte, n int) string {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if !strings.Contains(l, " ERROR ") {
			continue
		}
		end := i + 1
		for end < len(lines) && !isLogLine(lines[end]) {
			end++
		}
		// The record without its frames: its head (the message) and its
		// last causes (the root one is last).
		rec := strings.Split(tailLines([]byte(strings.Join(lines[i:end], "\n")), end-i), "\n")
		if len(rec) > n {
			rec = append(rec[:2:2], append([]string{"\t(…)"}, rec[len(rec)-(n-3):]...)...)
		}
		return strings.Join(rec, "\n")
	}
	return ""
}

// isLogLine reports a line that starts a log record (a timestamp), not one
// that continues the record before it (a stack trace, a "Caused by").
func isLogLine(l string) bool {
	return len(l) >= 10 && l[4] == '-' && l[7] == '-' && l[0] >= '0' && l[0] <= '9'
}

// logTail returns the last n lines of a container's log, stack frames left
// out (a JVM's last lines are often one long trace; the lines before it say
// why).
func (e *Env) logTail(ctx context.Context, name string, n int) string {
	nd := e.node(name)
	if nd == nil {
		return ""
	}
	b, err := e.logBytes(ctx, name)
	if err != nil {
		return err.Error()
	}
	return tailLines(b, n)
}

// logBytes returns a container's whole log.
func (e *Env) logBytes(ctx context.Context, name string) ([]byte, error) {
	nd := e.node(name)
	if nd == nil {
		return nil, nil
	}
	rc, err := nd.c.Logs(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// tailLines is logTail's: the last n lines of log b, stack frame lines left
// out and counted.
func tailLines(b []byte, n int) string {
	var lines []string
	frames := 0 // left out since the last line kept
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "at ") || (strings.HasPrefix(t, "... ") && strings.HasSuffix(t, " more")) {
			frames++
			continue
		}
		if frames > 0 {
			lines = append(lines, fmt.Sprintf("\t(%d stack frame lines left out)", frames))
			frames = 0
		}
		lines = append(lines, l)
	}
	if frames > 0 {
		lines = append(lines, fmt.Sprintf("\t(%d stack frame lines left out)", frames))
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Stop saves every container's log into the log directory, removes the
// containers and the network (and anything else carrying the run label),
// and removes the work directory. It may be called more than once, and
// after a failed or cancelled Start; it ignores ctx's deadline for the
// removal itself, which must happen.
func (e *Env) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.stopped {
		close(e.stopCh)
	}
	e.stopped = true
	nodes := make([]*node, 0, len(e.nodes))
	for _, n := range e.nodes {
		nodes = append(nodes, n)
	}
	e.nodes = map[string]*node{}
	cli, nw, np := e.cli, e.net, e.proxy
	e.net = nil
	e.mu.Unlock()
	if np != nil {
		np.Close()
	}

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), env.StopTimeout)
	defer cancel()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lctx, lcancel := context.WithTimeout(rctx, 10*time.Second)
			e.saveLog(lctx, n)
			lcancel()
			if err := n.c.Terminate(rctx, tc.StopTimeout(0)); err != nil {
				emu.Lock()
				errs = append(errs, fmt.Errorf("remove %s: %w", n.name, err))
				emu.Unlock()
			}
		}()
	}
	wg.Wait()
	if nw != nil {
		if err := nw.Remove(rctx); err != nil {
			errs = append(errs, fmt.Errorf("remove network: %w", err))
		}
	}
	if cli != nil {
		// Anything a racing Start created after the snapshot above.
		if err := RemoveLabelled(rctx, cli, e.id); err != nil {
			errs = append(errs, err)
		}
	}
	if e.cfg.WorkDir != "" {
		if err := os.RemoveAll(e.cfg.WorkDir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		live.Delete(e.id)
	}
	return errors.Join(errs...)
}

// live holds the run labels of the environments this process started and
// has not stopped (or not without errors); starting counts the Starts in
// progress; once closing (RemoveLive), no Start begins.
var (
	live     sync.Map
	liveMu   sync.Mutex
	closing  bool
	starting sync.WaitGroup
)

// RemoveLive force-removes the containers and networks of every environment
// this process started and has not stopped, after waiting (within ctx) for
// the Starts in progress; from then on no Start begins (it fails). It is
// for a process interrupted without a way to cancel its runs (a test
// binary: package testcleanup); abload itself stops its environment
// through the run's context.
func RemoveLive(ctx context.Context) error {
	liveMu.Lock()
	closing = true
	liveMu.Unlock()
	// A Start in progress creates containers until it returns: wait for it
	// (within ctx), so none is created after the removal below.
	started := make(chan struct{})
	go func() { starting.Wait(); close(started) }()
	select {
	case <-started:
	case <-ctx.Done():
	}
	// The removal gets time of its own even if the wait used ctx up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var ids []string
	live.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
	if len(ids) == 0 {
		return nil
	}
	cli, err := tc.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("docker: %w", err)
	}
	defer cli.Close()
	var errs []error
	for _, id := range ids {
		if err := RemoveLabelled(ctx, cli, id); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		} else {
			live.Delete(id)
		}
	}
	return errors.Join(errs...)
}

func (e *Env) saveLog(ctx context.Context, n *node) {
	rc, err := n.c.Logs(ctx)
	if err != nil {
		return
	}
	defer rc.Close()
	f, err := os.Create(filepath.Join(e.cfg.LogDir, n.name+".log"))
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = io.Copy(f, rc)
}

// RemoveLabelled force-removes every container and network carrying run
// label id (all of them when id is "").
func RemoveLabelled(ctx context.Context, cli *tc.DockerClient, id string) error {
	filter := LabelRun
	if id != "" {
		filter += "=" + id
	}
	var errs []error
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", filter)})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs.Items {
		if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			errs = append(errs, fmt.Errorf("remove container %s: %w", c.ID[:12], err))
		}
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", filter)})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("list networks: %w", err))...)
	}
	for _, n := range ns.Items {
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
		}
	}
	return errors.Join(errs...)
}
