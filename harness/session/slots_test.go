package session

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/flink/flinktest"
	"github.com/abload/abload/harness/live"
)

// A job cancelled just before holds its slots a moment after it reports
// CANCELED; a job submitted into that moment fails at once in a standalone
// cluster. The submission waits for the slots.
func TestSubmissionWaitsForSlotsAJustCancelledJobHolds(t *testing.T) {
	ff := flinktest.NewServer(t, "job-1")
	start := time.Now()
	ff.Overview = func() flink.Overview {
		o := flink.Overview{SlotsTotal: 4, JobsRunning: 1}
		if time.Since(start) > 600*time.Millisecond {
			o.SlotsAvailable, o.JobsRunning = 4, 0
		}
		return o
	}
	r := &session{con: live.NewConsole(io.Discard, nil), flink: ff.Client()}
	if err := r.waitForSlots(context.Background(), 2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 600*time.Millisecond {
		t.Fatalf("returned after %s, before the slots were free", took)
	}
	if n := ff.Requests["/overview"]; n < 2 {
		t.Fatalf("asked the cluster %d time(s)", n)
	}
}

func TestSubmissionReportsSlotsThatStayTaken(t *testing.T) {
	ff := flinktest.NewServer(t, "job-1")
	ff.Overview = func() flink.Overview { return flink.Overview{SlotsTotal: 4, SlotsAvailable: 1, JobsRunning: 1} }
	r := &session{con: live.NewConsole(io.Discard, nil), flink: ff.Client()}
	err := r.waitForSlots(context.Background(), 2, 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "1 free task slot(s) of 4") || !strings.Contains(err.Error(), "needs 2") {
		t.Fatalf("err = %v", err)
	}
	// A cluster smaller than the job, or one that can't be asked, is left
	// to Flink.
	ff.Lock()
	ff.Overview = func() flink.Overview { return flink.Overview{SlotsTotal: 1} }
	ff.Unlock()
	if err := r.waitForSlots(context.Background(), 2, time.Second); err != nil {
		t.Fatal(err)
	}
	ff.Lock()
	ff.Overview = nil
	ff.Unlock()
	if err := r.waitForSlots(context.Background(), 2, time.Second); err != nil {
		t.Fatal(err)
	}
}
