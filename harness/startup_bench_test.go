package harness

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
)

// BenchmarkStartup (make bench-startup) compares, in one run, the local
// environment's start-up with and without what makes it fast, in rounds of
// three arms, their order rotated each round:
//
//   - before: no archive of the bundle (ABLOAD_CDS=off; the JDK's default
//     archive of its base classes still applies) and Flink's default
//     cluster.registration.error-delay (10 s: a TaskManager that starts
//     before the JobManager answers waits that long to retry);
//   - retry: the same without archives, with the 500 ms retry abload sets;
//   - after: the 500 ms retry and the bundle's archives with -Xshare:on
//     (ABLOAD_CDS=on: a JVM whose archive is missing or does not match its
//     classpath fails to start, so a passing "after" proves they were used).
//
// For each it reports each component's time to ready (Kafka serving
// metadata; Flink's REST API with every TaskManager registered), the
// environment's, and the start-up phase of a run on the environment once
// it is up (topics, job submitted and RUNNING), then the medians, the
// slowest, and the ratios before/after (both changes) and retry/after (the
// archives alone).
func BenchmarkStartup(b *testing.B) {
	if testing.Short() {
		b.Skip("starts real local environments")
	}
	rt, err := cluster.FindRuntime("")
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"kafka", "jobmanager", "taskmanager"} {
		if rt.CDSArchive(kind) == "" {
			b.Fatalf("the bundle in %s has no class-data sharing archive for %s: make cds", rt.Dir, kind)
		}
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("ABLOAD_STARTUP_PAIRS")); err == nil && n > 0 {
		rounds = n
	}
	type arm struct {
		name  string
		mode  string
		extra map[string]string
	}
	arms := []arm{
		{"before", "off", map[string]string{"cluster.registration.error-delay": "10 s"}},
		{"retry", "off", nil},
		{"after", "on", nil},
	}
	type sample struct{ kafka, flink, env, run float64 }
	got := map[string][]sample{}
	for i := 0; i < rounds; i++ {
		for j := range arms {
			a := arms[(i+j)%len(arms)]
			b.Setenv(cluster.CDSEnv, a.mode)
			s, err := startOnce(b, rt, a.extra)
			if err != nil {
				b.Fatalf("round %d (%s): %v", i+1, a.name, err)
			}
			b.Logf("round %d %-6s kafka %.1fs  flink %.1fs  environment %.1fs  run start-up %.1fs", i+1, a.name, s.kafka, s.flink, s.env, s.run)
			got[a.name] = append(got[a.name], s)
		}
	}
	med := func(ss []sample, f func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		sort.Float64s(v)
		if n := len(v); n%2 == 0 {
			return (v[n/2-1] + v[n/2]) / 2
		}
		return v[len(v)/2]
	}
	worst := func(ss []sample, f func(sample) float64) float64 {
		m := 0.0
		for _, s := range ss {
			m = max(m, f(s))
		}
		return m
	}
	var out strings.Builder
	fmt.Fprintf(&out, "\nstart-up, median of %d rounds (slowest in brackets):\n%-34s %14s %14s %14s %13s %13s\n", rounds, "", "before", "retry", "after", "before/after", "retry/after")
	for _, m := range []struct {
		name string
		f    func(sample) float64
	}{
		{"kafka ready (s)", func(s sample) float64 { return s.kafka }},
		{"flink ready, all TaskManagers (s)", func(s sample) float64 { return s.flink }},
		{"environment ready (s)", func(s sample) float64 { return s.env }},
		{"run start-up to job RUNNING (s)", func(s sample) float64 { return s.run }},
	} {
		bv, rv, av := med(got["before"], m.f), med(got["retry"], m.f), med(got["after"], m.f)
		fmt.Fprintf(&out, "%-34s %6.2f (%5.2f) %6.2f (%5.2f) %6.2f (%5.2f) %12.2fx %12.2fx\n", m.name,
			bv, worst(got["before"], m.f), rv, worst(got["retry"], m.f), av, worst(got["after"], m.f), bv/av, rv/av)
	}
	b.Log(out.String())
	env := func(s sample) float64 { return s.env }
	b.ReportMetric(med(got["before"], env), "env-before-s")
	b.ReportMetric(med(got["retry"], env), "env-retry-s")
	b.ReportMetric(med(got["after"], env), "env-after-s")
	b.ReportMetric(med(got["retry"], env)/med(got["after"], env), "env-ratio-archives")
	b.ReportMetric(med(got["after"], func(s sample) float64 { return s.run }), "run-startup-after-s")
}

var readyIn = regexp.MustCompile(`^abload: (kafka|flink) .* in ([0-9.]+)s$`)

// startOnce starts a local environment (extra Flink configuration applied
// last), times it, runs a short quick run on it, and stops it.
func startOnce(b *testing.B, rt *cluster.Runtime, extra map[string]string) (s struct{ kafka, flink, env, run float64 }, err error) {
	work, err := os.MkdirTemp("", "abload-bench-startup-")
	if err != nil {
		return s, err
	}
	var mu sync.Mutex
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		if m := readyIn.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			mu.Lock()
			if m[1] == "kafka" {
				s.kafka = v
			} else {
				s.flink = v
			}
			mu.Unlock()
		}
	}
	e := local.New(local.Config{Runtime: rt, LogDir: b.TempDir(), WorkDir: work, Logf: logf,
		Settings: cluster.Settings{TaskManagers: 1, Slots: 2, StartupTimeout: 2 * time.Minute, FlinkConfig: extra}})
	defer func() { _ = e.Stop(context.Background()) }()
	t0 := time.Now()
	if _, err := e.Start(context.Background()); err != nil {
		return s, err
	}
	s.env = time.Since(t0).Seconds()
	sc := benchScenario(b, "workload.rate=500", "workload.warmup=1s", "workload.duration=2s", "workload.cooldown=0s")
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: b.TempDir(), Runtime: rt, Env: e, Stderr: testWriter{b}})
	if err != nil {
		return s, err
	}
	for _, p := range res.Phases {
		if p.Name == PhaseStartup {
			s.run = p.EndS - p.StartS
		}
	}
	return s, nil
}
