package measure

import (
	"slices"
	"strings"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// SkewBetween turns two snapshots of per-subtask records-in (taken at the
// start and the end of the measurement phase) into the load imbalance of
// each vertex: max/mean of the subtasks' records over the phase. Vertices
// that received nothing are left out, and so are those whose counters went
// back (a subtask restarted: its records over the phase are not known),
// listed in Skew.Unmeasured. Skew.MaxOverMean is the largest
// max/mean among the vertices that carry a real share of the job's work (at
// least minShareOfBusiest of the busiest vertex's records): a stage that sees
// a few hundred records, such as the merge of salted windows, can be
// unbalanced at no cost.
func SkewBetween(start, end []flink.SubtaskRecords) *reports.Skew {
	before := map[string][]int64{}
	for _, v := range start {
		before[v.Name] = v.RecordsIn
	}
	sk := &reports.Skew{}
	var busiest int64
	var sums []int64
	var restarted []string
	for _, v := range end {
		b := before[v.Name]
		delta := make([]int64, len(v.RecordsIn))
		var sum, mx int64
		reset := false
		for i, n := range v.RecordsIn {
			d := n
			if i < len(b) {
				d -= b[i]
			}
			if d < 0 {
				// A restarted task counts afresh: what it did over the
				// phase is not known.
				reset = true
			}
			delta[i] = d
			sum += d
			mx = max(mx, d)
		}
		if reset {
			restarted = append(restarted, v.Name)
			continue
		}
		if sum == 0 {
			continue
		}
		mean := float64(sum) / float64(len(delta))
		vs := reports.VertexSkew{Name: v.Name, MaxOverMean: float64(mx) / mean, RecordsIn: delta}
		sk.Vertices = append(sk.Vertices, vs)
		busiest = max(busiest, sum)
		sums = append(sums, sum)
	}
	if len(sk.Vertices) == 0 && len(restarted) == 0 {
		return nil
	}
	sk.Unmeasured = restarted
	for i, v := range sk.Vertices {
		if float64(sums[i]) >= minShareOfBusiest*float64(busiest) {
			sk.MaxOverMean = max(sk.MaxOverMean, v.MaxOverMean)
		}
	}
	return sk
}

// minShareOfBusiest: vertices with fewer records than this share of the
// busiest vertex's do not set Skew.MaxOverMean.
const minShareOfBusiest = 0.05

// ExpectedSkew places each (campaign, variant) key's events (perKey: the
// windows path's tallies of what was sent, late events taken out) on the
// subtask Flink's key-group assignment gives the key, for the vertices
// keyed by it, and sets their ExpectedMaxOverMean: the busiest subtask's
// load over the mean. A vertex whose parallelism is not the stage's (a
// rescaled job) is left without.
func ExpectedSkew(sk *reports.Skew, perKey map[load.WindowKey]int64, j scenarios.Job) {
	stagePar := func(override int) int {
		if override > 0 {
			return override
		}
		return j.Parallelism
	}
	for i := range sk.Vertices {
		v := &sk.Vertices[i]
		var p int
		switch {
		case hasOperator(v.Name, "windows") && j.SkewMitigation.Kind != scenarios.MitigationSalted:
			p = stagePar(j.StageParallelism.Windows)
		case hasOperator(v.Name, "counts"):
			p = stagePar(j.StageParallelism.Counts)
		default:
			continue
		}
		if p != len(v.RecordsIn) {
			continue
		}
		maxP := j.MaxParallelism
		if maxP == 0 {
			maxP = defaultMaxParallelism(p)
		}
		perSubtask := make([]int64, p)
		var sum int64
		for k, n := range perKey {
			_, st := subtaskOf(campaignVariantHash(k.Campaign, k.Variant), maxP, p)
			perSubtask[st] += n
			sum += n
		}
		if sum == 0 {
			continue
		}
		e := float64(slices.Max(perSubtask)) / (float64(sum) / float64(p))
		v.ExpectedMaxOverMean = &e
	}
}

// hasOperator reports whether a vertex name ("a -> b: Writer -> c") chains
// the operator op.
func hasOperator(vertex, op string) bool {
	for _, part := range strings.Split(vertex, " -> ") {
		if name, _, _ := strings.Cut(strings.TrimSpace(part), ":"); name == op {
			return true
		}
	}
	return false
}
