package harness

import (
	"github.com/abload/abload/reports"
)

// skewBetween turns two snapshots of per-subtask records-in (taken at the
// start and the end of the measurement phase) into the load imbalance of
// each vertex: max/mean of the subtasks' records over the phase. Vertices
// that received nothing are left out. Skew.MaxOverMean is the largest
// max/mean among the vertices that carry a real share of the job's work (at
// least minShareOfBusiest of the busiest vertex's records): a stage that sees
// a few hundred records, such as the merge of salted windows, can be
// unbalanced at no cost.
func skewBetween(start, end []SubtaskRecords) *reports.Skew {
	before := map[string][]int64{}
	for _, v := range start {
		before[v.Name] = v.RecordsIn
	}
	sk := &reports.Skew{}
	var busiest int64
	var sums []int64
	for _, v := range end {
		b := before[v.Name]
		delta := make([]int64, len(v.RecordsIn))
		var sum, mx int64
		for i, n := range v.RecordsIn {
			d := n
			if i < len(b) {
				d -= b[i]
			}
			if d < 0 {
				d = 0 // a restarted task starts counting afresh
			}
			delta[i] = d
			sum += d
			mx = max(mx, d)
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
	if len(sk.Vertices) == 0 {
		return nil
	}
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
