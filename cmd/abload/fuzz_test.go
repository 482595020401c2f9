package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/reports"
)

// A matrix's index.json never leads report outside the matrix directory,
// and every run it returns holds a result.json.
func FuzzRunDirs(f *testing.F) {
	for _, s := range []string{`{"runs":[{"dir":"p1-r1"}]}`, `{"runs":[{"dir":"../outside"}]}`, `{"runs":[{"dir":"/etc"}]}`, `{"runs":[]}`, `{`, `{"runs":[{"dir":"."}]}`, `{"runs":[{"dir":"p1-r1/../../outside"}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, index string) {
		root := t.TempDir()
		dir := filepath.Join(root, "matrix")
		for _, d := range []string{filepath.Join(dir, "p1-r1"), filepath.Join(root, "outside")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, reports.ResultFile), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(index), 0o644); err != nil {
			t.Fatal(err)
		}
		dirs, err := runDirs(dir)
		if err != nil {
			return
		}
		for _, d := range dirs {
			rel, err := filepath.Rel(dir, d)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Fatalf("index %q: run dir %s is outside %s", index, d, dir)
			}
			if _, err := os.Stat(filepath.Join(d, reports.ResultFile)); err != nil {
				t.Fatalf("index %q: run dir %s has no result.json", index, d)
			}
		}
	})
}
