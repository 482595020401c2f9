package session

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/abload/abload/reports"
)

func TestSamePath(t *testing.T) {
	for _, c := range []struct {
		flink, dir string
		want       bool
	}{
		{"file:/out/savepoint/savepoint-1", "/out/savepoint/savepoint-1", true},
		{"file:///out/savepoint/savepoint-1/", "/out/savepoint/savepoint-1", true},
		{"/out/savepoint/savepoint-1", "/out/savepoint/savepoint-1/", true},
		{"file:/out/savepoint/savepoint-2", "/out/savepoint/savepoint-1", false},
		{"file:/out/savepoint/savepoint-1/x", "/out/savepoint/savepoint-1", false},
		{"", "/out/savepoint/savepoint-1", false},
	} {
		if got := samePath(c.flink, c.dir); got != c.want {
			t.Errorf("samePath(%q, %q) = %v, want %v", c.flink, c.dir, got, c.want)
		}
	}
}

// The version that wrote a savepoint is read from the result.json of the
// run whose savepoint it is, two directories up; any other result there
// (another run's savepoint) or none gives no version.
func TestSavepointFlinkVersion(t *testing.T) {
	out := t.TempDir()
	sp := filepath.Join(out, "savepoint", "savepoint-abc")
	if err := os.MkdirAll(sp, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := savepointFlinkVersion(sp); got != "" {
		t.Errorf("without a result.json: %q, want none", got)
	}
	write := func(savepoint string) {
		r := reports.Result{Schema: reports.Schema, Savepoint: savepoint}
		r.Environment.FlinkVersion = "1.20.0"
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "result.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("file:" + sp)
	if got := savepointFlinkVersion(sp); got != "1.20.0" {
		t.Errorf("the run's own savepoint: %q, want 1.20.0", got)
	}
	write("file:" + filepath.Join(out, "savepoint", "savepoint-other"))
	if got := savepointFlinkVersion(sp); got != "" {
		t.Errorf("a result.json naming another savepoint: %q, want none", got)
	}
}
