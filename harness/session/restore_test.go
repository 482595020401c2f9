package session

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/flink"
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

// The info file beside a savepoint names its version wherever the savepoint
// was moved; it wins over a result.json.
func TestSavepointInfoFile(t *testing.T) {
	sp := filepath.Join(t.TempDir(), "moved-savepoint")
	if err := os.MkdirAll(sp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeSavepointInfo(sp, "1.20.0", "run-1"); err != nil {
		t.Fatal(err)
	}
	if got := savepointFlinkVersion(sp); got != "1.20.0" {
		t.Errorf("savepointFlinkVersion = %q, want 1.20.0 from %s", got, SavepointInfoFile)
	}
}

// restoreRecord asks Flink what the job restored until it says (Flink lists
// the restore a moment after the job runs), and says when it names another
// path or nothing.
func TestRestoreRecord(t *testing.T) {
	r, ff := snapshotRig(t)
	sp := filepath.Join(t.TempDir(), "savepoint-1")
	// Listed only after a few reads.
	ff.Lock()
	ff.Restored = nil
	ff.Unlock()
	go func() {
		time.Sleep(600 * time.Millisecond)
		ff.Lock()
		ff.Restored = &flink.Restored{ID: 4, IsSavepoint: true, ExternalPath: "file:" + sp}
		ff.Unlock()
	}()
	rec := r.restoreRecord(context.Background(), sp, 3*time.Second)
	if !rec.Restored || rec.CheckpointID != 4 || !rec.IsSavepoint || rec.From != sp || rec.RunningAfterS != 3 || rec.Note != "" {
		t.Errorf("restore %+v: want savepoint 4 restored after 3 s", rec)
	}
	ff.Lock()
	ff.Restored = &flink.Restored{ID: 5, ExternalPath: "file:/elsewhere"}
	ff.Unlock()
	if rec := r.restoreRecord(context.Background(), sp, time.Second); rec.Restored || !strings.Contains(rec.Note, "/elsewhere") {
		t.Errorf("another path restored: %+v", rec)
	}
	ff.Lock()
	ff.Restored = nil
	ff.Unlock()
	t0 := time.Now()
	if rec := r.restoreRecord(context.Background(), sp, time.Second); rec.Restored || rec.Note != "Flink reports no restore for the job" {
		t.Errorf("nothing restored: %+v", rec)
	}
	if d := time.Since(t0); d < 4*time.Second || d > 10*time.Second {
		t.Errorf("nothing restored: gave up after %s, want after about 5 s", d)
	}
}
