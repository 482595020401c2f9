package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/abload/abload/internal/testcleanup"
	"github.com/abload/abload/internal/testlock"
	"github.com/abload/abload/reports"
)

// These tests drive the real abload binary, as a user would.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	bin = os.Getenv("ABLOAD_BIN")
	tmp := ""
	if bin == "" {
		dir, err := os.MkdirTemp("", "abload-bin-")
		if err != nil {
			panic(err)
		}
		tmp = dir
		testcleanup.Register("the directory "+dir, func(context.Context) error { return os.RemoveAll(dir) })
		bin = filepath.Join(dir, "abload")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build abload: %v\n%s", err, out)
			os.RemoveAll(tmp)
			os.Exit(1)
		}
	}
	// Interrupted, the process stops the standing environments its tests
	// brought up (their JVMs outlive it) before it exits.
	code := testcleanup.Main(m)
	if err := downSharedEnv(); err != nil {
		fmt.Fprintf(os.Stderr, "shared standing environment: %v\n", err)
		code = 1
	}
	if tmp != "" {
		os.RemoveAll(tmp) // os.Exit skips deferred calls
	}
	testcleanup.Exit(code)
}

const quick = "../../scenarios/quick.yaml"

func abload(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	testcleanup.EnvUp(bin, args)
	cmd := exec.Command(bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run abload: %v", err)
	}
	return o.String(), e.String(), code
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Bad input, in the file or through --set, exits 2 naming the field path,
// and nothing is started or written.
func TestInvalidInputExits2(t *testing.T) {
	unknown := writeFile(t, "unknown.yaml", "name: u\nworkload:\n  rate: 100\n  rte: 5\n")
	negative := writeFile(t, "negative.yaml", "name: n\nworkload:\n  rate: -5\n")
	badDur := writeFile(t, "dur.yaml", "name: d\nworkload:\n  duration: 30 seconds\n")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown field in file", []string{unknown}, []string{"unknown.yaml:4", "workload.rte"}},
		{"negative rate in file", []string{negative}, []string{"negative.yaml:3", "workload.rate"}},
		{"malformed duration in file", []string{badDur}, []string{"dur.yaml:3", "workload.duration"}},
		{"unknown field via --set", []string{quick, "--set", "workload.rte=5"}, []string{"--set workload.rte=5", "workload.rte"}},
		{"negative rate via --set", []string{quick, "--set", "workload.rate=-5"}, []string{"workload.rate"}},
		{"malformed duration via --set", []string{quick, "--set", "workload.duration=30 seconds"}, []string{"workload.duration"}},
		{"set without =", []string{quick, "--set", "workload.rate"}, []string{"workload.rate"}},
		{"missing file", []string{"does-not-exist.yaml"}, []string{"does-not-exist.yaml"}},
		{"zipf s <= 0", []string{quick, "--set", "workload.skew.campaigns.kind=zipf", "--set", "workload.skew.campaigns.s=0"}, []string{"workload.skew.campaigns.s"}},
		{"probability above 1", []string{quick, "--set", "workload.funnel.open=[0.2,1.3]"}, []string{"workload.funnel.open"}},
		{"probability below 0", []string{quick, "--set", "workload.funnel.bounce=-0.1"}, []string{"workload.funnel.bounce"}},
		{"hot set larger than the key space", []string{quick, "--set", "workload.skew.campaigns.kind=hotset",
			"--set", "workload.skew.campaigns.hot_keys=500", "--set", "workload.skew.campaigns.hot_share=0.5"}, []string{"workload.skew.campaigns.hot_keys"}},
		{"negative delay", []string{quick, "--set", "workload.funnel.delays.open.median=-5m"}, []string{"workload.funnel.delays.open.median"}},
		{"negative disorder", []string{quick, "--set", "workload.disorder.max_delay=-1s"}, []string{"workload.disorder.max_delay"}},
		{"sliding window without slide", []string{quick, "--set", "job.window.kind=sliding"}, []string{"job.window.slide"}},
		{"restore from a missing savepoint", []string{quick, "--set", "job.restore_from=/nonexistent/sp"}, []string{"job.restore_from", "/nonexistent/sp", "_metadata"}},
		{"a Flink line abload does not run", []string{quick, "--set", "env.flink_version=1.19"}, []string{"env.flink_version", "1.20, 2.2, 2.3"}},
		{"salted session windows", []string{quick, "--set", "job.window.kind=session", "--set", "job.window.gap=2s", "--set", "job.skew_mitigation.kind=salted"}, []string{"job.skew_mitigation.kind"}},
	}
	for _, cmd := range []string{"run", "validate"} {
		for _, tc := range cases {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				args := append([]string{cmd}, tc.args...)
				if cmd == "run" {
					args = append(args, "--out", out)
				}
				_, stderr, code := abload(t, args...)
				if code != 2 {
					t.Fatalf("exit code = %d, want 2; stderr:\n%s", code, stderr)
				}
				for _, w := range tc.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr does not name %q:\n%s", w, stderr)
					}
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("%s was created: a rejected run must start and write nothing", out)
				}
			})
		}
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	p := writeFile(t, "many.yaml", "name: m\nworkload:\n  rate: -1\n  duration: forever\njob:\n  parallelism: 0\n  bogus: 1\n")
	_, stderr, code := abload(t, "validate", p)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, w := range []string{"many.yaml:3: workload.rate", "many.yaml:4: workload.duration", "many.yaml:6: job.parallelism", "many.yaml:7: job.bogus"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("missing problem for %s in:\n%s", w, stderr)
		}
	}
}

func TestHelpEverywhere(t *testing.T) {
	for _, c := range []string{"run", "capacity", "validate", "gen", "version", "compare", "report", "baseline", "export"} {
		t.Run(c, func(t *testing.T) {
			stdout, stderr, code := abload(t, c, "--help")
			if code != 0 {
				t.Fatalf("%s --help exit %d: %s", c, code, stderr)
			}
			if c != "version" && !strings.Contains(stdout+stderr, "Usage: abload "+c) {
				t.Errorf("%s --help shows no usage:\n%s%s", c, stdout, stderr)
			}
		})
	}
	stdout, _, code := abload(t, "--help")
	if code != 0 || !strings.Contains(stdout, "Commands:") {
		t.Errorf("abload --help: exit %d\n%s", code, stdout)
	}
	if _, _, code := abload(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

// gen is a pure function of the scenario: the same output twice, independent of the clock.
func TestGenIsReproducible(t *testing.T) {
	a, _, code := abload(t, "gen", quick, "--count", "50")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	time.Sleep(10 * time.Millisecond)
	b, _, _ := abload(t, "gen", quick, "--count", "50")
	if a != b {
		t.Fatal("gen output differs between two calls")
	}
	lines := strings.Split(strings.TrimSpace(a), "\n")
	if len(lines) != 50 {
		t.Fatalf("got %d lines, want 50", len(lines))
	}
	var ev struct {
		Seq        int64 `json:"seq"`
		IntendedNs int64 `json:"intended_ns"`
	}
	if err := json.Unmarshal([]byte(lines[49]), &ev); err != nil {
		t.Fatal(err)
	}
	// quick.yaml runs at 2000/s: event 49 is due 24.5 ms after the origin.
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	if ev.Seq != 49 || ev.IntendedNs != origin+49*500_000 {
		t.Errorf("event 49 = %+v, want seq 49 intended origin+24.5ms", ev)
	}
}

func TestRunRefusesExistingResult(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "result.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := abload(t, "run", quick, "--out", out)
	if code != 2 || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d, want 2 with a hint about --force; stderr:\n%s", code, stderr)
	}
}

func needCluster(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: starts a real local Kafka + Flink (run without -short)")
	}
	testlock.Shared(t)
}

// The README's acceptance run: 2000/s for 10 s loses nothing and sends
// rate × duration, after a warmup that waited for the cold JVMs' JIT.
func TestRunQuickEndToEnd(t *testing.T) {
	testlock.Alone(t) // warmup: auto waits for the JIT to settle: beside another test's cluster starts it did not within 60 s
	needCluster(t)
	out := filepath.Join(t.TempDir(), "res")
	// No cooldown: what is checked is the warmup, the measurement and the
	// outputs; the cooldown (the window size and the out-of-orderness
	// bound, 7 s here) only times the last windows, which nothing here
	// reads.
	stdout, stderr, code := abload(t, "run", quick, "--out", out, "--set", "workload.rate=2000", "--set", "workload.duration=10s",
		"--set", "workload.cooldown=0s", "--gate", "e2e.p99 < 1h", "--gate", "in_eps >= 1000/s")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	res := readResult(t, out)
	if b, err := os.ReadFile(filepath.Join(out, "result.json")); err != nil {
		t.Fatal(err)
	} else if err := reports.ValidateResultJSON(b); err != nil {
		t.Errorf("result.json does not validate against reports/schema/result.schema.json: %v", err)
	}
	if len(res.Gates) != 2 || !res.Gates[0].Pass || !res.Gates[1].Pass {
		t.Errorf("gates = %+v, want both passing", res.Gates)
	}
	if res.Status != "ok" || !res.Valid {
		t.Errorf("status %q valid %v reasons %v", res.Status, res.Valid, res.InvalidReasons)
	}
	if res.Reconciliation.Lost != 0 {
		t.Errorf("reconciliation.lost = %d, want 0", res.Reconciliation.Lost)
	}
	if got, want := float64(res.Events.Sent), 2000.0*10; math.Abs(got-want) > 0.02*want {
		t.Errorf("events.sent = %v, want %v ±2%%", got, want)
	}
	// The job keeps up with the quick scenario's load: it processes what
	// is offered (the gate above only checks half of it).
	if got := res.Throughput.InEPS; math.Abs(got-2000) > 0.05*2000 {
		t.Errorf("throughput.in_eps = %.0f, want 2000 ± 5%%", got)
	}
	for _, f := range []string{"result.json", "latency.hlog", "report.md", "report.html", "junit.xml", "logs/kafka.log", "logs/jobmanager.log", "logs/taskmanager-1.log"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output %s", f)
		}
	}
	for _, w := range []string{"e2e latency", "reconciliation", "warmup         auto: "} {
		if !strings.Contains(stdout, w) {
			t.Errorf("summary lacks %q:\n%s", w, stdout)
		}
	}
	// quick.yaml warms up with warmup: auto, on this cold environment.
	assertWarmupSettled(t, out, 2000)
	assertNoJVMs(t, out)
}

type result struct {
	Status         string   `json:"status"`
	Valid          bool     `json:"valid"`
	InvalidReasons []string `json:"invalid_reasons"`
	Events         struct {
		Sent int64 `json:"sent"`
	} `json:"events"`
	Reconciliation struct {
		Lost int64 `json:"lost"`
	} `json:"reconciliation"`
	Throughput struct {
		InEPS float64 `json:"in_eps"`
	} `json:"throughput"`
	Gates []struct {
		Expr  string  `json:"expr"`
		Value float64 `json:"value"`
		Pass  bool    `json:"pass"`
		Error string  `json:"error"`
	} `json:"gates"`
}

func readResult(t *testing.T, dir string) result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatalf("read result: %v", err)
	}
	var r result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// jvmsOf lists processes whose command line mentions dir (every JVM of a run
// carries its log directory in -Dlog.file).
func jvmsOf(dir string) []string {
	out, _ := exec.Command("pgrep", "-af", dir).Output()
	var procs []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(l, "java") {
			procs = append(procs, l)
		}
	}
	return procs
}

func assertNoJVMs(t *testing.T, dir string) {
	t.Helper()
	if left := jvmsOf(dir); len(left) > 0 {
		for _, l := range left {
			if f := strings.Fields(l); len(f) > 0 {
				var pid int
				fmt.Sscan(f[0], &pid)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		t.Fatalf("JVMs left running after abload exited:\n%s", strings.Join(left, "\n"))
	}
}

// SIGINT in every phase stops every JVM within 15 s; once measuring has begun
// the run still leaves a result marked aborted.
func TestSIGINTInEveryPhase(t *testing.T) {
	needCluster(t)
	for _, phase := range []string{"startup", "warmup", "measure", "drain"} {
		t.Run(phase, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "res")
			// The drain case measures 2 s: it only has to get there.
			dur := "5s"
			if phase == "drain" {
				dur = "2s"
			}
			args := []string{"run", quick, "--out", out, "--set", "workload.rate=500",
				"--set", "workload.warmup=2s", "--set", "workload.duration=" + dur, "--set", "workload.drain_timeout=60s", "--set", "workload.cooldown=0s"}
			cmd := exec.Command(bin, args...)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout = io.Discard
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			var logMu sync.Mutex
			var logb strings.Builder
			logText := func() string { logMu.Lock(); defer logMu.Unlock(); return logb.String() }
			phaseSeen := make(chan struct{})
			go func() {
				sc := bufio.NewScanner(stderr)
				seen := false
				for sc.Scan() {
					line := sc.Text()
					logMu.Lock()
					logb.WriteString(line + "\n")
					logMu.Unlock()
					if phase == "drain" && line == "abload: phase=measure" {
						// Hang the TaskManager so the drain cannot finish on its own.
						stopTaskManagers(t, out)
					}
					if !seen && line == "abload: phase="+phase {
						seen = true
						close(phaseSeen)
					}
				}
				exited <- cmd.Wait()
			}()
			select {
			case <-phaseSeen:
			case <-time.After(4 * time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("phase=%s never logged:\n%s", phase, logText())
			}
			if phase == "startup" {
				// Let the JVMs begin starting, so there is something to stop.
				waitForJVMs(t, out, 30*time.Second)
			}
			if phase == "measure" || phase == "drain" {
				time.Sleep(time.Second)
			}
			sent := time.Now()
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("abload did not exit within 15 s of SIGINT in %s:\n%s", phase, logText())
			}
			took := time.Since(sent)
			deadline := time.Now().Add(15*time.Second - took)
			for len(jvmsOf(out)) > 0 && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
			}
			assertNoJVMs(t, out)
			t.Logf("SIGINT in %s: abload exited after %.1fs", phase, took.Seconds())
			_, statErr := os.Stat(filepath.Join(out, "result.json"))
			switch phase {
			case "measure", "drain":
				if statErr != nil {
					t.Fatalf("no result.json after SIGINT in %s:\n%s", phase, logText())
				}
				if r := readResult(t, out); r.Status != "aborted" {
					t.Errorf("status = %q, want aborted", r.Status)
				}
			default:
				if statErr == nil {
					t.Errorf("result.json written for a run aborted before measuring")
				}
			}
		})
	}
}

func waitForJVMs(t *testing.T, dir string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for len(jvmsOf(dir)) == 0 {
		if ctx.Err() != nil {
			t.Fatalf("no JVM of %s appeared within %s", dir, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func stopTaskManagers(t *testing.T, dir string) {
	for _, l := range jvmsOf(dir) {
		if strings.Contains(l, "TaskManagerRunner") {
			var pid int
			fmt.Sscan(strings.Fields(l)[0], &pid)
			_ = syscall.Kill(pid, syscall.SIGSTOP)
		}
	}
}

// `abload gen` with Zipf s=1.2 over 1000 campaigns: the top campaign's share
// of sends is within 10% (relative) of the analytic 1/H(1000, 1.2).
func TestGenZipfTopCampaignShare(t *testing.T) {
	stdout, stderr, code := abload(t, "gen", quick, "--count", "300000",
		"--set", "workload.campaigns=1000", "--set", "workload.skew.campaigns.kind=zipf", "--set", "workload.skew.campaigns.s=1.2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sends := map[int]int{}
	total := 0
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev struct {
			Type     string `json:"type"`
			Campaign int    `json:"campaign"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type == "send" {
			sends[ev.Campaign]++
			total++
		}
	}
	top := 0
	for _, n := range sends {
		top = max(top, n)
	}
	h := 0.0
	for k := 1; k <= 1000; k++ {
		h += math.Pow(float64(k), -1.2)
	}
	want := 1 / h
	got := float64(top) / float64(total)
	if math.Abs(got-want) > 0.1*want {
		t.Errorf("top campaign share %.4f over %d sends, analytic %.4f: off by more than 10%%", got, total, want)
	}
	t.Logf("top campaign share %.4f over %d sends, analytic %.4f", got, total, want)
}

// A failing gate exits 3; an invalid run exits 4 even when its gates would
// pass (no gate passes on an invalid run); both write junit.xml.
func TestGateExitCodes(t *testing.T) {
	// On the shared standing environment: what is tested is the exit
	// codes and the gates' verdicts, not a cold start.
	short := []string{"--env-file", sharedEnv(t), "--set", "workload.rate=500", "--set", "workload.warmup=1s", "--set", "workload.duration=4s", "--set", "workload.cooldown=0s"}
	out := filepath.Join(t.TempDir(), "gate")
	_, stderr, code := abload(t, append([]string{"run", quick, "--out", out, "--gate", "e2e.p99 < 1us", "--gate", "e2e.p99 < 1h"}, short...)...)
	if code != 3 {
		t.Fatalf("failing gate: exit %d, want 3\n%s", code, stderr)
	}
	res := readResult(t, out)
	if !res.Valid || len(res.Gates) != 2 || res.Gates[0].Pass || !res.Gates[1].Pass {
		t.Errorf("valid %v gates %+v", res.Valid, res.Gates)
	}
	junit, err := os.ReadFile(filepath.Join(out, "junit.xml"))
	if err != nil || !strings.Contains(string(junit), `failures="1"`) {
		t.Errorf("junit.xml: %v\n%s", err, junit)
	}

	out = filepath.Join(t.TempDir(), "invalid")
	// A send-delay bound no sender can keep makes the run invalid.
	_, stderr, code = abload(t, append([]string{"run", quick, "--out", out, "--gate", "e2e.p99 < 1h", "--set", "workload.max_send_delay=1ns"}, short...)...)
	if code != 4 {
		t.Fatalf("invalid run with a gate that would pass: exit %d, want 4\n%s", code, stderr)
	}
	res = readResult(t, out)
	if res.Valid || len(res.Gates) != 1 || res.Gates[0].Pass || !strings.Contains(res.Gates[0].Error, "invalid") {
		t.Errorf("valid %v gates %+v", res.Valid, res.Gates)
	}
	assertSharedEnvAsFound(t)

	// No updates, no e2e latency: a gate on it fails naming why (it used to
	// pass on the value 0), and the report shows no overhead line of zeros.
	// One-second windows: several close by the stream's watermark inside
	// the run (windows the final flush closes are not timed), so the window
	// gate has data and passes.
	out = filepath.Join(t.TempDir(), "noupdates")
	stdout, stderr, code := abload(t, append([]string{"run", quick, "--out", out, "--set", "job.outputs.updates=false", "--gate", "e2e.p99 < 500ms",
		"--gate", "window.p99 < 1h", "--set", "job.checkpoint.interval=1s", "--set", "job.window.size=1s"}, short...)...)
	if code != 3 {
		t.Fatalf("e2e gate without updates: exit %d, want 3\n%s\n%s", code, stdout, stderr)
	}
	g := readGateResult(t, out)
	if !g.Valid || len(g.Gates) != 2 || g.Gates[0].Pass || !g.Gates[0].NoData || !strings.Contains(g.Gates[0].Error, "no e2e latency was measured") || !g.Gates[1].Pass {
		t.Errorf("valid %v gates %+v", g.Valid, g.Gates)
	}
	if !strings.Contains(stdout, "FAIL  e2e.p99 < 500ms (value n/a)") || strings.Contains(stdout, "0 ms in flight") {
		t.Errorf("summary:\n%s", stdout)
	}
	for _, f := range []string{"report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || strings.Contains(string(b), "in flight vs 0 ms") || !strings.Contains(string(b), "no e2e latency was measured") {
			t.Errorf("%s: %v: shows zeros or lacks the gate's reason", f, err)
		}
	}
	assertSharedEnvAsFound(t)
}

// Gates are checked before anything starts: a bad one exits 2.
func TestBadGateExits2(t *testing.T) {
	for _, args := range [][]string{
		{"run", quick, "--gate", "e2e.p99 500ms"},
		{"run", quick, "--gate", "e2e.p99 <= baseline"},
		{"run", quick, "--gate", "e2e.p99 < 1s", "--baseline", "no-such-baseline"},
		{"validate", quick, "--set", "gates=[e2e.p99 < 5 parsecs]"},
	} {
		_, stderr, code := abload(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
}
