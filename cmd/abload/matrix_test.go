package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A matrix of two axes (one of them a single value, so both knobs must
// reach each run) and two points with repetitions 2 runs 4 interleaved
// runs (A B A B) into one output tree, sharing one environment, each run
// carrying its point's settings. (The product of several values per axis
// is scenarios' matrix tests.)
func TestMatrixRunsInterleavedIntoOneTree(t *testing.T) {
	needCluster(t)
	scenario := writeFile(t, "matrix.yaml", `name: matrix
workload:
  rate: 300
  warmup: 1s
  duration: 3s
  cooldown: 0s
job:
  parallelism: 2
  window: {size: 2s}
matrix:
  job.buffer_timeout: [10ms, 100ms]
  job.object_reuse: [true]
repetitions: 2
`)
	out := filepath.Join(t.TempDir(), "tree")
	stdout, stderr, code := abload(t, "run", scenario, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var idx struct {
		Schema string `json:"schema"`
		Points []struct {
			Name string `json:"name"`
		} `json:"points"`
		Runs []struct {
			Point      string `json:"point"`
			Repetition int    `json:"repetition"`
			Dir        string `json:"dir"`
			Status     string `json:"status"`
			Valid      bool   `json:"valid"`
		} `json:"runs"`
	}
	data, err := os.ReadFile(filepath.Join(out, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Points) != 2 || len(idx.Runs) != 4 {
		t.Fatalf("%d points, %d runs; want 2 and 4:\n%s", len(idx.Points), len(idx.Runs), data)
	}
	for i, r := range idx.Runs {
		// Interleaved: A B A B.
		if want := idx.Points[i%2].Name; r.Point != want || r.Repetition != i/2+1 {
			t.Errorf("run %d = %s rep %d, want %s rep %d", i, r.Point, r.Repetition, want, i/2+1)
		}
		if r.Status != "ok" || !r.Valid {
			t.Errorf("run %d (%s): status %s valid %v", i, r.Dir, r.Status, r.Valid)
		}
		res, err := os.ReadFile(filepath.Join(out, r.Dir, "result.json"))
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		var got struct {
			Scenario struct {
				Job struct {
					BufferTimeout string `json:"buffer_timeout"`
					ObjectReuse   bool   `json:"object_reuse"`
				} `json:"job"`
			} `json:"scenario"`
		}
		if err := json.Unmarshal(res, &got); err != nil {
			t.Fatal(err)
		}
		wantBT := []string{"10ms", "100ms"}[i%2]
		wantOR := true
		if got.Scenario.Job.BufferTimeout != wantBT || got.Scenario.Job.ObjectReuse != wantOR {
			t.Errorf("run %d (%s) ran with buffer_timeout %s object_reuse %v, want %s %v",
				i, r.Point, got.Scenario.Job.BufferTimeout, got.Scenario.Job.ObjectReuse, wantBT, wantOR)
		}
	}
	if n := strings.Count(stderr, "shared by the runs"); n != 1 {
		t.Errorf("environment started %d times, want once", n)
	}
	assertNoJVMs(t, out)
}
