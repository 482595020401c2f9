package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

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
