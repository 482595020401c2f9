package harness

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The job's path to the broker through the network proxy, for real: one
// local environment built with the proxy (the shared one has none), used by
// an unshaped run, a run with 150 ms added each way, and a run with a 5 s
// network cut.
func TestNetworkShapingEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: needs the real local environment (run without -short)")
	}
	rt, err := FindRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	logs := t.TempDir()
	work, err := os.MkdirTemp("", "abload-network-test-work-")
	if err != nil {
		t.Fatal(err)
	}
	env := NewLocal(LocalConfig{
		Runtime: rt, LogDir: logs, WorkDir: work, TaskManagers: 1, Slots: 2,
		StartupTimeout: 3 * time.Minute, Logf: t.Logf, NetProxy: true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	ep, err := env.Start(ctx)
	cancel()
	t.Cleanup(func() { _ = env.Stop(context.Background()) })
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	np := env.NetProxy()
	if np == nil || len(ep.JobKafkaBootstrap) != 1 || ep.JobKafkaBootstrap[0] != np.Addr() || ep.JobKafkaBootstrap[0] == ep.KafkaBootstrap[0] {
		t.Fatalf("endpoints %+v: want the job's bootstrap at the proxy (%v), apart from the harness's", ep, np)
	}

	run := func(t *testing.T, sets ...string) *reports.Result {
		t.Helper()
		sc, err := scenarios.Load("../scenarios/quick.yaml", append([]string{"workload.rate=200", "workload.warmup=3s", "workload.cooldown=0s"}, sets...))
		if err != nil {
			t.Fatal(err)
		}
		before := np.Stats()
		res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: rt, Env: env, Stderr: testWriter{t}})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		after := np.Stats()
		// The job's traffic crossed the proxy: its connections, its fetches
		// (responses carry the input) and its produce requests (the outputs).
		if after.Connections <= before.Connections || after.BytesUp-before.BytesUp < 100_000 || after.BytesDown-before.BytesDown < 100_000 {
			t.Errorf("proxy counters %+v → %+v: the job's traffic did not cross the proxy", before, after)
		}
		if res.Status != reports.StatusOK {
			t.Errorf("status %s", res.Status)
		}
		if rec := res.Reconciliation; rec.Lost != 0 || rec.Counted != rec.Expected {
			t.Errorf("reconciliation %+v: want nothing lost", rec)
		}
		return res
	}

	var unshapedP50 float64
	t.Run("latency", func(t *testing.T) {
		base := run(t, "workload.duration=10s")
		shaped := run(t, "workload.duration=10s", "env.network.latency=150ms")
		if !base.Valid || !shaped.Valid {
			t.Errorf("invalid runs: %v / %v", base.InvalidReasons, shaped.InvalidReasons)
		}
		unshapedP50 = base.Latency.E2E.P50
		rise := shaped.Latency.E2E.P50 - base.Latency.E2E.P50
		t.Logf("e2e p50 %.1f ms unshaped, %.1f ms with 150ms each way (+%.1f ms); p99 %.1f → %.1f ms",
			base.Latency.E2E.P50, shaped.Latency.E2E.P50, rise, base.Latency.E2E.P99, shaped.Latency.E2E.P99)
		// A record crosses the path at least twice (the job's fetch response,
		// the job's produce request): at least 300 ms more, less a margin
		// for run-to-run noise in the unshaped latency.
		if rise < 270 {
			t.Errorf("e2e p50 rose by %.1f ms with 150 ms added each way, want >= 270 ms (2 × 150 ms less noise)", rise)
		}
		if got := base.Environment.Network; got != "unshaped" {
			t.Errorf("unshaped run: environment.network = %q, want unshaped", got)
		}
		if got := shaped.Environment.Network; got != "latency=150ms" {
			t.Errorf("shaped run: environment.network = %q, want latency=150ms", got)
		}
	})

	t.Run("cut", func(t *testing.T) {
		// Measurement runs from 3 s to 18 s; the cut from 8 s to 13 s.
		res := run(t, "workload.duration=15s", "faults=[{at: 8s, kind: network_cut, duration: 5s}]")
		e2e := res.Latency.E2E
		t.Logf("with a 5 s cut: e2e p50 %.1f ms (unshaped run %.1f ms), p99 %.1f ms, max %.1f ms; valid %v %v",
			e2e.P50, unshapedP50, e2e.P99, e2e.Max, res.Valid, res.InvalidReasons)
		if e2e.Max < 4000 {
			t.Errorf("e2e max %.1f ms, want >= 4 s: records born during the 5 s cut wait for it", e2e.Max)
		}
		if !res.Valid {
			t.Errorf("invalid: %v (the cut's consumer delay is the fault's, not the harness's)", res.InvalidReasons)
		}
		if len(res.Recovery) != 1 {
			t.Fatalf("recovery = %+v, want one entry for the cut", res.Recovery)
		}
		rc := res.Recovery[0]
		t.Logf("recovery: %+v (output resumed %v, lag recovered %v, max e2e %.1f ms)", rc, optS(rc.OutputResumedS), optS(rc.LagRecoveredS), rc.MaxE2EMs)
		if !strings.HasPrefix(rc.Fault, "network_cut") {
			t.Errorf("recovery fault %q, want network_cut", rc.Fault)
		}
		if rc.OutputResumedS == nil || *rc.OutputResumedS < rc.AtS+4.5 {
			t.Errorf("output resumed at %v, want after the cut's end (%.1f s + 5 s)", optS(rc.OutputResumedS), rc.AtS)
		}
		if rc.LagRecoveredS != nil && *rc.LagRecoveredS < rc.AtS+4.9 {
			t.Errorf("input lag recovered at %.1f s, before the cut (from %.1f s) was over", *rc.LagRecoveredS, rc.AtS)
		}
		if rc.MaxE2EMs < 4000 {
			t.Errorf("recovery max e2e %.1f ms, want >= 4 s", rc.MaxE2EMs)
		}
		if rc.Restarts != 0 {
			t.Errorf("the job restarted %d times: a 5 s cut is shorter than the Kafka clients' timeouts", rc.Restarts)
		}
	})
}

func optS(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
