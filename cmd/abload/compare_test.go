package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures are reports' (see reports/compare_test.go): sweep is a matrix
// output (checkpoint interval 30s, the baseline, vs 200ms, 5 repetitions
// each), aa/run-a and aa/run-b the same configuration twice, warn/base and
// warn/other 3 repetitions each with an invalid run and another host.
const compareFixtures = "../../reports/testdata/compare"

var (
	sweepDir = filepath.Join(compareFixtures, "sweep")
	aaA      = filepath.Join(compareFixtures, "aa", "run-a")
	aaB      = filepath.Join(compareFixtures, "aa", "run-b")
)

type compareJSON struct {
	Schema   string
	Alpha    float64
	Baseline string
	Configs  []struct {
		Name        string
		Baseline    bool
		Repetitions int
		Results     []string
		Excluded    []string
		Medians     map[string]float64
	}
	Comparisons []struct {
		Config   string
		Baseline string
		Metrics  []struct {
			Metric   string
			P        *float64
			Interval *[2]float64
			Verdict  string
		}
	}
	Warnings []string
}

func compareAsJSON(t *testing.T, args ...string) compareJSON {
	t.Helper()
	stdout, stderr, code := abload(t, append([]string{"compare", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var c compareJSON
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	return c
}

func verdicts(c compareJSON, i int) map[string]string {
	out := map[string]string{}
	for _, m := range c.Comparisons[i].Metrics {
		out[m.Metric] = m.Verdict
	}
	return out
}

func TestCompareMatrixDirText(t *testing.T) {
	stdout, stderr, code := abload(t, "compare", sweepDir)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, w := range []string{
		"baseline interval-30s",
		"interval-200ms vs interval-30s (5 vs 5 repetitions; significant beyond 1.46 × the run-to-run noise)",
		"e2e p99", "worse", "checkpoint duration p99", "better", "no significant change",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout, "warnings:") {
		t.Errorf("warnings for clean fixtures:\n%s", stdout)
	}
}

func TestCompareMatrixDirJSON(t *testing.T) {
	c := compareAsJSON(t, sweepDir)
	if c.Schema != "abload.compare/v2" || c.Alpha != 0.05 || c.Baseline != "interval-30s" {
		t.Fatalf("schema %q alpha %v baseline %q", c.Schema, c.Alpha, c.Baseline)
	}
	if len(c.Configs) != 2 || c.Configs[1].Name != "interval-200ms" || c.Configs[1].Repetitions != 5 {
		t.Fatalf("configs: %+v", c.Configs)
	}
	if got := c.Configs[0].Results[0]; got != filepath.Join(sweepDir, "interval-30s", "rep-1") {
		t.Errorf("first result %q", got)
	}
	v := verdicts(c, 0)
	for path, want := range map[string]string{
		"latency_ms.e2e.p99":            "worse",
		"checkpoints.duration_ms.p99":   "better",
		"resources.taskmanager_cpu_pct": "worse",
		"throughput.in_eps":             "no significant change",
	} {
		if v[path] != want {
			t.Errorf("%s: %q, want %q", path, v[path], want)
		}
	}
	// The gates hook: per-configuration medians by metric path.
	if m := c.Configs[1].Medians["latency_ms.e2e.p99"]; m < 150 || m > 220 {
		t.Errorf("interval-200ms e2e p99 median %v", m)
	}
}

// Directories of repetitions: each argument is one configuration.
func TestCompareRepetitionDirsAA(t *testing.T) {
	c := compareAsJSON(t, aaA, aaB)
	if c.Baseline != aaA || c.Comparisons[0].Config != aaB || c.Configs[1].Repetitions != 5 {
		t.Fatalf("baseline %q, config %q", c.Baseline, c.Comparisons[0].Config)
	}
	if len(c.Comparisons[0].Metrics) != 10 {
		t.Errorf("%d metrics compared, want 10", len(c.Comparisons[0].Metrics))
	}
	for path, v := range verdicts(c, 0) {
		if v != "no significant change" && v != "inconclusive" && v != "too short to test" {
			t.Errorf("A/A %s: %s", path, v)
		}
	}
	// Markdown too.
	stdout, _, code := abload(t, "compare", aaA, aaB, "--format", "md")
	if code != 0 || !strings.Contains(stdout, "# abload compare") || !strings.Contains(stdout, "| e2e p99 | ms |") {
		t.Errorf("md: exit %d\n%s", code, stdout)
	}
}

func TestCompareBaselineFlag(t *testing.T) {
	// By a matrix point's name.
	c := compareAsJSON(t, sweepDir, "--baseline", "interval-200ms")
	if c.Baseline != "interval-200ms" || c.Comparisons[0].Config != "interval-30s" || verdicts(c, 0)["latency_ms.e2e.p99"] != "better" {
		t.Errorf("baseline by name: %q vs %q: %v", c.Comparisons[0].Config, c.Baseline, verdicts(c, 0))
	}
	// By an argument's path (flags after the arguments too).
	c = compareAsJSON(t, aaA, aaB, "--baseline", aaB+"/")
	if c.Baseline != aaB || !c.Configs[1].Baseline {
		t.Errorf("baseline by path: %q", c.Baseline)
	}
	// A path that is not an argument is added first.
	c = compareAsJSON(t, aaA, "--baseline", aaB)
	if len(c.Configs) != 2 || c.Configs[0].Name != aaB || c.Baseline != aaB {
		t.Errorf("baseline added: %+v", c.Configs)
	}
	// A saved baseline: its whole history is the baseline's repetitions.
	saved := t.TempDir()
	one := filepath.Join(aaA, "rep-1")
	for i, rep := range []string{"rep-1", "rep-2", "rep-3"} {
		stdout, stderr, code := abload(t, "baseline", "save", filepath.Join(aaB, rep), "--name", "main", "--dir", saved)
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("history: %d run(s), %d valid", i+1, i+1)) {
			t.Fatalf("baseline save %s: exit %d\n%s%s", rep, code, stdout, stderr)
		}
	}
	c = compareAsJSON(t, one, "--baseline", "main", "--baselines-dir", saved)
	if c.Baseline != "main" || c.Configs[0].Repetitions != 3 || c.Configs[1].Repetitions != 1 {
		t.Errorf("saved baseline: %+v", c.Configs)
	}
	if w := strings.Join(c.Warnings, "\n"); strings.Contains(w, "default noise") {
		t.Errorf("1 run against a history of 3 warned about the default noise: %q", w)
	}
	// One run against one: the default noise stands in, with a warning.
	c = compareAsJSON(t, one, "--baseline", filepath.Join(aaB, "rep-1"))
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "the default noise measured on abload's A/A corpus stands in") {
		t.Errorf("1 vs 1 without a warning: %q", c.Warnings)
	}
}

// Single result files and run directories are one repetition each; the
// invalid one is left out, naming its file.
func TestCompareSingleRunsAndWarnings(t *testing.T) {
	warn := filepath.Join(compareFixtures, "warn")
	stdout, stderr, code := abload(t, "compare", filepath.Join(warn, "base"), filepath.Join(warn, "other"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{
		"invalid result " + filepath.Join(warn, "other", "rep-2") + " left out of medians, tests, spectra and gates",
		`host "bench-2" vs "bench-1"`,
		"significant beyond 2.91 × the run-to-run noise",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("text output lacks warning %q:\n%s", w, stdout)
		}
	}
	// md and json print the warnings on stderr too.
	_, stderr, _ = abload(t, "compare", filepath.Join(warn, "base"), filepath.Join(warn, "other"), "--format", "json")
	if !strings.Contains(stderr, "abload compare: warning: other") && !strings.Contains(stderr, "warning: "+filepath.Join(warn, "other")) {
		t.Errorf("json: no warnings on stderr:\n%s", stderr)
	}

	file := filepath.Join(aaA, "rep-1", "result.json")
	dir := filepath.Join(aaB, "rep-1")
	c := compareAsJSON(t, file, dir, "--alpha", "0.1")
	if c.Alpha != 0.1 || c.Configs[0].Name != filepath.Join(aaA, "rep-1") || c.Configs[1].Name != dir || c.Configs[0].Repetitions != 1 {
		t.Errorf("single runs: alpha %v, %+v", c.Alpha, c.Configs)
	}
	// The same argument twice gets a distinct name.
	c = compareAsJSON(t, dir, dir)
	if c.Configs[1].Name != dir+"#2" {
		t.Errorf("duplicate names: %q, %q", c.Configs[0].Name, c.Configs[1].Name)
	}
}

// A matrix run that wrote no result is left out with a warning.
func TestCompareMatrixMissingRun(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "sweep")
	if err := os.CopyFS(tmp, os.DirFS(sweepDir)); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(tmp, "interval-200ms", "rep-3", "result.json")
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	c := compareAsJSON(t, tmp)
	if c.Configs[1].Repetitions != 4 || !strings.Contains(strings.Join(c.Warnings, "\n"), gone) {
		t.Errorf("repetitions %d, warnings %q", c.Configs[1].Repetitions, c.Warnings)
	}
}

func TestCompareBadInputExits2(t *testing.T) {
	tmp := t.TempDir()
	notJSON := filepath.Join(tmp, "garbage.json")
	wrongSchema := filepath.Join(tmp, "old", "result.json")
	noSchema := filepath.Join(tmp, "noschema.json")
	emptyDir := filepath.Join(tmp, "empty")
	badIndex := filepath.Join(tmp, "badindex")
	for p, content := range map[string]string{
		notJSON:                               "not json at all",
		wrongSchema:                           `{"schema": "abload.result/v0"}`,
		noSchema:                              `{"status": "ok"}`,
		filepath.Join(emptyDir, "notes.txt"):  "nothing here",
		filepath.Join(badIndex, "index.json"): `{"schema": "abload.index/v9", "points": []}`,
		filepath.Join(tmp, "brokenidx", "index.json"): `{`,
	} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"missing path", []string{aaA, filepath.Join(tmp, "nope")}, []string{filepath.Join(tmp, "nope"), "no such file"}},
		{"not JSON", []string{aaA, notJSON}, []string{notJSON, "not JSON"}},
		{"unsupported schema", []string{aaA, filepath.Dir(wrongSchema)}, []string{wrongSchema, "abload.result/v0", "abload.result/v1"}},
		{"no schema", []string{aaA, noSchema}, []string{noSchema, "schema"}},
		{"directory without results", []string{aaA, emptyDir}, []string{emptyDir, "not a result"}},
		{"matrix index of another schema", []string{aaA, badIndex}, []string{filepath.Join(badIndex, "index.json"), "abload.index/v9"}},
		{"broken matrix index", []string{aaA, filepath.Join(tmp, "brokenidx")}, []string{filepath.Join(tmp, "brokenidx", "index.json")}},
		{"one configuration", []string{aaA}, []string{"nothing to compare", "1 configuration"}},
		{"no argument", []string{}, []string{"expected at least one RESULT"}},
		{"bad format", []string{aaA, aaB, "--format", "pdf"}, []string{"--format"}},
		{"alpha out of range", []string{aaA, aaB, "--alpha", "1.5"}, []string{"--alpha"}},
		{"alpha not a number", []string{aaA, aaB, "--alpha", "x"}, []string{"alpha"}},
		{"unknown baseline", []string{aaA, aaB, "--baseline", "nosuch", "--baselines-dir", tmp}, []string{"--baseline", "nosuch"}},
		{"baseline names a matrix", []string{sweepDir, "--baseline", sweepDir}, []string{"--baseline", "several points", "interval-30s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := abload(t, append([]string{"compare"}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

func TestCompareHelp(t *testing.T) {
	for _, args := range [][]string{{"compare", "--help"}, {"help", "compare"}} {
		stdout, stderr, code := abload(t, args...)
		out := stdout + stderr
		if code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, w := range []string{"Usage: abload compare RESULT...", "--baseline", "--format", "--alpha", "--tolerance", "index.json", "Student's t", "inconclusive", "too short to test", "worse_by", "default noise", "Exit codes"} {
			if !strings.Contains(out, w) {
				t.Errorf("%v: help lacks %q", args, w)
			}
		}
	}
	stdout, _, _ := abload(t, "--help")
	if !strings.Contains(stdout, "compare") {
		t.Errorf("usage does not list compare:\n%s", stdout)
	}
}

// Gates in compare run on medians: the 200 ms config's e2e p99 median
// (183 ms) fails "<= baseline * 1.10" against 30 s (92 ms); junit lists it.
func TestCompareGates(t *testing.T) {
	sweep := filepath.Join("..", "..", "reports", "testdata", "compare", "sweep")
	stdout, stderr, code := abload(t, "compare", sweep, "--gate", "e2e.p99 <= baseline * 1.10", "--gate", "in_eps >= 1000/s", "--format", "junit")
	if code != 3 {
		t.Fatalf("exit %d, want 3 (a gate failed)\n%s\n%s", code, stdout, stderr)
	}
	for _, w := range []string{`<testsuites`, `failures="1"`, `gate: e2e.p99 &lt;= baseline * 1.10`} {
		if !strings.Contains(stdout, w) {
			t.Errorf("junit output lacks %q:\n%s", w, stdout)
		}
	}
	_, stderr, code = abload(t, "compare", sweep, "--gate", "e2e.p99 <= baseline * 3")
	if code != 0 || !strings.Contains(stderr, "gate pass") {
		t.Errorf("passing gate: exit %d\n%s", code, stderr)
	}
	if _, _, code := abload(t, "compare", sweep, "--gate", "e2e.p99 <"); code != 2 {
		t.Errorf("bad gate: exit %d, want 2", code)
	}
	// Regression gates: 200 ms is ~+90% worse in e2e p99 than 30 s; the
	// other way round it is better, which no worse_by gate fails on.
	_, stderr, code = abload(t, "compare", sweep, "--gate", "e2e.p99 worse_by > 10%")
	if code != 3 || !strings.Contains(stderr, "gate FAIL  interval-200ms: e2e.p99 worse_by > 10% (worse by +92.2%, at least +") {
		t.Errorf("worse_by on a regression: exit %d\n%s", code, stderr)
	}
	_, stderr, code = abload(t, "compare", sweep, "--baseline", "interval-200ms", "--gate", "e2e.p99 worse_by > 10%")
	if code != 0 || !strings.Contains(stderr, "gate pass  interval-30s: e2e.p99 worse_by > 10% (worse by -") {
		t.Errorf("worse_by on an improvement: exit %d\n%s", code, stderr)
	}
	// A gate on a metric without data fails, saying why: window p99 of
	// 1440 windows is too short to test; no fault, no recovery.
	_, stderr, code = abload(t, "compare", sweep, "--gate", "window.p99 worse_by > 50%", "--gate", "recovery.running_after_s < 1m")
	if code != 3 || !strings.Contains(stderr, "too short to test") || !strings.Contains(stderr, "no fault was injected") {
		t.Errorf("gates without data: exit %d\n%s", code, stderr)
	}
}

// --format html writes one self-contained page with the comparison tables.
func TestCompareHTML(t *testing.T) {
	stdout, stderr, code := abload(t, "compare", sweepDir, "--format", "html")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, w := range []string{"<!DOCTYPE html>", "interval-200ms vs interval-30s", "e2e p99", "worse"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("html lacks %q", w)
		}
	}
	for _, ref := range []string{`src="http`, `href="http`, `url(http`, `@import`} {
		if strings.Contains(stdout, ref) {
			t.Errorf("the page references the network (%s)", ref)
		}
	}
}
