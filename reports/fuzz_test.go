package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
)

var gatePathRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// A gate parses to one comparison on a result.json path, and the text it
// keeps parses back to the same gate.
func FuzzParseGate(f *testing.F) {
	for _, s := range []string{"e2e.p99 < 500ms", "e2e.p99 worse_by > 10%", "e2e.p99 <= baseline", "e2e.p99 < 1.1 * baseline", "in_eps >= 1900/s",
		"skew < 2", "window.p99 < 1h", "e2e.p99 500ms", "a < b < c", "e2e.P99 < 1s", "e2e.p99 worse_by >= 10%", "x.y > -1e309", "e2e.p99 < NaN", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGate(s)
		if err != nil {
			return
		}
		switch g.Op {
		case "<", "<=", ">", ">=":
		default:
			t.Fatalf("%q: op %q", s, g.Op)
		}
		if !gatePathRE.MatchString(g.Path) {
			t.Fatalf("%q: path %q is not a result.json path", s, g.Path)
		}
		if g.Value != g.Value || g.Factor != g.Factor {
			t.Fatalf("%q: NaN in %+v", s, g)
		}
		again, err := ParseGate(g.Text)
		if err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("%q: parsed %+v, its text parses to %+v, %v", s, g, again, err)
		}
	})
}

// ReadResult never panics on a file; what it accepts, WriteResult writes
// and ReadResult reads back to the same JSON.
func FuzzReadResult(f *testing.F) {
	for _, s := range []string{`{"schema":"` + Schema + `","valid":true,"latency_ms":{"e2e":{"count":3,"p50":1.5}}}`, `{}`, `{"schema":"abload.result/v0"}`, `[]`, `{"schema":"` + Schema + `","throughput":{"in_eps":"x"}}`, `null`} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "corpus", "aa", "run-01", ResultFile)); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, ResultFile)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := ReadResult(path)
		if err != nil {
			return
		}
		// WriteResult normalizes (empty lists, not null): from the first
		// write on, writing and reading is a fixed point.
		roundTrip := func(r *Result) *Result {
			out := t.TempDir()
			if err := WriteResult(out, r); err != nil {
				t.Fatalf("write back: %v", err)
			}
			back, err := ReadResult(filepath.Join(out, ResultFile))
			if err != nil {
				t.Fatalf("read back what WriteResult wrote: %v", err)
			}
			return back
		}
		r2 := roundTrip(r)
		r3 := roundTrip(r2)
		first, _ := json.Marshal(r2)
		second, _ := json.Marshal(r3)
		if !bytes.Equal(first, second) {
			t.Fatalf("round trip changed the result:\n%s\n%s", first, second)
		}
	})
}
