package reports

import (
	"bytes"
	"strings"
	"testing"
)

// A restore shows in the text summary and report.md: from where, the
// version that wrote it, restored or why not, and the time to run.
func TestRestoreText(t *testing.T) {
	ok := &Restore{From: "/o/savepoint/savepoint-1", Restored: true, CheckpointID: 7, IsSavepoint: true, RunningAfterS: 3.25, FromFlinkVersion: "1.20.0"}
	if got, want := RestoreText(ok), "from /o/savepoint/savepoint-1 (written on Flink 1.20.0): restored (savepoint 7); running 3.2 s after submission"; got != want {
		t.Errorf("RestoreText = %q, want %q", got, want)
	}
	no := &Restore{From: "/o/sp", RunningAfterS: 2, Note: "Flink reports no restore for the job"}
	if got := RestoreText(no); !strings.Contains(got, "not confirmed restored: Flink reports no restore for the job") || strings.Contains(got, "written on") {
		t.Errorf("RestoreText of an unconfirmed restore = %q", got)
	}
	r := &Result{Schema: Schema, Restore: ok}
	var text, md bytes.Buffer
	WriteSummary(&text, r)
	WriteMarkdown(&md, r)
	for name, out := range map[string]string{"text": text.String(), "report.md": md.String()} {
		if !strings.Contains(out, "written on Flink 1.20.0") {
			t.Errorf("%s lacks the restore:\n%s", name, out)
		}
	}
}
