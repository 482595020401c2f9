package scenarios

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const productMatrix = `name: m
job:
  delivery: at_least_once
matrix:
  job.checkpoint.interval: [1s, 10s]
  job.state_backend: [hashmap, rocksdb]
repetitions: 2
`

func pointSummary(ps []MatrixPoint) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name+" "+strings.Join(p.Settings, ","))
	}
	return out
}

func TestMatrixProduct(t *testing.T) {
	s, err := Parse("m.yaml", []byte(productMatrix), nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Points()
	want := []string{
		"interval-1s_state_backend-hashmap job.checkpoint.interval=1s,job.state_backend=hashmap",
		"interval-1s_state_backend-rocksdb job.checkpoint.interval=1s,job.state_backend=rocksdb",
		"interval-10s_state_backend-hashmap job.checkpoint.interval=10s,job.state_backend=hashmap",
		"interval-10s_state_backend-rocksdb job.checkpoint.interval=10s,job.state_backend=rocksdb",
	}
	if got := pointSummary(ps); !reflect.DeepEqual(got, want) {
		t.Fatalf("points\n got %q\nwant %q", got, want)
	}
	for i, p := range ps {
		j := p.Scenario.Job
		if j.Checkpoint.Interval.Duration != []time.Duration{time.Second, 10 * time.Second}[i/2] || j.StateBackend != []string{"hashmap", "rocksdb"}[i%2] {
			t.Errorf("point %s resolved to %+v", p.Name, j)
		}
		if p.Scenario.Matrix != nil || p.Scenario.Repetitions != 2 || p.Scenario.Name != "m" {
			t.Errorf("point %s: matrix %v repetitions %d name %q", p.Name, p.Scenario.Matrix, p.Scenario.Repetitions, p.Scenario.Name)
		}
		if err := p.Scenario.Validate(); err != nil {
			t.Errorf("point %s: %v", p.Name, err)
		}
	}
	if s.Job.StateBackend != "hashmap" || s.Matrix == nil {
		t.Errorf("base scenario changed: %+v", s.Job)
	}
}

func TestMatrixList(t *testing.T) {
	s, err := Parse("m.yaml", []byte(`matrix:
  - {job.state_backend: hashmap}
  - {job.state_backend: rocksdb, job.checkpoint.incremental: true}
  - {workload.variants: [A, B, C]}
  - {}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"state_backend-hashmap job.state_backend=hashmap",
		"state_backend-rocksdb_incremental-true job.state_backend=rocksdb,job.checkpoint.incremental=true",
		"variants-A-B-C workload.variants=[A, B, C]",
		"default ",
	}
	ps := s.Points()
	if got := pointSummary(ps); !reflect.DeepEqual(got, want) {
		t.Fatalf("points\n got %q\nwant %q", got, want)
	}
	if !ps[1].Scenario.Job.Checkpoint.Incremental || ps[0].Scenario.Job.Checkpoint.Incremental {
		t.Errorf("incremental not applied per point")
	}
	if !reflect.DeepEqual(ps[2].Scenario.Workload.Variants, []string{"A", "B", "C"}) {
		t.Errorf("variants = %v", ps[2].Scenario.Workload.Variants)
	}
}

func TestMatrixNone(t *testing.T) {
	s, err := Load("quick.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	ps := s.Points()
	if len(ps) != 1 || ps[0].Name != "default" || ps[0].Scenario != s || ps[0].Settings != nil {
		t.Errorf("points without a matrix: %+v", ps)
	}
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func TestMatrixNamesUniqueAndSafe(t *testing.T) {
	s, err := Parse("m.yaml", []byte(`matrix:
  workload.skew.campaigns.kind: [uniform, zipf]
  workload.skew.recipients.kind: [uniform]
  description: ["a/b", "a b", "", "ü", "../..", "x:y"]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range s.Points() {
		if !safeName.MatchString(p.Name) || len(p.Name) > 200 {
			t.Errorf("unsafe name %q", p.Name)
		}
		if seen[p.Name] {
			t.Errorf("duplicate name %q", p.Name)
		}
		seen[p.Name] = true
	}
	if n := s.Points()[0].Name; !strings.HasPrefix(n, "campaigns.kind-uniform_recipients.kind-uniform_description-") {
		t.Errorf("ambiguous last elements not disambiguated: %q", n)
	}
	if len(seen) != 12 {
		t.Errorf("%d points, want 12", len(seen))
	}
}

func TestMatrixSetWins(t *testing.T) {
	s, err := Parse("m.yaml", []byte(productMatrix), []string{"job.state_backend=rocksdb"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Points() {
		if p.Scenario.Job.StateBackend != "rocksdb" {
			t.Errorf("%s: --set lost to the matrix: %s", p.Name, p.Scenario.Job.StateBackend)
		}
	}
	// The file loses to the matrix.
	s, err = Parse("m.yaml", []byte("job: {state_backend: rocksdb}\nmatrix:\n  job.state_backend: [hashmap]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Points()[0].Scenario.Job.StateBackend; got != "hashmap" {
		t.Errorf("file beat the matrix: %s", got)
	}
}

func TestMatrixErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		sets      []string
		want      []string
	}{
		{"unknown path", "matrix:\n  job.stat_backend: [hashmap]\n", nil,
			[]string{`t.yaml:2: matrix.job.stat_backend: unknown field "stat_backend" in job (known: parallelism, max_parallelism, stage_parallelism, window, out_of_orderness, idleness, state_ttl, checkpoint, outputs, sink_linger, delivery, state_backend, serializer, skew_mitigation, buffer_timeout, object_reuse, chaining, restore_from, savepoint_at_end, cost_per_event, updates_sample, jar, entry_class, args, sql, flink_config); did you mean "state_backend"?`}},
		{"bad value type", "matrix:\n  job.checkpoint.interval:\n    - 1s\n    - fast\n", nil,
			[]string{`t.yaml:4: matrix.job.checkpoint.interval[1]: malformed duration "fast" (want a Go duration such as 30s, 1m30s, 200ms)`}},
		{"list form type", "matrix:\n  - {job.parallelism: 2}\n  - {job.parallelism: many}\n", nil,
			[]string{`t.yaml:3: matrix[1].job.parallelism: expected an integer, got "many"`}},
		{"range in a point", "matrix:\n  job.state_backend: [hashmap, rocks]\n", nil,
			[]string{`t.yaml:2: matrix.job.state_backend[1]: must be one of hashmap, rocksdb, forst, got "rocks" (in point state_backend-rocks)`}},
		{"cross-field in a point", "job:\n  delivery: exactly_once\nmatrix:\n  job.checkpoint.interval: [10s, 0s]\n", nil,
			[]string{`t.yaml:4: matrix.job.checkpoint.interval[1]: job.delivery: exactly_once needs checkpointing (job.checkpoint.interval > 0): transactions commit on checkpoints (in point interval-0s)`}},
		{"cross-field within a list point", "matrix:\n  - {job.state_backend: hashmap}\n  - {job.delivery: exactly_once,\n     job.checkpoint.interval: 0s}\n", nil,
			[]string{`t.yaml:3: matrix[1].job.delivery: exactly_once needs checkpointing (job.checkpoint.interval > 0): transactions commit on checkpoints (in point delivery-exactly_once_interval-0s)`}},
		{"base problem once", "workload: {rate: -1}\nmatrix:\n  job.state_backend: [hashmap, rocksdb]\n", nil,
			[]string{`t.yaml:1: workload.rate: must be a finite number > 0 (events/s), got -1`}},
		{"forbidden keys", "matrix:\n  repetitions: [1, 2]\n  matrix: [1]\n", nil,
			[]string{`t.yaml:2: matrix.repetitions: repetitions cannot vary in a matrix`, `t.yaml:3: matrix.matrix: matrix cannot vary in a matrix`}},
		{"not a list", "matrix:\n  job.state_backend: hashmap\n", nil,
			[]string{`t.yaml:2: matrix.job.state_backend: expected a list of values, got "hashmap" (a single value belongs in the file, not the matrix)`}},
		{"scalar matrix", "matrix: 3\n", nil,
			[]string{`t.yaml:1: matrix: expected a mapping of path: [values] or a list of mappings of path: value, got "3"`}},
		{"too many points", "matrix:\n  workload.seed: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\n  workload.lanes: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n", nil,
			[]string{`t.yaml:2: matrix: has more than 256 points; at most 256 are allowed`}},
		{"everything at once", "matrix:\n  - {job.nope: 1}\n  - {job.state_backend: x, job.window.size: 0s}\n", nil,
			[]string{
				`t.yaml:2: matrix[0].job.nope: unknown field "nope" in job (known: parallelism, max_parallelism, stage_parallelism, window, out_of_orderness, idleness, state_ttl, checkpoint, outputs, sink_linger, delivery, state_backend, serializer, skew_mitigation, buffer_timeout, object_reuse, chaining, restore_from, savepoint_at_end, cost_per_event, updates_sample, jar, entry_class, args, sql, flink_config)`,
				`t.yaml:3: matrix[1].job.window.size: must be > 0, got 0s (in point state_backend-x_size-0s)`,
				`t.yaml:3: matrix[1].job.state_backend: must be one of hashmap, rocksdb, forst, got "x" (in point state_backend-x_size-0s)`,
			}},
		{"a --set still fails", "matrix:\n  job.state_backend: [hashmap, rocksdb]\n", []string{"job.window.size=0s"},
			[]string{`--set job.window.size=0s: job.window.size: must be > 0, got 0s`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tc.doc), tc.sets)
			if err == nil {
				t.Fatalf("no error; points %q", pointSummary(s.Points()))
			}
			var got []string
			for _, p := range err.(*ValidationError).Problems {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestInterleave(t *testing.T) {
	if got, want := Interleave(2, 2), []RunSlot{{0, 1}, {1, 1}, {0, 2}, {1, 2}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Interleave(2, 2) = %v, want %v", got, want)
	}
	if got := Interleave(0, 3); len(got) != 0 {
		t.Errorf("Interleave(0, 3) = %v", got)
	}
}

// The base scenario (with its matrix) and every point survive a round trip
// through YAML; the matrix also marshals to JSON as given.
func TestMatrixRoundTrip(t *testing.T) {
	for _, doc := range []string{productMatrix, "matrix:\n  - {job.state_backend: rocksdb, job.checkpoint.incremental: true}\n  - {workload.profile: {kind: step, steps: [{at: 1s, rate: 5}]}}\n"} {
		s, err := Parse("m.yaml", []byte(doc), nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("m.yaml", out, nil)
		if err != nil {
			t.Fatalf("re-Parse of\n%s\nfailed: %v", out, err)
		}
		if got, want := pointSummary(back.Points()), pointSummary(s.Points()); !reflect.DeepEqual(got, want) {
			t.Errorf("round trip of\n%s\nchanged the points:\n got %q\nwant %q", out, got, want)
		}
		for _, p := range s.Points() {
			out, err := yaml.Marshal(p.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), "matrix") {
				t.Errorf("point %s marshals its matrix:\n%s", p.Name, out)
			}
			b, err := Parse("m.yaml", out, nil)
			if err != nil {
				t.Fatalf("point %s: re-Parse of\n%s\nfailed: %v", p.Name, out, err)
			}
			a := *p.Scenario
			a.origins, b.origins = nil, nil
			if !reflect.DeepEqual(&a, b) {
				t.Errorf("point %s: round trip changed it:\n%+v\n%+v", p.Name, &a, b)
			}
		}
		j, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var jback Scenario
		if err := json.Unmarshal(j, &jback); err != nil {
			t.Fatalf("JSON %s: %v", j, err)
		}
		if m1, _ := json.Marshal(jback.Matrix); string(m1) != string(mustJSON(t, s.Matrix)) {
			t.Errorf("JSON round trip of the matrix: %s, want %s", m1, mustJSON(t, s.Matrix))
		}
	}
	s, _ := Parse("m.yaml", []byte(productMatrix), nil)
	if got, want := string(mustJSON(t, s.Matrix)), `{"job.checkpoint.interval":["1s","10s"],"job.state_backend":["hashmap","rocksdb"]}`; got != want {
		t.Errorf("matrix JSON %s, want %s", got, want)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
