package testcontainers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/jvmstat"
	"github.com/abload/abload/harness/netproxy"
)

// FlinkMetricsEndpoints lists the Flink containers' Prometheus reporters
// at their ports published on 127.0.0.1.
func (e *Env) FlinkMetricsEndpoints() []env.FlinkMetricsEndpoint {
	e.mu.Lock()
	var nodes []*node
	for _, n := range e.nodes {
		if n.name == "jobmanager" || strings.HasPrefix(n.name, "taskmanager-") {
			nodes = append(nodes, n)
		}
	}
	e.mu.Unlock()
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].name < nodes[j].name })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var out []env.FlinkMetricsEndpoint
	for _, n := range nodes {
		if mp, err := n.c.MappedPort(ctx, promPort); err == nil {
			out = append(out, env.FlinkMetricsEndpoint{Component: n.name, Addr: "127.0.0.1:" + mp.Port()})
		}
	}
	return out
}

// supervise plays the TaskManager container's supervisor, as Kubernetes
// would for a pod: when it stops while the environment runs (killed by a
// fault, crashed, OOM-killed), it is started again after RestartDelay.
func (e *Env) supervise(name string) {
	for {
		select {
		case <-e.stopCh:
			return
		case <-time.After(500 * time.Millisecond):
		}
		n := e.node(name)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		st, err := n.c.State(ctx)
		cancel()
		if err != nil || st.Running || st.Paused {
			continue
		}
		if e.cfg.RestartDelay < 0 {
			e.cfg.Logf("abload: %s exited (code %d, OOM-killed %v); not restarting it (env.restart_delay < 0)", name, st.ExitCode, st.OOMKilled)
			return
		}
		e.cfg.Logf("abload: %s exited (code %d, OOM-killed %v); restarting it in %s", name, st.ExitCode, st.OOMKilled, e.cfg.RestartDelay)
		select {
		case <-e.stopCh:
			return
		case <-time.After(e.cfg.RestartDelay):
		}
		ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		_, err = e.cli.ContainerStart(ctx, n.id, client.ContainerStartOptions{})
		cancel()
		if err != nil {
			e.cfg.Logf("abload: restart %s: %v", name, err)
			continue
		}
		e.cfg.Logf("abload: %s restarted (container %s)", name, n.id[:12])
	}
}

// KillTaskManager SIGKILLs TaskManager n's container; the supervisor starts
// it again after the restart delay.
func (e *Env) KillTaskManager(n int) error {
	nd, err := e.taskManager(n)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = e.cli.ContainerKill(ctx, nd.id, client.ContainerKillOptions{Signal: "KILL"})
	return err
}

// PauseTaskManagers freezes TaskManager n's container (all for n = 0) with
// the cgroup freezer, as SIGSTOP does to a process.
func (e *Env) PauseTaskManagers(n int) error { return e.pause(n, true) }

// ResumeTaskManagers thaws what PauseTaskManagers froze.
func (e *Env) ResumeTaskManagers(n int) error { return e.pause(n, false) }

func (e *Env) pause(n int, pause bool) error {
	var nodes []*node
	if n == 0 {
		for i := 1; i <= e.cfg.TaskManagers; i++ {
			nd, err := e.taskManager(i)
			if err != nil {
				return err
			}
			nodes = append(nodes, nd)
		}
	} else {
		nd, err := e.taskManager(n)
		if err != nil {
			return err
		}
		nodes = append(nodes, nd)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	for _, nd := range nodes {
		if err := e.freeze(ctx, nd, pause); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", nd.name, err))
		}
	}
	return errors.Join(errs...)
}

// freeze pauses or resumes one container: with the cgroup freezer (`docker
// pause`) where the host allows it, else by SIGSTOP/SIGCONT to its main
// process (the JVM is the container's PID 1), which stops it as surely.
func (e *Env) freeze(ctx context.Context, nd *node, pause bool) error {
	e.mu.Lock()
	how := nd.paused
	e.mu.Unlock()
	var err error
	switch {
	case pause:
		if _, err = e.cli.ContainerPause(ctx, nd.id, client.ContainerPauseOptions{}); err == nil {
			how = "freezer"
			break
		}
		freezerErr := err
		if _, err = e.cli.ContainerKill(ctx, nd.id, client.ContainerKillOptions{Signal: "STOP"}); err != nil {
			return errors.Join(freezerErr, err)
		}
		e.cfg.Logf("abload: %s: no cgroup freezer here (%v); stopped with SIGSTOP instead", nd.name, freezerErr)
		how = "signal"
	case how == "freezer":
		_, err = e.cli.ContainerUnpause(ctx, nd.id, client.ContainerUnpauseOptions{})
		how = ""
	case how == "signal":
		_, err = e.cli.ContainerKill(ctx, nd.id, client.ContainerKillOptions{Signal: "CONT"})
		how = ""
	default:
		return nil // not paused
	}
	if err != nil {
		return err
	}
	e.mu.Lock()
	nd.paused = how
	e.mu.Unlock()
	return nil
}

func (e *Env) taskManager(n int) (*node, error) {
	nd := e.node(fmt.Sprintf("taskmanager-%d", n))
	if nd == nil {
		return nil, fmt.Errorf("no taskmanager %d (the environment has %d)", n, e.cfg.TaskManagers)
	}
	return nd, nil
}

// RestartBroker stops the Kafka container cleanly (SIGTERM, controlled
// shutdown), keeps it down for down, starts it again and waits until it
// serves. Its storage survives in the container; its host port is fixed.
func (e *Env) RestartBroker(ctx context.Context, down time.Duration) error {
	nd := e.node("kafka")
	ep := e.Endpoints()
	if nd == nil || ep == nil {
		return errors.New("kafka is not running")
	}
	timeout := 30
	sctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	_, err := e.cli.ContainerStop(sctx, nd.id, client.ContainerStopOptions{Timeout: &timeout})
	cancel()
	if err != nil {
		return fmt.Errorf("stop kafka: %w", err)
	}
	_ = sleepCtx(ctx, down) // on cancel: start it again all the same
	sctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	_, err = e.cli.ContainerStart(sctx, nd.id, client.ContainerStartOptions{})
	cancel()
	if err != nil {
		return fmt.Errorf("start kafka: %w", err)
	}
	return e.waitKafka(context.WithoutCancel(ctx), ep.KafkaBootstrap[0], e.cfg.StartupTimeout)
}

// gateway is the host's IPv4 address on the run's network: containers reach
// the host there.
func (e *Env) gateway(ctx context.Context) (string, error) {
	e.mu.Lock()
	cli, nw := e.cli, e.net
	e.mu.Unlock()
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ins, err := cli.NetworkInspect(ictx, nw.ID, client.NetworkInspectOptions{})
	if err != nil {
		return "", fmt.Errorf("docker: inspect network %s: %w", nw.Name, err)
	}
	for _, c := range ins.Network.IPAM.Config {
		if c.Gateway.Is4() {
			return c.Gateway.String(), nil
		}
	}
	return "", fmt.Errorf("docker: network %s has no IPv4 gateway for the network proxy to listen on (IPAM %+v)", nw.Name, ins.Network.IPAM.Config)
}

// startProxy starts the network proxy on a free port of the run network's
// gateway (the host's address there, which the containers reach),
// forwarding to Kafka's JOB listener as published on 127.0.0.1:jobPort,
// with env.network's shaping. It returns the proxy's address.
func (e *Env) startProxy(ctx context.Context, jobPort int) (string, error) {
	gw, err := e.gateway(ctx)
	if err != nil {
		return "", err
	}
	upstream := net.JoinHostPort(loopback.String(), fmt.Sprint(jobPort))
	np, err := netproxy.New(net.JoinHostPort(gw, "0"), upstream)
	if err != nil {
		return "", err
	}
	e.mu.Lock()
	stopped := e.stopped
	if !stopped {
		e.proxy = np
	}
	e.mu.Unlock()
	if stopped { // Stop raced with Start
		np.Close()
		return "", errors.New("environment is stopping")
	}
	if err := cluster.ShapeNetwork(np, e.cfg.Network); err != nil {
		return "", fmt.Errorf("env.network: %w", err)
	}
	shaping := e.cfg.Network.String()
	if shaping == "" {
		shaping = "unshaped"
	}
	e.cfg.Logf("abload: network proxy on %s (the run network's gateway) → kafka's JOB listener at %s (%s)", np.Addr(), upstream, shaping)
	return np.Addr(), nil
}

// probeProxy checks that the containers reach the network proxy on the
// host: a host firewall that drops traffic from Docker bridges to the host
// would otherwise leave the job unable to reach Kafka.
func (e *Env) probeProxy(ctx context.Context, proxyAddr string) error {
	host, port, _ := net.SplitHostPort(proxyAddr)
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	code, out, err := e.node("jobmanager").c.Exec(pctx, []string{"sh", "-c",
		fmt.Sprintf(`command -v bash >/dev/null || exit 125; timeout 5 bash -c 'exec 3<>/dev/tcp/%s/%s' && exit 0; exit 1`, host, port)})
	switch {
	case err != nil:
		return fmt.Errorf("docker: probe the network proxy from the jobmanager container: %w", err)
	case code == 125:
		e.cfg.Logf("abload: the jobmanager image has no bash: not probing the network proxy from the containers")
	case code != 0:
		msg := ""
		if out != nil {
			b, _ := io.ReadAll(out)
			msg = strings.TrimSpace(string(b))
		}
		return fmt.Errorf("docker: the containers cannot reach the network proxy at %s, the host's address on the run's network (exit %d %s); is a host firewall dropping connections from Docker bridges to the host?", proxyAddr, code, msg)
	}
	return nil
}

// NetProxy is the proxy between the job and the broker (nil without
// Config.NetProxy, or before Start).
func (e *Env) NetProxy() *netproxy.Proxy {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.proxy
}

// Components lists the containers for resource sampling: each is metered
// through the Docker stats API (its cgroup: CPU time, memory without page
// cache, CPU throttling), with its limits.
func (e *Env) Components() []env.Component {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []env.Component
	for _, nd := range e.nodes {
		out = append(out, env.Component{Name: nd.name, CPULimit: nd.cpus, MemLimitBytes: nd.memBytes,
			Read: func() (env.Usage, error) { return usage(e.cli, nd.id) }})
	}
	return out
}

// usage reads one container's cumulative usage (a one-shot stats sample).
func usage(cli *tc.DockerClient, id string) (env.Usage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ins, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return env.Usage{}, err
	}
	if ins.Container.State == nil || !ins.Container.State.Running || ins.Container.State.Paused {
		return env.Usage{}, errors.New("not running")
	}
	st, err := containerStats(ctx, cli, id)
	if err != nil {
		return env.Usage{}, err
	}
	mem := int64(st.MemoryStats.Usage)
	// The page cache is not the process's: drop it as `docker stats` does
	// (cgroup v1: total_inactive_file; v2: inactive_file).
	for _, k := range []string{"total_inactive_file", "inactive_file"} {
		if v, ok := st.MemoryStats.Stats[k]; ok && int64(v) < mem {
			mem -= int64(v)
			break
		}
	}
	u := env.Usage{
		Instance:  ins.Container.State.StartedAt,
		CPUNanos:  int64(st.CPUStats.CPUUsage.TotalUsage),
		MemBytes:  mem,
		Periods:   int64(st.CPUStats.ThrottlingData.Periods),
		Throttled: int64(st.CPUStats.ThrottlingData.ThrottledPeriods),
		AtNs:      readAt(st.Read),
	}
	// The JVMs' JIT time, from their hsperfdata inside the container (the
	// daemon is on this host: its first process's /proc/<pid>/root).
	if pid := ins.Container.State.Pid; pid > 0 {
		if jit, err := jvmstat.ContainerCompileTime(pid, ins.Container.ID); err == nil {
			u.JIT, u.JITKnown = jit, true
		}
	}
	return u, nil
}

// readAt is a stats sample's read time in Unix ns (0 when the daemon gave none).
func readAt(t time.Time) int64 {
	if t.IsZero() || t.Year() < 2000 {
		return 0
	}
	return t.UnixNano()
}
