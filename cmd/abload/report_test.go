package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyResult copies a fixture result.json into a fresh run directory.
func copyResult(t *testing.T, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "result.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// `abload report` regenerates the reports from result.json alone.
func TestReportRegenerates(t *testing.T) {
	dir := copyResult(t, filepath.Join("..", "..", "reports", "testdata", "html-fixture.json"))
	stdout, stderr, code := abload(t, "report", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) < 500 {
			t.Errorf("%s: %v (%d bytes)", f, err, len(b))
		}
		if !strings.Contains(stdout, f) {
			t.Errorf("stdout does not name %s:\n%s", f, stdout)
		}
	}
	// A matrix directory: every run.
	sweep := filepath.Join("..", "..", "reports", "testdata", "compare", "sweep")
	tmp := filepath.Join(t.TempDir(), "sweep")
	if err := os.CopyFS(tmp, os.DirFS(sweep)); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code = abload(t, "report", tmp, "--format", "md")
	if code != 0 || strings.Count(stdout, "report.md") != 10 {
		t.Errorf("matrix: exit %d, want 10 reports:\n%s%s", code, stdout, stderr)
	}
	if _, _, code := abload(t, "report", t.TempDir()); code != 2 {
		t.Errorf("empty directory: exit %d, want 2", code)
	}
}

// Baselines: save keeps history and a current entry that --baseline NAME
// resolves; export prints benchstat lines per run.
func TestBaselineAndExport(t *testing.T) {
	sweep := filepath.Join("..", "..", "reports", "testdata", "compare", "sweep")
	bdir := filepath.Join(t.TempDir(), "baselines")
	for _, rep := range []string{"rep-1", "rep-2"} {
		_, stderr, code := abload(t, "baseline", "save", filepath.Join(sweep, "interval-30s", rep), "--name", "main", "--dir", bdir)
		if code != 0 {
			t.Fatalf("save: exit %d\n%s", code, stderr)
		}
	}
	stdout, _, code := abload(t, "baseline", "list", "--dir", bdir)
	if code != 0 || strings.Count(stdout, "\n") != 2 || strings.Count(stdout, "*h main") != 1 || strings.Count(stdout, " h main") != 1 {
		t.Errorf("list: exit %d\n%s", code, stdout)
	}
	// An invalid result is refused, naming why; --allow-invalid keeps it,
	// marked, and it is left out where the baseline is used.
	warn := filepath.Join("..", "..", "reports", "testdata", "compare", "warn")
	invalid := filepath.Join(warn, "other", "rep-2")
	_, stderr, code := abload(t, "baseline", "save", invalid, "--name", "rec", "--dir", bdir)
	if code != 2 || !strings.Contains(stderr, "the result is invalid (max send delay 1.84s exceeds workload.max_send_delay 1s)") {
		t.Errorf("save of an invalid result: exit %d, want 2\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(bdir, "rec")); err == nil {
		t.Error("a refused save left a baseline directory")
	}
	stdout, stderr, code = abload(t, "baseline", "save", invalid, "--name", "rec", "--dir", bdir, "--allow-invalid")
	if code != 0 || !strings.Contains(stdout, "left out wherever the baseline is used") {
		t.Errorf("save --allow-invalid: exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout, _, _ := abload(t, "baseline", "list", "--dir", bdir); !strings.Contains(stdout, "INVALID: max send delay") {
		t.Errorf("list does not mark the invalid entry:\n%s", stdout)
	}
	// run --baseline refuses a baseline without a valid result, before
	// starting anything.
	_, stderr, code = abload(t, "run", quick, "--gate", "e2e.p99 worse_by > 10%", "--baseline", "rec", "--baselines-dir", bdir)
	if code != 2 || !strings.Contains(stderr, "the result is invalid") {
		t.Errorf("run --baseline with an invalid baseline: exit %d, want 2\n%s", code, stderr)
	}
	_, stderr, code = abload(t, "run", quick, "--gate", "e2e.p99 < 1s", "--baseline", invalid)
	if code != 2 || !strings.Contains(stderr, "max send delay 1.84s") {
		t.Errorf("run --baseline RESULT (invalid): exit %d, want 2\n%s", code, stderr)
	}
	// Another configuration is refused; --new-history starts over with it.
	other := filepath.Join(sweep, "interval-200ms", "rep-1")
	_, stderr, code = abload(t, "baseline", "save", other, "--name", "main", "--dir", bdir)
	if code != 2 || !strings.Contains(stderr, `scenario.job.checkpoint.interval "200ms" vs "30s"`) || !strings.Contains(stderr, "--new-history") {
		t.Errorf("save of another configuration: exit %d, want 2\n%s", code, stderr)
	}
	stdout, stderr, code = abload(t, "baseline", "save", other, "--name", "main", "--dir", bdir, "--new-history")
	if code != 0 || !strings.Contains(stdout, "history: 1 run(s), 1 valid") {
		t.Errorf("save --new-history: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, rep := range []string{"rep-2", "rep-3"} {
		if _, stderr, code := abload(t, "baseline", "save", filepath.Join(sweep, "interval-200ms", rep), "--name", "main", "--dir", bdir); code != 0 {
			t.Fatalf("save: exit %d\n%s", code, stderr)
		}
	}
	stdout, _, code = abload(t, "baseline", "show", "main", "--dir", bdir)
	if code != 0 || !strings.Contains(stdout, "baseline main: 3 run(s) in its history, 3 valid") || !strings.Contains(stdout, "e2e p99") || !strings.Contains(stdout, "noise/run") {
		t.Errorf("show: exit %d\n%s", code, stdout)
	}
	if _, stderr, code := abload(t, "compare", filepath.Join(sweep, "interval-200ms"), "--baseline", "main", "--baselines-dir", bdir); code != 0 {
		t.Errorf("compare against a saved baseline: exit %d\n%s", code, stderr)
	}
	if _, _, code := abload(t, "baseline", "save", filepath.Join(sweep, "interval-30s", "rep-1"), "--name", "bad name", "--dir", bdir); code != 2 {
		t.Errorf("bad name: exit %d, want 2", code)
	}

	stdout, stderr, code = abload(t, "export", sweep)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	lines := 0
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "BenchmarkAbload/") {
			lines++
			f := strings.Fields(l)
			if len(f) < 4 || f[1] != "1" || len(f)%2 != 0 {
				t.Errorf("not a Go benchmark line: %q", l)
			}
		}
	}
	if lines != 10 || !strings.Contains(stdout, "/interval-200ms 1 ") || !strings.Contains(stdout, "e2e-p99-ms") {
		t.Errorf("export: %d lines\n%s", lines, stdout)
	}
}
