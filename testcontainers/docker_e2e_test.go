package testcontainers

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/internal/flinklog"
	"github.com/abload/abload/internal/testlock"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// These tests run the Docker environment for real: a Docker daemon and the
// local images (`make images`) are required, and their absence fails the
// tests rather than skipping them. Only -short skips them.

func needDocker(t *testing.T) (*tc.DockerClient, *cluster.Runtime) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: needs Docker and the local images (run without -short)")
	}
	testlock.Shared(t)
	rt, err := cluster.FindRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := tc.NewDockerClientWithOpts(context.Background())
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		t.Fatalf("docker daemon not reachable (start dockerd; .ci/run does): %v", err)
	}
	if _, err := ResolveImages(ctx, cli, scenarios.ImagesLocal, rt.FlinkVersion(), rt.KafkaVersion()); err != nil {
		t.Fatalf("local images: %v", err)
	}
	return cli, rt
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func loadScenario(t *testing.T, sets ...string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarioWith(sets...)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// scenarioWith is scenarios/quick.yaml in the Docker environment with the
// local images, and sets applied as --set would.
func scenarioWith(sets ...string) (*scenarios.Scenario, error) {
	return scenarios.Load(filepath.Join("..", "scenarios", "quick.yaml"), append([]string{"env.kind=docker", "env.images=local", "workload.warmup=5s", "workload.cooldown=0s"}, sets...))
}

// labelled lists the containers and networks that carry an abload run label.
func labelled(t *testing.T, cli *tc.DockerClient) []string {
	t.Helper()
	return withLabel(t, cli, "")
}

// A run through the Docker environment: containers with CPU limits, a
// TaskManager container killed and restarted by the supervisor, exactly-once
// output intact, container resources metered, logs saved, nothing left.
func TestDockerRunWithKilledTaskManager(t *testing.T) {
	cli, rt := needDocker(t)
	if left := labelled(t, cli); len(left) > 0 {
		t.Fatalf("leftovers of an earlier run: %v", left)
	}
	sc := loadScenario(t, "workload.rate=500", "workload.warmup=3s", "workload.duration=30s",
		"env.taskmanagers=2", "env.slots=1", "env.restart_delay=3s", "job.parallelism=2",
		"env.taskmanager.cpus=1", "env.taskmanager_memory=1280m",
		"job.checkpoint.interval=1s", "job.delivery=exactly_once", "workload.max_consumer_delay=10s",
		"workload.drain_timeout=90s", "faults=[{at: 12s, kind: kill_taskmanager, taskmanager: 2}]",
		// The fault's clock starts with the warmup, after prefill: the
		// job has then taken in 200 events, so the kill hits a job that
		// is processing (not one still starting on a busy machine).
		"workload.prefill.keys=200",
		// The claims are the recovery's, with bounds of seconds: a generator
		// that a busy machine (the other test lane's cluster starts) holds
		// back by a second still times the recovery, so it may fall behind
		// up to 2 s before the run is invalid. Not more: e2e counts from the
		// intended send time, so a generator stall shows as latency, and the
		// recovery's lower bounds (3 s here, 2.5 s in the pause test) must
		// stay out of a valid run's reach without the fault.
		"workload.max_send_delay=2s",
		// A marker after the session's default options: the containers' JVMs get them.
		"env.jvm_options=["+strings.Join(append(scenarios.DefaultJVMOptions(), "-Dabload.jvm-options-knob=reached"), ",")+"]")
	out := t.TempDir()
	var running string // the Flink version the containers' cluster reports
	var scraped, jmOptions []string
	var containerCmds map[string]string // name: entrypoint and command
	kill := &flinklog.Stamp{W: testWriter{t}, Substr: "abload: fault kill_taskmanager"}
	res, err := harness.Run(context.Background(), harness.Options{Scenario: sc, OutDir: out, Runtime: rt, Stderr: kill,
		JobRunning: func(ctx context.Context, fc *flink.Client, _ string) {
			var cfg struct {
				Version string `json:"flink-version"`
			}
			if err := fc.GetJSON(ctx, "/config", &cfg); err != nil {
				t.Errorf("GET /config: %v", err)
			}
			running = cfg.Version
			// The JobManager container's JVM runs with env.jvm_options.
			var envInfo struct {
				JVM struct {
					Options []string `json:"options"`
				} `json:"jvm"`
			}
			if err := fc.GetJSON(ctx, "/jobmanager/environment", &envInfo); err != nil {
				t.Errorf("GET /jobmanager/environment: %v", err)
			}
			jmOptions = envInfo.JVM.Options
			containerCmds = commandsOf(t, cli)
			scraped = scrapeFlinkReporters(t, filepath.Join(out, "logs", "metrics-endpoints.txt"))
		}})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if left := labelled(t, cli); len(left) > 0 {
		t.Errorf("left behind after the run: %v", left)
	}
	// Flink's Prometheus reporter in every Flink container, published on 127.0.0.1.
	if want := []string{"jobmanager", "taskmanager-1", "taskmanager-2"}; strings.Join(scraped, " ") != strings.Join(want, " ") {
		t.Errorf("Flink reporters scraped: %v, want %v", scraped, want)
	}
	for _, o := range sc.Env.JVMOptions {
		if !slices.Contains(jmOptions, o) {
			t.Errorf("env.jvm_options %v: the JobManager container's JVM runs without %s (%v)", sc.Env.JVMOptions, o, jmOptions)
		}
	}
	// Every container's JVM is started with them (the broker through its
	// sh -c script, each option quoted), and the result says so.
	if len(containerCmds) != 4 {
		t.Errorf("containers %v: want kafka, the JobManager and two TaskManagers", containerCmds)
	}
	for name, cmd := range containerCmds {
		for _, o := range sc.Env.JVMOptions {
			if !strings.Contains(cmd, " "+o+" ") && !strings.Contains(cmd, " '"+o+"' ") {
				t.Errorf("container %s runs without %s: %s", name, o, cmd)
			}
		}
	}
	if !slices.Equal(res.Environment.JVMOptions, sc.Env.JVMOptions) {
		t.Errorf("result environment.jvm_options %v, want the %v the containers ran with", res.Environment.JVMOptions, sc.Env.JVMOptions)
	}
	if running != rt.FlinkVersion() {
		t.Errorf("the containers run Flink %q, the local environment's bundle is %s", running, rt.FlinkVersion())
	}
	if !res.Valid {
		t.Errorf("invalid: %v", res.InvalidReasons)
		if w := res.Reconciliation.Windows; w != nil {
			t.Logf("windows: %+v", *w)
		}
		if c := res.Checkpoints; c != nil {
			t.Logf("checkpoints: %+v", *c)
		}
		for _, p := range res.Timeseries {
			t.Logf("t=%.0fs %s in %.0f read %.0f out %.0f lag %d unaccounted %d %s", p.TS, p.Phase, p.InEPS, p.ReadEPS, p.OutRPS, p.Lag, p.Unaccounted, p.JobState)
		}
		// What Flink said about the recovery, for a run that did not recover.
		for _, n := range []string{"jobmanager", "taskmanager-1", "taskmanager-2"} {
			flinklog.LogProblems(t, filepath.Join(out, "logs", n+".log"), 40)
		}
	}
	env := res.Environment
	if env.Kind != "docker" || env.FlinkVersion != rt.FlinkVersion() || env.KafkaVersion != rt.KafkaVersion() {
		t.Errorf("environment %+v: want docker with the bundle's versions %s/%s", env, rt.FlinkVersion(), rt.KafkaVersion())
	}
	if env.Limits != "taskmanager.cpus=1" {
		t.Errorf("limits %q", env.Limits)
	}
	if len(res.Recovery) != 1 {
		t.Fatalf("recovery = %+v, want one entry", res.Recovery)
	}
	rc := res.Recovery[0]
	t.Logf("recovery %+v detected %v running %v output %v", rc, deref(rc.DetectedS), deref(rc.RunningS), deref(rc.OutputResumedS))
	if rc.DetectedS == nil || rc.RunningS == nil || rc.OutputResumedS == nil || rc.Restarts < 1 {
		t.Errorf("recovery after the container kill not timed: %+v", rc)
	} else if !(rc.AtS <= *rc.DetectedS && *rc.DetectedS <= *rc.RunningS && *rc.RunningS <= *rc.OutputResumedS) {
		t.Errorf("recovery steps out of order: %+v", rc)
	}
	flinklog.CheckKillRecovery(t, rc, 3*time.Second, kill.At(), filepath.Join(out, "logs", "jobmanager.log"))
	rec := res.Reconciliation
	if rec.Expected == 0 || rec.Lost != 0 || rec.Duplicated != 0 {
		t.Errorf("exactly-once across a killed container: expected %d, lost %d, duplicated %d", rec.Expected, rec.Lost, rec.Duplicated)
	}
	byName := map[string]reports.Resource{}
	for _, r := range res.Resources {
		byName[r.Component] = r
	}
	for _, n := range []string{"kafka", "jobmanager", "taskmanager-1", "taskmanager-2"} {
		r, ok := byName[n]
		if !ok || len(r.Series) < 10 || r.CPUPct.Max <= 0 || r.RSSMb.Max <= 0 {
			t.Errorf("container %s: resources %+v, want a metered series", n, r)
			continue
		}
		if r.MemLimitMb <= 0 {
			t.Errorf("container %s: no memory limit recorded", n)
		}
		// The JVM's JIT time is read from its hsperfdata inside the
		// container (through /proc/<pid>/root): a cold JVM compiles.
		jit, jitMax := 0, 0.0
		for _, s := range r.Series {
			if s.JITPct != nil {
				jit++
				jitMax = max(jitMax, *s.JITPct)
			}
		}
		if jit < len(r.Series)/2 || jitMax <= 0 {
			t.Errorf("container %s: JIT read in %d of %d samples, max %.1f%% of a core; want most samples and some compiling", n, jit, len(r.Series), jitMax)
		}
		if strings.HasPrefix(n, "taskmanager") {
			if r.CPULimitCores != 1 || r.MemLimitMb != 1280 {
				t.Errorf("%s: limits %.2f cores %.0f MiB, want 1 core, 1280 MiB", n, r.CPULimitCores, r.MemLimitMb)
			}
			// A container limited to one core never uses much more than one.
			if r.CPUPct.Max > 130 {
				t.Errorf("%s: CPU max %.0f%% under a 1-core limit", n, r.CPUPct.Max)
			}
		}
	}
	for _, n := range []string{"kafka", "jobmanager", "taskmanager-1", "taskmanager-2"} {
		b, err := os.ReadFile(filepath.Join(out, "logs", n+".log"))
		if err != nil || len(b) == 0 {
			t.Errorf("logs/%s.log: %v (%d bytes)", n, err, len(b))
		}
	}
	// The killed container's log holds both of its lives.
	if b, _ := os.ReadFile(filepath.Join(out, "logs", "taskmanager-2.log")); strings.Count(string(b), "Starting TaskManager") < 2 {
		t.Errorf("taskmanager-2.log does not show the restart")
	}
	if err := reports.WriteResult(out, res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := reports.ValidateResultJSON(b); err != nil {
		t.Errorf("result.json does not validate: %v", err)
	}
}

// Version parity: the local images carry the versions and the jars of the
// runtime bundle the local environment runs.
func TestLocalImagesMatchRuntimeBundle(t *testing.T) {
	cli, rt := needDocker(t)
	ctx := context.Background()
	imgs := LocalImages(rt.FlinkVersion(), rt.KafkaVersion())
	// The broker's image is every Flink line's: it carries no Flink version.
	for _, im := range []struct{ name, lib, flink string }{{imgs.Flink, rt.FlinkLib, rt.FlinkVersion()}, {imgs.Kafka, rt.KafkaLib, ""}} {
		labels, err := ImageLabels(ctx, cli, im.name)
		if err != nil {
			t.Fatalf("%s: %v", im.name, err)
		}
		if labels[LabelFlinkVersion] != im.flink || labels[LabelKafkaVersion] != rt.KafkaVersion() {
			t.Errorf("%s: labels %v, want flink %q kafka %s", im.name, labels, im.flink, rt.KafkaVersion())
		}
		if want := bundleDigest(t, im.lib); labels[LabelBundleDigest] != want {
			t.Errorf("%s: bundle digest %s, the runtime bundle's is %s (stale image: run make images)", im.name, labels[LabelBundleDigest], want)
		}
	}
}

// bundleDigest mirrors the digest `make images` labels an image with: the
// sha256 of the sorted lines "<jar> <sha256 of jar>".
func bundleDigest(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".jar") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		lines = append(lines, e.Name()+" "+hex.EncodeToString(sum[:]))
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n") + "\n"))
	return hex.EncodeToString(sum[:])
}

// SIGINT mid-run: the binary tears the containers and the network down,
// and docker shows none of them within 15 s.
func TestSIGINTRemovesContainers(t *testing.T) {
	cli, _ := needDocker(t)
	bin := os.Getenv("ABLOAD_BIN")
	if bin == "" {
		t.Fatal("ABLOAD_BIN is not set (make test sets it to the built binary)")
	}
	out := t.TempDir()
	cmd := exec.Command(bin, "run", filepath.Join("..", "scenarios", "quick.yaml"), "--env", "docker",
		"--set", "env.images=local", "--set", "workload.warmup=5s", "--set", "workload.duration=60s", "--out", out, "--force")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	measuring := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			t.Log(sc.Text())
			if !once && strings.Contains(sc.Text(), "phase=measure") {
				once = true
				close(measuring)
			}
		}
	}()
	select {
	case <-measuring:
	case <-time.After(4 * time.Minute):
		t.Fatal("the run never reached the measurement phase")
	}
	time.Sleep(3 * time.Second)
	if left := labelled(t, cli); len(left) < 4 {
		t.Fatalf("before SIGINT: %v, want the run's containers and network", left)
	}
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var left []string
	for time.Since(t0) < 15*time.Second {
		if left = labelled(t, cli); len(left) == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Fatalf("15 s after SIGINT docker still shows %v", left)
	}
	t.Logf("all containers and the network gone %.1fs after SIGINT", time.Since(t0).Seconds())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("exit after SIGINT: %v, want exit code 1 (aborted)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("abload did not exit 30 s after SIGINT")
	}
	var res struct {
		Status string `json:"status"`
	}
	if b, err := os.ReadFile(filepath.Join(out, "result.json")); err != nil {
		t.Errorf("no result.json after SIGINT: %v", err)
	} else if err := json.Unmarshal(b, &res); err != nil || res.Status != "aborted" {
		t.Errorf("result status %q (%v), want aborted", res.Status, err)
	}
}

// The same scenario in the local and the Docker environment gives results
// with the same fields filled (the Docker one may add container limits).
func TestDockerResultComparableWithLocal(t *testing.T) {
	_, rt := needDocker(t)
	// Checkpoints every 2 s: the checkpoint section counts those triggered
	// inside the 8 s measurement phase, and at the default 10 s a run can
	// have none there (its only one triggered a moment before the phase).
	//
	// The warmup starts after prefill's 200 events have come back as
	// updates: the job is then taking in events in both environments, so
	// the measurement phase sees its source's progress and its output
	// between checkpoints. Without it, the project's CI once saw a Docker
	// job on a busy machine read nothing until 9 s after the load began,
	// past the end of this 3 s warmup + 8 s measurement.
	sets := []string{"workload.warmup=3s", "workload.duration=8s", "job.checkpoint.interval=2s", "workload.prefill.keys=200"}
	paths := map[string]map[string]bool{}
	results := map[string]*reports.Result{}
	for _, kind := range []string{"local", "docker"} {
		sc := loadScenario(t, append(sets, "env.kind="+kind)...)
		out := t.TempDir()
		res, err := harness.Run(context.Background(), harness.Options{Scenario: sc, OutDir: out, Runtime: rt, Stderr: testWriter{t}})
		if err != nil {
			t.Fatalf("%s run: %v", kind, err)
		}
		if !res.Valid {
			t.Errorf("%s run invalid: %v", kind, res.InvalidReasons)
		}
		results[kind] = res
		if err := reports.WriteResult(out, res); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "result.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := reports.ValidateResultJSON(b); err != nil {
			t.Errorf("%s result.json does not validate: %v", kind, err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		paths[kind] = map[string]bool{}
		filled(v, "", paths[kind])
	}
	var missing []string
	for p := range paths["local"] {
		// Containers have no host PID; a local run names its TaskManager
		// processes the same way the Docker one names its containers.
		// A lag of 0 is a value: a job that keeps up has almost none, and
		// the position is stamped at the earliest time it can have been
		// taken, so a small lag reads as 0 (checked below: measured).
		// A second without a garbage collection is 0 too: a short run's
		// TaskManager may collect in none (CI 35: the Docker one did not;
		// the series itself must be there).
		gcRate := strings.HasPrefix(p, ".flink_metrics.gc[].series[].gc_") && strings.HasSuffix(p, "_per_s")
		// So is a second without backpressure: a job that keeps up has
		// none (CI 49: the local run's job was backpressured for some
		// milliseconds, the Docker one's never). That the Docker monitor
		// collects the series is harness/monitor's tests' to show. And a
		// checkpointed state that did not grow while measuring (CI 51: the
		// Docker run's least-squares growth was 0).
		zeroIsAValue := gcRate || p == ".flink_metrics.vertices[].series[].backpressured_ms_per_s" || p == ".warmup.state_growth_bytes_per_s"
		if !paths["docker"][p] && !strings.HasSuffix(p, ".pid") && !strings.Contains(p, ".scenario.env.") && !strings.HasPrefix(p, ".lag.") && !zeroIsAValue {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fields a local result fills and the Docker one does not: %v", missing)
	}
	if d := results["docker"]; d == nil || d.Lag == nil || d.Throughput.ReadEPS == nil {
		t.Errorf("the Docker run measured no lag or source progress")
	}
	if len(paths["docker"]) < 100 {
		t.Errorf("only %d filled fields in the Docker result", len(paths["docker"]))
	}
}

// p99Before is the largest per-second e2e p99 on the timeline in the span
// seconds before atS (the latency a fault found), 0 when none was read.
func p99Before(tl []reports.TimePoint, atS, span float64) float64 {
	var m float64
	for _, p := range tl {
		if p.TS >= atS-span && p.TS < atS {
			m = max(m, p.E2EP99Ms)
		}
	}
	return m
}

// filled collects the paths of v that hold a non-zero value (arrays by
// their elements' union, under "[]").
func filled(v any, path string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			filled(c, path+"."+k, out)
		}
	case []any:
		for _, c := range x {
			filled(c, path+"[]", out)
		}
	case nil:
	case string:
		if x != "" {
			out[path] = true
		}
	case float64:
		if x != 0 {
			out[path] = true
		}
	case bool:
		out[path] = true
	default:
		out[path] = fmt.Sprint(x) != ""
	}
}

// The other container faults: every TaskManager container frozen (cgroup
// freezer) for 3 s, then the Kafka container stopped cleanly and started
// again; at-least-once output loses nothing and both faults are timed.
func TestDockerPauseAndBrokerRestart(t *testing.T) {
	cli, rt := needDocker(t)
	sc := loadScenario(t, "workload.rate=400", "workload.warmup=3s", "workload.duration=30s",
		"workload.drain_timeout=90s", "workload.max_consumer_delay=10s",
		"workload.max_send_delay=2s", // as in TestDockerRunWithKilledTaskManager
		// No partition goes idle during the outage (docs/measurements.md,
		// restart_broker): above the longest the test allows, 90 s of
		// restart and 30 s of recovery. The project's CI once saw 60 s
		// fall short on a machine so busy that the 3 s pause cost 65 s.
		"job.idleness=5m",
		// The faults' clock starts with the warmup, after prefill: the job
		// has then taken in 200 events. Without it, the project's CI once
		// saw a job that read nothing for its first 25 s under load, so
		// the pause at 8 s froze a job that had not started.
		"workload.prefill.keys=200",
		"faults=[{at: 8s, kind: pause_taskmanagers, taskmanager: 0, duration: 3s}, {at: 20s, kind: restart_broker, duration: 3s}]")
	res, err := harness.Run(context.Background(), harness.Options{Scenario: sc, OutDir: t.TempDir(), Runtime: rt, Stderr: testWriter{t}})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if left := labelled(t, cli); len(left) > 0 {
		t.Errorf("left behind after the run: %v", left)
	}
	if len(res.Recovery) != 2 {
		t.Fatalf("recovery = %+v, want one entry per fault", res.Recovery)
	}
	pause, broker := res.Recovery[0], res.Recovery[1]
	t.Logf("pause %+v output %v; broker %+v output %v", pause, deref(pause.OutputResumedS), broker, deref(broker.OutputResumedS))
	// Each injection is timed from its start to its end: the freeze 3 s
	// (plus the Docker API's lag in thawing), the broker's outage 3 s plus
	// its container's stop and start.
	if pause.EndedS == nil || *pause.EndedS-pause.AtS < 3 || *pause.EndedS-pause.AtS > 10 {
		t.Fatalf("the pause ended at %v (at %.1f s): want 3-10 s after", deref(pause.EndedS), pause.AtS)
	}
	// 3 s down, then the container's stop and start: seconds, tens of
	// seconds on a busy machine (43.8 s once beside three lanes), not minutes.
	if broker.EndedS == nil || *broker.EndedS-broker.AtS < 3 || *broker.EndedS-broker.AtS > 90 {
		t.Fatalf("the broker restart ended at %v (at %.1f s): want 3-90 s after", deref(broker.EndedS), broker.AtS)
	}
	// A 3 s freeze of every TaskManager shows in the tail of what follows
	// it: the events born as it starts wait the freeze (less the Docker
	// API's lag in freezing and thawing the containers), plus the latency
	// the job had as the freeze began and the catch-up of 1,200 events,
	// and not seconds more. That latency is read from the run itself (the
	// timeline's p99 in the 3 s before the pause): the project's CI once
	// saw a job still catching up with its start at 2-3.5 s when the pause
	// came, and 6.1 s after it.
	if pause.MaxE2EMs < 2500 {
		t.Errorf("max e2e after the 3 s pause: %.0f ms, want 2500 or more", pause.MaxE2EMs)
	}
	if pause.LagRecoveredS != nil {
		before := p99Before(res.Timeseries, pause.AtS, 3)
		limit := (*pause.EndedS-pause.AtS)*1000 + before + 3000
		t.Logf("e2e p99 in the 3 s before the pause %.0f ms; the pause took %.1f s; bound %.0f ms", before, *pause.EndedS-pause.AtS, limit)
		if pause.MaxE2EMs > limit {
			t.Errorf("max e2e after the 3 s pause: %.0f ms, want %.0f or less: the pause, the latency before it and 3 s of catch-up (lag back at %.1f s)", pause.MaxE2EMs, limit, *pause.LagRecoveredS)
		}
	} else {
		// Its window ends where the broker restart begins, 12 s later; a
		// machine too busy for the job to catch up with 1,200 events in
		// that time leaves the pause's spike running into the broker's
		// outage: then the two cannot be told apart, and the spike is
		// bounded by both (the window, the outage and 30 s of recovery).
		limit := (broker.AtS-pause.AtS)*1000 + (*broker.EndedS-broker.AtS)*1000 + 30000
		t.Logf("the job had not caught up with the pause when the broker restarted; max e2e %.0f ms, bound %.0f ms", pause.MaxE2EMs, limit)
		if pause.MaxE2EMs > limit {
			t.Errorf("max e2e after the 3 s pause: %.0f ms, want %.0f or less", pause.MaxE2EMs, limit)
		}
	}
	if pause.OutputResumedS == nil || *pause.OutputResumedS-pause.AtS < 2.5 || *pause.OutputResumedS-*pause.EndedS > 5 {
		t.Errorf("output after the 3 s pause resumed at %v (pause %.1f-%.1f s): want 2.5 s after its start, at most 5 s after its end", deref(pause.OutputResumedS), pause.AtS, *pause.EndedS)
	}
	// The broker is down 3 s plus its container's restart (seconds; tens of
	// seconds on a busy machine); the events due meanwhile wait for it, and
	// the job's recovery after the broker is back stays within 30 s (the
	// bound the kill tests use).
	outage := (*broker.EndedS - broker.AtS) * 1000
	if broker.OutputResumedS == nil || *broker.OutputResumedS-broker.AtS < 3 || *broker.OutputResumedS-*broker.EndedS > 30 {
		t.Errorf("output after the broker restart resumed at %v (fault %.1f-%.1f s): want 3 s after its start, at most 30 s after its end", deref(broker.OutputResumedS), broker.AtS, *broker.EndedS)
	}
	if broker.MaxE2EMs < 2500 || broker.MaxE2EMs > outage+30000 {
		t.Errorf("max e2e after the 3 s broker outage: %.0f ms, want within [2500, %.0f] (the outage took %.0f ms)", broker.MaxE2EMs, outage+30000, outage)
	}
	if rec := res.Reconciliation; rec.Expected == 0 || rec.Lost != 0 {
		t.Errorf("reconciliation: expected %d, lost %d", rec.Expected, rec.Lost)
	}
	if !res.Valid {
		t.Errorf("invalid: %v (windows %+v)", res.InvalidReasons, res.Reconciliation.Windows)
	}
}

// scrapeFlinkReporters GETs every Flink endpoint the run listed and returns
// the components whose reporter served Flink metrics.
func scrapeFlinkReporters(t *testing.T, list string) []string {
	b, err := os.ReadFile(list)
	if err != nil {
		t.Errorf("%v", err)
		return nil
	}
	var ok []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 || strings.HasPrefix(l, "#") || f[0] == "abload" {
			continue
		}
		if !strings.HasPrefix(f[1], "http://127.0.0.1:") {
			t.Errorf("%s reporter at %s: want a port published on 127.0.0.1", f[0], f[1])
		}
		c := http.Client{Timeout: 5 * time.Second}
		var body []byte
		for i := 0; i < 20; i++ { // the reporter starts with the process
			resp, err := c.Get(f[1])
			if err == nil {
				body, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "flink_") {
					break
				}
			}
			time.Sleep(500 * time.Millisecond)
		}
		if strings.Contains(string(body), "flink_"+strings.SplitN(f[0], "-", 2)[0]) {
			ok = append(ok, f[0])
		} else {
			t.Errorf("%s reporter %s served no %s metrics", f[0], f[1], "flink_"+strings.SplitN(f[0], "-", 2)[0])
		}
	}
	sort.Strings(ok)
	return ok
}

// commandsOf is the entrypoint and command of every container carrying the
// run label, by name.
func commandsOf(t *testing.T, cli *tc.DockerClient) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: make(client.Filters).Add("label", LabelRun)})
	if err != nil {
		t.Errorf("containers: %v", err)
		return nil
	}
	out := map[string]string{}
	for _, c := range cs.Items {
		ins, err := cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
		if err != nil || ins.Container.Config == nil {
			t.Errorf("inspect %v: %v", c.Names, err)
			continue
		}
		cfg := ins.Container.Config
		out[strings.Join(c.Names, ",")] = strings.Join(append(append([]string{}, cfg.Entrypoint...), cfg.Cmd...), " ") + " "
	}
	return out
}

// deref shows an optional figure ("nil" when absent).
func deref(p *float64) any {
	if p == nil {
		return "nil"
	}
	return *p
}
