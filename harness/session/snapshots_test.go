package session

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/flink/flinktest"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/scenarios"
)

// The fake job's vertices: a source and the scoring step.
const (
	srcVID   = "v-src"
	scoreVID = "v-score"
)

// snapshotRig is a rig whose monitor reads a fake Flink: a source
// vertex and a scoring vertex, each at parallelism 2.
func snapshotRig(t *testing.T) (*rig, *flinktest.Server) {
	t.Helper()
	ff := flinktest.NewServer(t, "job-1",
		flink.Vertex{ID: srcVID, Name: "Source: events-source -> late-filter", Parallelism: 2},
		flink.Vertex{ID: scoreVID, Name: "dedupe -> scoring", Parallelism: 2})
	sc, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "quick.yaml"), []string{"kafka.partitions=2"})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{session: &session{sc: sc, clock: NewClock(), con: live.NewConsole(io.Discard, nil), flink: ff.Client(), jobID: "job-1", topics: kafka.Topics{Input: "in"}}}
	r.startNs = r.clock.Now()
	r.mon = r.newMonitor()
	return r, ff
}

// checkScoringSkew checks the scoring vertex's max/mean in r's skew
// section against want (why: the records-in that give it).
func checkScoringSkew(t *testing.T, r *rig, want float64, why string) {
	t.Helper()
	if r.skew == nil {
		t.Fatal("no skew")
	}
	for _, v := range r.skew.Vertices {
		if v.Name == "dedupe -> scoring" {
			if math.Abs(v.MaxOverMean-want) > 1e-9 {
				t.Errorf("scoring skew %+v: want max/mean %v (%s)", v, want, why)
			}
			return
		}
	}
	t.Errorf("skew %+v: no scoring vertex", r.skew)
}

// The skew and the scoring step's cost come from per-subtask counters read
// at the start and the end of the measurement phase.
func TestSnapshotsGiveSkewAndJobCost(t *testing.T) {
	r, ff := snapshotRig(t)
	m := r.mon
	r.sc.Job.CostPerEvent.Duration = 400 * time.Microsecond
	cpuID, evID := "0.dedupe.scoring.costCpuNanos", "0.dedupe.scoring.costEvents"
	ff.ReadRecords[srcVID] = []int64{0, 0}
	ff.ReadRecords[scoreVID] = []int64{100, 100}
	ff.Set(scoreVID, cpuID, 4e7, 4e7)
	ff.Set(scoreVID, evID, 100, 100)
	r.snapshotSubtasks(true)
	ff.Lock()
	ff.ReadRecords[scoreVID] = []int64{100 + 3000, 100 + 1000} // 3:1
	ff.Unlock()
	ff.Set(scoreVID, cpuID, 4e7+3000*450e3, 4e7+1000*450e3) // 450 µs an event
	ff.Set(scoreVID, evID, 3100, 1100)
	r.snapshotSubtasks(false)
	r.skewEnd(context.Background(), false, 0, 0)
	jc := r.jobCost
	if jc == nil || jc.Unmeasured != "" || jc.Events != 4000 || math.Abs(jc.AchievedUs-450) > 1e-9 || jc.ConfiguredUs != 400 {
		t.Errorf("job cost %+v: want 4000 events at 450 µs (configured 400)", jc)
	}
	checkScoringSkew(t, r, 1.5, "3000 vs 1000")

	// A restart in between: the counters started over, the cost is unmeasured.
	ff.Set(scoreVID, cpuID, 1e6, 1e6)
	ff.Set(scoreVID, evID, 10, 10)
	r.snapshotSubtasks(true)
	ff.Lock()
	ff.Restarts = 1
	ff.Unlock()
	m.Sample(context.Background())
	ff.Set(scoreVID, cpuID, 2e6, 2e6)
	ff.Set(scoreVID, evID, 20, 20)
	r.snapshotSubtasks(false)
	if jc := r.jobCost; jc == nil || !strings.Contains(jc.Unmeasured, "restarted") || jc.AchievedUs != 0 {
		t.Errorf("job cost after a restart %+v: want unmeasured", jc)
	}
	// Metrics that can't be read: unmeasured, with the reason.
	ff.Lock()
	ff.Fail["/jobs/job-1"] = true
	ff.Unlock()
	r.snapshotSubtasks(false)
	if jc := r.jobCost; jc == nil || !strings.Contains(jc.Unmeasured, "could not be read") {
		t.Errorf("job cost with REST down %+v", jc)
	}
	r.skew = nil
	r.skewEnd(context.Background(), true, time.Millisecond, time.Millisecond)
	if r.skew != nil {
		t.Errorf("skew %+v from records-in that could not be read", r.skew)
	}
	r.snapshotSubtasks(true)
	if !r.skewFailed {
		t.Errorf("a failed skew read is not marked")
	}
}

// The skew's end read, after a drain that completed, serves values taken
// after the drain ended: Flink's metric fetcher serves what it took at its
// last refresh, and refreshes only when a request finds that older than its
// interval (the request itself gets the old values). The fake serves
// records-in that way; the last records reached the hot subtask just before
// the drain ended, after the store's last refresh.
func TestSkewEndReadsAfterARefresh(t *testing.T) {
	r, ff := snapshotRig(t)
	ff.ReadRecords[srcVID] = []int64{0, 0}
	ff.ReadRecords[scoreVID] = []int64{0, 0}
	r.snapshotSubtasks(true)
	const interval = 300 * time.Millisecond
	ff.Lock()
	ff.FetchInterval = interval
	ff.ReadRecords[scoreVID] = []int64{1000, 1000}
	ff.Unlock()
	// The store's last refresh takes 1000 vs 1000 (the first read starts
	// one; the second, an interval later, another).
	if _, err := r.flink.SubtaskRecordsIn(context.Background(), "job-1"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(interval + 50*time.Millisecond)
	if _, err := r.flink.SubtaskRecordsIn(context.Background(), "job-1"); err != nil {
		t.Fatal(err)
	}
	ff.Lock()
	ff.ReadRecords[scoreVID] = []int64{3000, 1000} // the last records, not in the store yet
	ff.Unlock()
	const margin = 150 * time.Millisecond // the fake's refreshes land in 20 ms
	t0 := time.Now()
	r.skewEnd(context.Background(), true, interval, margin)
	took := time.Since(t0)
	if took < interval+margin || took > interval+margin+2*time.Second {
		t.Errorf("the end read took %s, want the interval and the margin (%s) and not much more", took, interval+margin)
	}
	checkScoringSkew(t, r, 1.5, "3000 vs 1000: the values after the drain, not the store's older 1000 vs 1000")
	ff.Lock()
	ff.FetchInterval = 0
	ff.Unlock()
	path := "/jobs/job-1/vertices/" + scoreVID

	// Without settling (the drain timed out), the first read stands.
	r.snapshotSubtasks(true) // start at 3000/1000
	ff.Lock()
	ff.ReadRecords[scoreVID] = []int64{4000, 2000}
	ff.Unlock()
	ff.Lock()
	before := ff.Requests[path]
	ff.Unlock()
	r.skewEnd(context.Background(), false, time.Second, time.Second)
	ff.Lock()
	reads := ff.Requests[path] - before
	ff.Unlock()
	if reads != 1 {
		t.Errorf("%d end reads without settling, want 1", reads)
	}
	checkScoringSkew(t, r, 1, "1000 vs 1000")

	// A restart since the start read: a restarted subtask that counted
	// past its start value again would look like any other; every vertex
	// is unmeasured.
	r.snapshotSubtasks(true) // start at 4000/2000
	ff.Lock()
	ff.Restarts = 1
	ff.ReadRecords[scoreVID] = []int64{5000, 2500}
	ff.Unlock()
	r.mon.Sample(context.Background())
	r.skewEnd(context.Background(), false, time.Second, time.Second)
	if r.skew == nil || len(r.skew.Vertices) != 0 || len(r.skew.Unmeasured) != 2 {
		t.Errorf("skew after a restart %+v: want both vertices unmeasured", r.skew)
	}
}
