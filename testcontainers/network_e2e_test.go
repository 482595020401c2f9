package testcontainers

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/internal/e2echeck"
	"github.com/abload/abload/reports"
)

// The job's Kafka traffic crosses the network proxy from the containers,
// over the run network's bridge to the host: one Docker environment built
// from a scenario with env.network.latency=100ms, an unshaped run and a
// shaped run on it (the p50 difference is the proxy's latency), then a
// broker container restart behind the proxy; nothing left behind.
func TestDockerNetworkProxy(t *testing.T) {
	cli, rt := needDocker(t)
	// Each run's warmup starts after prefill's 100 events came back as
	// updates: the job is then taking in events, so neither a cold job's
	// start (a Docker job on a busy machine once read nothing for 9 s)
	// lands in the shaped run's measurement nor the broker restart hits a
	// job that has not started.
	base := []string{"workload.rate=200", "workload.warmup=3s", "workload.duration=10s", "workload.prefill.keys=100"}
	sc := loadScenario(t, append(base, "env.network.latency=100ms")...)
	out := t.TempDir()
	e, err := harness.NewEnvironment(sc, rt, filepath.Join(out, "logs"), out, t.Logf, nil)
	if err != nil {
		t.Fatal(err)
	}
	env := e.(*Env)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			if err := env.Stop(context.Background()); err != nil {
				t.Errorf("stop: %v", err)
			}
		}
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	ep, err := env.Start(ctx)
	cancel()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	np := env.NetProxy()
	if np == nil {
		t.Fatal("the environment of a scenario with env.network has no network proxy")
	}
	gw, err := env.gateway(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(np.Addr())
	if host != gw || len(ep.JobKafkaBootstrap) != 1 || ep.JobKafkaBootstrap[0] != np.Addr() {
		t.Fatalf("job bootstrap %v, proxy on %s: want the proxy on the run network's gateway %s", ep.JobKafkaBootstrap, np.Addr(), gw)
	}
	t.Logf("network proxy on %s → %s", np.Addr(), np.Upstream())

	run := func(t *testing.T, sets ...string) *reports.Result {
		t.Helper()
		sc := loadScenario(t, append(append([]string{}, base...), sets...)...)
		before := np.Stats()
		res, err := harness.Run(context.Background(), harness.Options{Scenario: sc, OutDir: t.TempDir(), Runtime: rt, Env: env, Stderr: testWriter{t}})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		after := np.Stats()
		t.Logf("proxy: %d connections, %d bytes up, %d bytes down", after.Connections-before.Connections,
			after.BytesUp-before.BytesUp, after.BytesDown-before.BytesDown)
		if after.Connections <= before.Connections || after.BytesUp-before.BytesUp < 100_000 || after.BytesDown-before.BytesDown < 100_000 {
			t.Errorf("proxy counters %+v → %+v: the job's traffic did not cross the proxy", before, after)
		}
		if !res.Valid {
			t.Errorf("invalid: %v", res.InvalidReasons)
		}
		if rec := res.Reconciliation; rec.Expected == 0 || rec.Lost != 0 || rec.Counted != rec.Expected {
			t.Errorf("reconciliation %+v: want nothing lost", rec)
		}
		return res
	}

	// The JVMs are cold in a fresh environment: the shaped run goes first,
	// with a longer (unmeasured) warmup, so what JIT compilation is left
	// can only inflate it, never the unshaped baseline (which would shrink
	// the rise; the band's top, 650 ms, leaves room for it). An unjudged
	// warm-up run did the same for a whole run's time more.
	shaped := run(t, "env.network.latency=100ms", "workload.warmup=8s", "workload.duration=7s")
	unshaped := run(t, "env.network.proxy=true", "workload.duration=7s")
	// The local shaping test's band for d added each way, [2d-30, 4d+100]
	// ms: the job's fetch and its produce each cross the proxy at least
	// once, and at most twice more (a fetch in flight, a transaction's
	// round trips). Its top is 150 ms higher here: the shaped run goes
	// first on cold containers, and beside three test lanes what is left
	// of their JIT compiling took the rise to 518 ms once (CI 41; 259 ms
	// the run before). The top also grows with the unshaped p50, up to 300
	// ms: on a busy machine the job's own part of the latency grows in the
	// shaped run too. The bottom: e2echeck.ShapedLatency.
	e2echeck.ShapedLatency(t, unshaped.Latency.E2E, shaped.Latency.E2E, 100*time.Millisecond, 650+min(unshaped.Latency.E2E.P50, 300))
	if unshaped.Environment.Network != "unshaped" || shaped.Environment.Network != "latency=100ms" {
		t.Errorf("environment.network %q and %q, want unshaped and latency=100ms", unshaped.Environment.Network, shaped.Environment.Network)
	}

	// The broker's container restarts behind the proxy: its JOB listener
	// keeps its published port, and the job reconnects through the proxy.
	restarted := run(t, "env.network.proxy=true", "job.idleness=5m", "faults=[{at: 6s, kind: restart_broker, duration: 2s}]")
	if len(restarted.Recovery) != 1 || restarted.Recovery[0].OutputResumedS == nil {
		t.Errorf("recovery %+v: want output resumed after the broker restart", restarted.Recovery)
	} else if rc := restarted.Recovery[0]; rc.EndedS == nil || *rc.EndedS-rc.AtS < 2 || *rc.EndedS-rc.AtS > 90 {
		t.Errorf("recovery %+v: the restart ended at %v, want 2-90 s after it began", rc, deref(rc.EndedS))
	} else if outage := (*rc.EndedS - rc.AtS) * 1000; *rc.OutputResumedS-rc.AtS < 2 || *rc.OutputResumedS-*rc.EndedS > 30 || rc.MaxE2EMs < 1500 || rc.MaxE2EMs > outage+30000 {
		// The outage is 2 s plus the container's stop and start (seconds,
		// tens of seconds on a busy machine); the recovery after it 30 s at most.
		t.Errorf("recovery %+v output %.1f s ended %.1f s: want output 2 s after the broker went down, at most 30 s after it was back, and max e2e within [1500, %.0f] ms", rc, *rc.OutputResumedS, *rc.EndedS, outage+30000)
	}

	addr := np.Addr()
	stop()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("the network proxy still accepts on %s after Stop", addr)
	}
	lctx, lcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer lcancel()
	var left []string
	cs, err := cli.ContainerList(lctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun+"="+env.ID())})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs.Items {
		left = append(left, "container "+strings.Join(c.Names, ","))
	}
	ns, err := cli.NetworkList(lctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", LabelRun+"="+env.ID())})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns.Items {
		left = append(left, "network "+n.Name)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}
