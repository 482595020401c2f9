package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRun writes a valid result named name into dir.
func writeRun(t testing.TB, dir, name string) {
	t.Helper()
	r := sampleResult()
	r.RunID = name
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteResult(dir, r); err != nil {
		t.Fatal(err)
	}
}

// writeIndex writes a matrix index whose runs are (point, repetition, dir).
func writeIndex(t testing.TB, dir string, points []string, runs []IndexRun) {
	t.Helper()
	idx := Index{Schema: IndexSchema, Runs: runs}
	for _, p := range points {
		idx.Points = append(idx.Points, IndexPoint{Name: p})
	}
	b, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, IndexFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Each form of a result argument reads as its configurations and runs, in
// order; a matrix run without a result is kept and says why.
func TestReadTreeForms(t *testing.T) {
	root := t.TempDir()
	run := filepath.Join(root, "run")
	writeRun(t, run, "r")
	reps := filepath.Join(root, "reps")
	for _, d := range []string{"rep-10", "rep-2", "rep-1"} {
		writeRun(t, filepath.Join(reps, d), d)
	}
	if err := os.MkdirAll(filepath.Join(reps, "notes"), 0o755); err != nil { // no result: not a run
		t.Fatal(err)
	}
	mx := filepath.Join(root, "mx")
	writeRun(t, filepath.Join(mx, "a", "rep-1"), "a1")
	writeRun(t, filepath.Join(mx, "b", "rep-1"), "b1")
	writeRun(t, filepath.Join(mx, "a", "rep-2"), "a2")
	writeIndex(t, mx, []string{"a", "b"}, []IndexRun{
		{Point: "a", Repetition: 2, Dir: "a/rep-2"}, {Point: "a", Repetition: 1, Dir: "a/rep-1"},
		{Point: "b", Repetition: 1, Dir: "b/rep-1"}, {Point: "b", Repetition: 2, Dir: "b/rep-2", Status: "failed", Error: "boom"},
	})

	ids := func(c TreeConfig) string {
		var s []string
		for _, r := range c.Runs {
			if r.Result == nil {
				s = append(s, "-("+r.Missing+")")
			} else {
				s = append(s, r.Result.RunID)
			}
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct {
		arg, kind, want string
	}{
		{filepath.Join(run, ResultFile), "file", run + ":r"},
		{run, "run", run + ":r"},
		{reps, "reps", reps + ":rep-1,rep-2,rep-10"},
		{mx, "matrix", "a:a1,a2 b:b1,-(status failed: boom)"},
	} {
		tr, err := ReadTree(tc.arg)
		if err != nil {
			t.Fatalf("%s: %v", tc.arg, err)
		}
		var got []string
		for _, c := range tr.Configs {
			got = append(got, c.Name+":"+ids(c))
		}
		if string(tr.Kind) != tc.kind || strings.Join(got, " ") != tc.want {
			t.Errorf("%s: %s %q, want %s %q", tc.arg, tr.Kind, strings.Join(got, " "), tc.kind, tc.want)
		}
		for _, r := range tr.Runs() {
			if r.Result == nil || filepath.Dir(filepath.Join(r.Dir, ResultFile)) != r.Dir {
				t.Errorf("%s: run %+v", tc.arg, r)
			}
			if _, err := os.Stat(filepath.Join(r.Dir, ResultFile)); err != nil {
				t.Errorf("%s: run dir %s has no result: %v", tc.arg, r.Dir, err)
			}
		}
	}
	if n := len(mustTree(t, mx).Runs()); n != 3 {
		t.Errorf("matrix: %d runs with a result, want 3", n)
	}
	for _, bad := range []string{filepath.Join(root, "nothing"), filepath.Join(reps, "notes")} {
		if _, err := ReadTree(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s: %v, want an error naming it", bad, err)
		}
	}
}

func mustTree(t *testing.T, arg string) *Tree {
	t.Helper()
	tr, err := ReadTree(arg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// A matrix's index.json never leads a reader outside the matrix directory:
// a run's dir outside it is an error, and every run read holds a result.
func FuzzReadTreeStaysInside(f *testing.F) {
	for _, s := range []string{"p1-r1", "../outside", "/etc", ".", "p1-r1/../../outside", "p1-r1/../p1-r1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, runDir string) {
		root := t.TempDir()
		dir := filepath.Join(root, "matrix")
		writeRun(t, filepath.Join(dir, "p1-r1"), "in")
		writeRun(t, filepath.Join(root, "outside"), "out")
		writeIndex(t, dir, []string{"p1"}, []IndexRun{{Point: "p1", Repetition: 1, Dir: runDir}})
		tr, err := ReadTree(dir)
		if err != nil {
			return
		}
		for _, r := range tr.Configs[0].Runs {
			rel, err := filepath.Rel(dir, r.Dir)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Fatalf("dir %q: run dir %s is outside %s", runDir, r.Dir, dir)
			}
			if r.Result != nil && r.Result.RunID != "in" {
				t.Fatalf("dir %q: read run %q", runDir, r.Result.RunID)
			}
		}
	})
}
