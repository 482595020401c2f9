package session

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abload/abload/reports"
)

// restoreRecord is the result's restore section for a job started from the
// savepoint dir (absolute) that became RUNNING, every task, after took:
// whether Flink names it as what the job restored, and the Flink version of
// the run that wrote it. Flink's checkpoint statistics list the restore a
// moment after the job runs: read for up to 5 s.
func (s *session) restoreRecord(ctx context.Context, dir string, took time.Duration) *reports.Restore {
	rec := &reports.Restore{From: dir, RunningAfterS: took.Seconds(), FromFlinkVersion: savepointFlinkVersion(dir)}
	deadline := time.Now().Add(5 * time.Second)
	for {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		r, err := s.flink.RestoredFrom(rctx, s.jobID)
		cancel()
		switch {
		case err == nil && r != nil && samePath(r.ExternalPath, dir):
			rec.Restored, rec.CheckpointID, rec.IsSavepoint = true, r.ID, r.IsSavepoint
		case err == nil && r != nil:
			rec.Note = fmt.Sprintf("Flink reports the job restored %s, not %s", r.ExternalPath, dir)
		case time.Now().Before(deadline) && ctx.Err() == nil:
			time.Sleep(250 * time.Millisecond)
			continue
		case err != nil:
			rec.Note = fmt.Sprintf("what the job restored could not be read: %v", err)
		default:
			rec.Note = "Flink reports no restore for the job"
		}
		break
	}
	if rec.Restored {
		from := ""
		if rec.FromFlinkVersion != "" {
			from = " (written on Flink " + rec.FromFlinkVersion + ")"
		}
		s.con.Logf("abload: the job restored savepoint %s%s; running %.1f s after submission", dir, from, took.Seconds())
	} else {
		s.con.Logf("abload: warning: job.restore_from %s: %s", dir, rec.Note)
	}
	return rec
}

// samePath reports a Flink path ("file:/a/b", "file:///a/b/") that names
// the directory dir.
func samePath(flinkPath, dir string) bool {
	p := strings.TrimPrefix(flinkPath, "file:")
	for strings.HasPrefix(p, "//") {
		p = p[1:]
	}
	return filepath.Clean(p) == filepath.Clean(dir)
}

// savepointFlinkVersion is the Flink version of the run whose
// job.savepoint_at_end wrote dir (OUT/savepoint/savepoint-…): its
// result.json two directories up, when that result names dir as its
// savepoint; "" otherwise.
func savepointFlinkVersion(dir string) string {
	res := filepath.Join(filepath.Dir(filepath.Dir(dir)), "result.json")
	if _, err := os.Stat(res); err != nil {
		return ""
	}
	r, err := reports.ReadResult(res)
	if err != nil || !samePath(r.Savepoint, dir) {
		return ""
	}
	return r.Environment.FlinkVersion
}
