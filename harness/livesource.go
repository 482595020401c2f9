package harness

import (
	"time"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/reports"
)

// runPhases are the phases a run goes through, exported as abload_phase.
var runPhases = []string{PhaseStartup, PhasePrefill, PhaseWarmup, PhaseMeasure, PhaseCooldown, PhaseDrain, PhaseCapacity, PhaseTeardown, PhaseDone}

// The run as the live view's source (live.Source).

func (r *runner) Info() (scenario, runID, envKind string) { return r.sc.Name, r.runID, r.sc.Env.Kind }
func (r *runner) Phase() string                           { return r.currentPhase() }
func (r *runner) Live() *live.State                       { return &r.live }

func (r *runner) Checkpoints() (completed, failed int, last *flink.CheckpointEntry, ok bool) {
	if r.mon == nil {
		return 0, 0, nil, false
	}
	completed, failed, last = r.mon.CheckpointSummary()
	return completed, failed, last, true
}

func (r *runner) Actions() live.Actions {
	var a live.Actions
	a.Faults, a.ActiveFaults, a.Scaling, a.Parallelism = r.actions.Counts()
	return a
}

// serveMetrics starts the run's Prometheus endpoint on addr.
func (r *runner) serveMetrics(addr string) (*live.Server, error) {
	return live.Serve(addr, r, runPhases, r.con.Logf)
}

// statusLines is the live status block.
func (r *runner) statusLines(pt reports.TimePoint, now int64) []string {
	elapsed := time.Duration(now - r.loadNs).Round(time.Second)
	total := (r.sc.Workload.Warmup.Duration + r.sc.Workload.Duration.Duration + r.sc.Workload.Cooldown.Duration).Round(time.Second)
	if r.capacitySpan > 0 {
		total = r.capacitySpan.Round(time.Second) // abload capacity: its budget
	}
	s := live.Status{Name: r.sc.Name, Point: pt, Elapsed: elapsed, Left: max(0, total-elapsed), Live: r.live.Get()}
	if r.mon != nil {
		s.Checkpoints = r.mon.CheckpointSummary
	}
	return live.StatusLines(s)
}
