package session

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
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
		from, kind := "", "checkpoint"
		if rec.FromFlinkVersion != "" {
			from = " (written on Flink " + rec.FromFlinkVersion + ")"
		}
		if rec.IsSavepoint {
			kind = "savepoint"
		}
		s.con.Logf("abload: the job restored %s %s%s; running %.1f s after submission", kind, dir, from, took.Seconds())
	} else {
		s.con.Logf("abload: warning: job.restore_from %s: %s", dir, rec.Note)
	}
	return rec
}

// samePath reports a Flink path ("file:/a/b", "file:///a/b/") that names
// the directory dir.
func samePath(flinkPath, dir string) bool {
	p := scenarios.LocalPath(flinkPath)
	return p != "" && filepath.Clean(p) == filepath.Clean(dir)
}

// SavepointInfoFile is what abload writes beside a savepoint's _metadata
// (job.savepoint_at_end): the Flink version that wrote it, so a run that
// restores it says so wherever the savepoint was moved.
const SavepointInfoFile = "abload-savepoint.json"

// savepointInfo is SavepointInfoFile's content.
type savepointInfo struct {
	FlinkVersion string `json:"flink_version"`
	RunID        string `json:"run_id,omitempty"`
}

// writeSavepointInfo writes SavepointInfoFile into the savepoint dir.
func writeSavepointInfo(dir, flinkVersion, runID string) error {
	b, err := json.MarshalIndent(savepointInfo{FlinkVersion: flinkVersion, RunID: runID}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, SavepointInfoFile), append(b, '\n'), 0o644)
}

// savepointFlinkVersion is the Flink version that wrote the savepoint dir:
// from SavepointInfoFile in it, else from the result.json of the run whose
// job.savepoint_at_end wrote it (OUT/savepoint/savepoint-…, two directories
// up) when that result names dir as its savepoint; "" otherwise.
func savepointFlinkVersion(dir string) string {
	if b, err := os.ReadFile(filepath.Join(dir, SavepointInfoFile)); err == nil {
		var in savepointInfo
		if json.Unmarshal(b, &in) == nil && in.FlinkVersion != "" {
			return in.FlinkVersion
		}
	}
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
