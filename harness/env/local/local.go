package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/scenarios"
)

// Config sizes the local environment.
type Config struct {
	cluster.Settings
	Runtime *cluster.Runtime
	LogDir  string // component logs (the run's logs/)
	WorkDir string // scratch: Kafka data, Flink tmp and checkpoints; removed by Stop
	// Logf receives progress lines; nil discards them.
	Logf func(format string, args ...any)
	// KafkaOnly starts the broker alone (producer benchmarks); FlinkREST stays empty.
	KafkaOnly bool
	// Application starts Flink as a standalone application cluster (Reactive
	// Mode needs one): Start brings up Kafka only, StartApplication the
	// JobManager with the job and the TaskManagers.
	Application bool
	// Pin holds the CPU lists the broker, the JobManager and every
	// TaskManager start on ("" = not pinned); Pin.Harness is not used here.
	Pin scenarios.Pin
	// Secure adds the SASL_SSL listener SECURE (nil: none); SecureEndpoint
	// tells a client how to use it.
	Secure *SecureListener
	// Detach starts the JVMs so that they outlive abload (`abload env up`):
	// sessions of their own, no parent-death signal. Stop still stops them.
	Detach bool
	// Started, when set, is called with each process right after it
	// started (before it is ready), so a crashed start can be cleaned up
	// from what it recorded.
	Started func(p *proc.Process)
}

// Env runs a single-node Kafka (KRaft) and a Flink standalone session
// cluster as JVM processes on 127.0.0.1, from the runtime bundle.
type Env struct {
	cfg Config

	mu        sync.Mutex
	procs     []*proc.Process
	endpoints *env.Endpoints
	stopped   bool
	stopCh    chan struct{} // closed by Stop
	gen       int           // the start attempt (Start tries again when a port was taken)

	launchTM                 func(n int) (*proc.Process, string, error)
	bootFlink                func(ctx context.Context, jmMain string, jmArgs []string) error
	nextTM                   int               // the number the next added TaskManager gets
	retired                  map[int]bool      // TaskManagers removed on purpose: not restarted
	promAddrs                map[string]string // Flink process name → its Prometheus reporter's host:port
	kafkaArgv                []string
	kafkaBootstrap, kafkaLog string
	proxy                    *netproxy.Proxy
	secure                   *SecureEndpoint
}

// New returns a local environment; nothing starts until Start.
func New(cfg Config) *Env {
	cfg.Settings = cfg.Settings.WithDefaults()
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if mode := os.Getenv(cluster.CDSEnv); cfg.Runtime != nil && (mode == "" || mode == "auto") {
		for _, kind := range []string{"kafka", "jobmanager", "taskmanager"} {
			if why := cfg.Runtime.CDSStale(kind); why != "" {
				cfg.Logf("abload: the %s class-data sharing archive is stale (%s): starting without it; make cds rebuilds it", kind, why)
			}
		}
	}
	return &Env{cfg: cfg, stopCh: make(chan struct{})}
}

// FromSpec builds (does not start) the local environment a scenario's env
// section asks for; its scratch directory is removed by Stop.
func FromSpec(spec env.Spec) (env.Environment, error) {
	sc := spec.Scenario
	rec, err := spec.Runtime.Recipe()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "abload-env-")
	if err != nil {
		return nil, err
	}
	return New(Config{
		Settings:    cluster.SettingsFor(sc, rec),
		Runtime:     spec.Runtime,
		LogDir:      spec.LogDir,
		WorkDir:     work,
		Application: sc.Env.Scheduler == scenarios.SchedulerReactive,
		Pin:         sc.Env.Pin,
		Logf:        spec.Logf,
	}), nil
}

// Config is the configuration the environment was made with.
func (e *Env) Config() Config { return e.cfg }

func (e *Env) Kind() string { return "local" }

// JVMOptions are the extra options of the cluster's JVMs (env.JVMOptioned).
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

// Endpoints returns the started environment's endpoints (nil before Start).
func (e *Env) Endpoints() *env.Endpoints {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.endpoints
}

func (e *Env) FlinkVersion() string { return e.cfg.Runtime.FlinkVersion() }
func (e *Env) KafkaVersion() string { return e.cfg.Runtime.KafkaVersion() }

// Start brings up Kafka and Flink concurrently and waits until both are ready.
func (e *Env) Start(ctx context.Context) (*env.Endpoints, error) {
	for attempt := 1; ; attempt++ {
		ep, err := e.startOnce(ctx)
		if err == nil || attempt == portAttempts || !portTaken(err) || ctx.Err() != nil {
			return ep, err
		}
		// The ports are free when chosen, and bound by the JVMs seconds
		// later: another process on the machine (another environment
		// starting) may take one meanwhile.
		e.cfg.Logf("abload: a port abload chose was taken before its process bound it (%s); starting again on other ports", firstLine(err))
		if err := e.undoStart(); err != nil {
			return nil, err
		}
	}
}

// portAttempts bounds Start's attempts when a port it chose is taken.
const portAttempts = 3

// portTaken reports whether a start failed because a port was taken: the
// error quotes the failed process's log, which names the bind failure
// (Java's "BindException: Address already in use", Flink's REST endpoint's
// "BindException: Could not start rest endpoint on any port", Go's
// "address already in use" for the network proxy).
func portTaken(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "address already in use") || strings.Contains(m, "bindexception")
}

func firstLine(err error) string {
	l, _, _ := strings.Cut(err.Error(), "\n")
	return l
}

// undoStart stops what a failed start started and empties the work
// directory, so that Start may try again (the logs are kept: the next
// attempt appends to them).
func (e *Env) undoStart() error {
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return errors.New("environment is stopping")
	}
	procs, np := e.procs, e.proxy
	e.procs, e.proxy, e.secure = nil, nil, nil
	e.gen++ // the attempt's TaskManager supervisors end instead of restarting them
	e.mu.Unlock()
	proc.StopAll(procs, 5*time.Second)
	if np != nil {
		np.Close()
	}
	if err := os.RemoveAll(e.cfg.WorkDir); err != nil {
		return fmt.Errorf("remove %s: %w", e.cfg.WorkDir, err)
	}
	return nil
}

func (e *Env) startOnce(ctx context.Context) (*env.Endpoints, error) {
	if err := os.MkdirAll(e.cfg.LogDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(e.cfg.WorkDir, 0o755); err != nil {
		return nil, err
	}
	log4j := filepath.Join(e.cfg.WorkDir, "log4j2.properties")
	if err := os.WriteFile(log4j, []byte(cluster.Log4jConfig), 0o644); err != nil {
		return nil, err
	}
	ports, err := cluster.FreePorts(7)
	if err != nil {
		return nil, err
	}
	kafkaPort, controllerPort, restPort, rpcPort := ports[0], ports[1], ports[2], ports[3]
	ep := &env.Endpoints{KafkaBootstrap: []string{fmt.Sprintf("127.0.0.1:%d", kafkaPort)}}
	if !e.cfg.KafkaOnly {
		ep.FlinkREST = fmt.Sprintf("http://127.0.0.1:%d", restPort)
	}
	securePort := 0 // the broker's SECURE listener
	if e.cfg.Secure != nil {
		securePort = ports[6]
	}
	jobPort := 0 // the broker's JOB listener, behind the proxy
	if e.cfg.NetProxy {
		jobPort = ports[4]
		np, err := netproxy.New(fmt.Sprintf("127.0.0.1:%d", ports[5]), fmt.Sprintf("127.0.0.1:%d", jobPort))
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		e.proxy = np
		e.mu.Unlock()
		if err := cluster.ShapeNetwork(np, e.cfg.Network); err != nil {
			return nil, fmt.Errorf("env.network: %w", err)
		}
		ep.JobKafkaBootstrap = []string{np.Addr()}
		e.cfg.Logf("abload: network proxy on %s → kafka's JOB listener 127.0.0.1:%d (%s)", np.Addr(), jobPort, cluster.ShapingText(e.cfg.Network))
	}

	if p := e.cfg.Pin; p.Kafka != "" || p.JobManager != "" || p.TaskManagers != "" {
		e.cfg.Logf("abload: CPU pinning (%s): %s", proc.Mechanism(), proc.PinText(p))
	}

	var wg sync.WaitGroup
	var kafkaErr, flinkErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		kafkaErr = e.startKafka(ctx, log4j, kafkaPort, controllerPort, jobPort, securePort, ep.JobKafkaBootstrap)
	}()
	if !e.cfg.KafkaOnly {
		wg.Add(1)
		go func() {
			defer wg.Done()
			flinkErr = e.startFlink(ctx, log4j, restPort, rpcPort, ep.FlinkREST)
		}()
	}
	wg.Wait()
	if err := errors.Join(kafkaErr, flinkErr); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.endpoints = ep
	e.mu.Unlock()
	return ep, nil
}

// start starts one of the environment's processes, detached with
// Config.Detach, and tells Config.Started.
func (e *Env) start(name, logPath string, env []string, cpus string, argv ...string) (*proc.Process, error) {
	startf := proc.Start
	if e.cfg.Detach {
		startf = proc.StartDetached
	}
	p, err := startf(name, logPath, env, cpus, argv...)
	if err == nil && e.cfg.Started != nil {
		e.cfg.Started(p)
	}
	return p, err
}

func (e *Env) track(p *proc.Process) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		// Stop raced with Start: never leave this one running.
		go p.Stop(time.Second)
		return errors.New("environment is stopping")
	}
	e.procs = append(e.procs, p)
	return nil
}

// startKafka starts the broker; jobPort > 0 adds the JOB listener there,
// advertised at jobAdvertised (the network proxy in front of it), and
// securePort > 0 the SECURE listener (cfg.Secure).
func (e *Env) startKafka(ctx context.Context, log4j string, port, cport, jobPort, securePort int, jobAdvertised []string) error {
	start := time.Now()
	dir := filepath.Join(e.cfg.WorkDir, "kafka")
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	l := cluster.KafkaListeners{
		Listeners:         fmt.Sprintf("PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", port, cport),
		Advertised:        fmt.Sprintf("PLAINTEXT://127.0.0.1:%d", port),
		ProtocolMap:       "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
		InterBroker:       "PLAINTEXT",
		ControllerAddress: fmt.Sprintf("127.0.0.1:%d", cport),
	}
	if jobPort > 0 {
		l.Listeners += fmt.Sprintf(",JOB://127.0.0.1:%d", jobPort)
		l.Advertised += ",JOB://" + jobAdvertised[0]
		l.ProtocolMap += ",JOB:PLAINTEXT"
	}
	extraProps := ""
	var sec *secureMaterial
	if securePort > 0 {
		var err error
		if sec, err = newSecureMaterial(filepath.Join(dir, "secure"), *e.cfg.Secure); err != nil {
			return fmt.Errorf("kafka: secure listener: %w", err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", securePort)
		l.Listeners += ",SECURE://" + addr
		l.Advertised += ",SECURE://" + addr
		l.ProtocolMap += ",SECURE:SASL_SSL"
		extraProps = cluster.KafkaSASLSSLProperties("SECURE", sec.keystoreFile)
		e.mu.Lock()
		e.secure = &SecureEndpoint{Addr: addr, CAPEM: sec.caPEM, CAFile: sec.caFile, User: sec.user, Password: sec.password}
		e.mu.Unlock()
	}
	props := cluster.KafkaServerProperties(l, data) + extraProps
	propsPath := filepath.Join(dir, "server.properties")
	if err := os.WriteFile(propsPath, []byte(props), 0o644); err != nil {
		return err
	}
	cp := filepath.Join(e.cfg.Runtime.KafkaLib, "*")
	logFile := filepath.Join(e.cfg.LogDir, "kafka.log")
	common := []string{
		"-Dlog.file=" + logFile,
		"-Dlog4j2.configurationFile=" + log4j,
		"-Dlog4j.configurationFile=" + log4j,
		"-cp", cp,
	}
	// Storage is formatted per run: a fresh cluster id, an empty log.
	toolArgs := []string{"kafka.tools.StorageTool", "format", "--cluster-id=" + cluster.NewKafkaClusterID(), "-c", propsPath}
	hide := func(s string) string { return s }
	if sec != nil {
		// SCRAM credentials are bootstrapped into the metadata log. The
		// password goes to the tool through a java launcher argument file
		// (removed right after), never on its command line.
		toolArgs = append(toolArgs, sec.scramArgs()...)
		argFile := filepath.Join(dir, "secure", "format.args")
		if err := writeJVMArgFile(argFile, toolArgs); err != nil {
			return err
		}
		toolArgs = []string{"@" + argFile}
		hide = func(s string) string { return strings.ReplaceAll(s, sec.password, "[hidden]") }
	}
	format := exec.CommandContext(ctx, cluster.JavaBin(), append(append(append([]string{"-Xmx256m"}, cluster.ToolJVMOpts...), common...), toolArgs...)...)
	out, err := proc.CombinedOutput(format)
	if sec != nil {
		_ = os.Remove(filepath.Join(dir, "secure", "format.args"))
	}
	if err != nil {
		return fmt.Errorf("kafka: format storage: %w\n%s\n--- last lines of %s ---\n%s", err, hide(string(bytes.TrimSpace(out))), logFile, hide(proc.TailFile(logFile, 20)))
	}
	heap := e.cfg.KafkaHeap
	argv := append([]string{cluster.JavaBin(), "-Xmx" + heap, "-Xms" + heap}, cluster.KafkaGCOpts(e.cfg.JVMOptions)...)
	argv = append(argv, "-Djava.awt.headless=true")
	argv = append(argv, cluster.CDSOpts(e.cfg.Runtime, "kafka")...)
	argv = append(argv, e.cfg.JVMOptions...)
	argv = append(argv, common...)
	argv = append(argv, "kafka.Kafka", propsPath)
	e.mu.Lock()
	e.kafkaArgv, e.kafkaBootstrap, e.kafkaLog = argv, fmt.Sprintf("127.0.0.1:%d", port), logFile
	e.mu.Unlock()
	if err := e.launchKafka(ctx); err != nil {
		return err
	}
	e.cfg.Logf("abload: kafka %s ready on %s in %.1fs", e.KafkaVersion(), e.kafkaBootstrap, time.Since(start).Seconds())
	if s := e.SecureEndpoint(); s != nil {
		e.cfg.Logf("abload: kafka listener SECURE: %s", s)
	}
	return nil
}

// SecureEndpoint is how a client reaches the SECURE listener (nil without
// Config.Secure, or before Start has prepared it).
func (e *Env) SecureEndpoint() *SecureEndpoint {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.secure == nil {
		return nil
	}
	s := *e.secure
	return &s
}

// launchKafka starts the broker from the prepared command line (its storage
// already formatted) and waits until it serves metadata.
func (e *Env) launchKafka(ctx context.Context) error {
	e.mu.Lock()
	argv, bootstrap, logFile := e.kafkaArgv, e.kafkaBootstrap, e.kafkaLog
	e.mu.Unlock()
	p, err := e.start("kafka", filepath.Join(e.cfg.LogDir, "kafka.out"), nil, e.cfg.Pin.Kafka, argv...)
	if err != nil {
		return err
	}
	if err := e.track(p); err != nil {
		return err
	}
	ready := func(ctx context.Context) bool { return cluster.KafkaServes(ctx, bootstrap) }
	return proc.WaitFor(ctx, p, e.cfg.StartupTimeout, "ready", ready, logFile)
}

func (e *Env) startFlink(ctx context.Context, log4j string, restPort, rpcPort int, restURL string) error {
	start := time.Now()
	dir := filepath.Join(e.cfg.WorkDir, "flink")
	confDir := filepath.Join(dir, "conf")
	for _, d := range []string{confDir, filepath.Join(dir, "tmp"), filepath.Join(dir, "checkpoints"), filepath.Join(dir, "web")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	tmMem, jmMem := e.cfg.TaskManagerMemory, e.cfg.JobManagerMemory
	rec, err := e.cfg.Runtime.Recipe()
	if err != nil {
		return err
	}
	conf := rec.Base(jmMem, tmMem, e.cfg.Slots)
	for k, v := range map[string]string{
		"jobmanager.bind-host":        "127.0.0.1",
		"jobmanager.rpc.address":      "127.0.0.1",
		"jobmanager.rpc.port":         fmt.Sprint(rpcPort),
		"taskmanager.bind-host":       "127.0.0.1",
		"taskmanager.host":            "127.0.0.1",
		"rest.address":                "127.0.0.1",
		"rest.bind-address":           "127.0.0.1",
		"rest.port":                   fmt.Sprint(restPort),
		"io.tmp.dirs":                 filepath.Join(dir, "tmp"),
		"web.tmpdir":                  filepath.Join(dir, "web"),
		"execution.checkpointing.dir": "file://" + filepath.Join(dir, "checkpoints"),
	} {
		conf[k] = v
	}
	for k, v := range e.cfg.FlinkConfig {
		conf[k] = v
	}
	keys, err := e.cfg.Runtime.FlinkKeys()
	if err != nil {
		return err
	}
	if err := keys.Check("the local cluster's config.yaml", conf); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(confDir, "config.yaml"), cluster.FlinkConfigYAML(conf), 0o644); err != nil {
		return err
	}
	cp := filepath.Join(e.cfg.Runtime.FlinkLib, "*")
	if e.cfg.Application {
		// Application mode: the job's classes come from the system
		// classpath of the JobManager (which runs its main) and of every
		// TaskManager, as the standalone application cluster expects.
		cp += string(os.PathListSeparator) + e.cfg.Runtime.JobJar
	}

	// Flink's scripts derive JVM heap/direct/metaspace flags from the memory
	// model with BashJavaUtils; call it the same way so sizes are Flink's own.
	jmJVM, jmDyn, err := cluster.BashJavaUtils(ctx, proc.CombinedOutput, cp, confDir, "GET_JM_RESOURCE_PARAMS")
	if err != nil {
		return err
	}
	tmJVM, tmDyn, err := cluster.BashJavaUtils(ctx, proc.CombinedOutput, cp, confDir, "GET_TM_RESOURCE_PARAMS")
	if err != nil {
		return err
	}
	launch := func(name, mainClass, cpus string, jvm, args []string) (*proc.Process, string, error) {
		logFile := filepath.Join(e.cfg.LogDir, name+".log")
		argv := []string{cluster.JavaBin()}
		argv = append(argv, cluster.FlinkJavaOpts...)
		argv = append(argv, cluster.CDSOpts(e.cfg.Runtime, name)...)
		argv = append(argv, jvm...)
		argv = append(argv, e.cfg.JVMOptions...)
		argv = append(argv, "-Dlog.file="+logFile, "-Dlog4j.configurationFile="+log4j,
			"-Dlog4j2.configurationFile="+log4j, "-cp", cp, mainClass, "--configDir", confDir)
		argv = append(argv, args...)
		p, err := e.start(name, filepath.Join(e.cfg.LogDir, name+".out"), []string{"FLINK_CONF_DIR=" + confDir}, cpus, argv...)
		if err != nil {
			return nil, logFile, err
		}
		return p, logFile, e.track(p)
	}
	// promPort gives a Flink process its own Prometheus reporter port (the
	// reporter listens on every interface: Flink has no host option).
	promPort := func(name string) ([]string, error) {
		ports, err := cluster.FreePorts(1)
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		if e.promAddrs == nil {
			e.promAddrs = map[string]string{}
		}
		e.promAddrs[name] = fmt.Sprintf("127.0.0.1:%d", ports[0])
		e.mu.Unlock()
		return []string{"-D", fmt.Sprintf("metrics.reporter.prom.port=%d", ports[0])}, nil
	}
	launchTM := func(i int) (*proc.Process, string, error) {
		name := fmt.Sprintf("taskmanager-%d", i)
		prom, err := promPort(name)
		if err != nil {
			return nil, "", err
		}
		dyn := append(append(append([]string{}, tmDyn...), "-D", fmt.Sprintf("taskmanager.resource-id=tm-%d", i)), prom...)
		return launch(name, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", e.cfg.Pin.TaskManagers, tmJVM, dyn)
	}
	boot := func(ctx context.Context, jmMain string, jmArgs []string) error {
		prom, err := promPort("jobmanager")
		if err != nil {
			return err
		}
		// Dynamic properties go before the application entry point's
		// program arguments.
		jm, jmLog, err := launch("jobmanager", jmMain, e.cfg.Pin.JobManager, jmJVM, append(append(append([]string{}, jmDyn...), prom...), jmArgs...))
		if err != nil {
			return err
		}
		var tms []*proc.Process
		var tmLogs []string
		for i := 0; i < e.cfg.TaskManagers; i++ {
			tm, l, err := launchTM(i + 1)
			if err != nil {
				return err
			}
			tms = append(tms, tm)
			tmLogs = append(tmLogs, l)
		}
		rest := flink.NewClient(restURL)
		wantSlots := e.cfg.TaskManagers * e.cfg.Slots
		ready := func(ctx context.Context) bool {
			for _, tm := range tms {
				if tm.Exited() {
					return true // reported below
				}
			}
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			ov, err := rest.Overview(rctx)
			return err == nil && ov.TaskManagers == e.cfg.TaskManagers && ov.SlotsTotal == wantSlots
		}
		if err := proc.WaitFor(ctx, jm, e.cfg.StartupTimeout, "ready with all TaskManagers registered", ready, append([]string{jmLog}, tmLogs...)...); err != nil {
			return err
		}
		for _, tm := range tms {
			if tm.Exited() {
				return tm.Failure("exited during startup", tmLogs...)
			}
		}
		mode := "session"
		if e.cfg.Application {
			mode = "application"
		}
		e.cfg.Logf("abload: flink %s (%s cluster) ready on %s with %d TaskManager(s) × %d slot(s) in %.1fs",
			e.FlinkVersion(), mode, restURL, e.cfg.TaskManagers, e.cfg.Slots, time.Since(start).Seconds())
		e.mu.Lock()
		e.nextTM = e.cfg.TaskManagers + 1
		e.mu.Unlock()
		for i, tm := range tms {
			go e.supervise(i+1, tm, e.generation())
		}
		return nil
	}
	e.mu.Lock()
	e.launchTM = launchTM
	e.bootFlink = boot
	e.mu.Unlock()
	if e.cfg.Application {
		return nil // StartApplication boots it with the job
	}
	return boot(ctx, "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", nil)
}

// Stop stops every process this environment started and removes its
// scratch directory. Logs stay.
func (e *Env) Stop(ctx context.Context) error {
	e.mu.Lock()
	if !e.stopped {
		close(e.stopCh)
	}
	e.stopped = true
	procs := e.procs
	e.procs = nil
	e.mu.Unlock()
	proc.StopAll(procs, 5*time.Second)
	e.mu.Lock()
	np := e.proxy
	e.mu.Unlock()
	if np != nil {
		np.Close()
	}
	if e.cfg.WorkDir != "" {
		if err := os.RemoveAll(e.cfg.WorkDir); err != nil {
			return fmt.Errorf("remove %s: %w", e.cfg.WorkDir, err)
		}
	}
	return nil
}
