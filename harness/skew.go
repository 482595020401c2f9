package harness

import (
	"github.com/abload/abload/reports"
)

// skewBetween turns two snapshots of per-subtask records-in (taken at the
// start and the end of the measurement phase) into the load imbalance of
// each vertex: max/mean of the subtasks' records over the phase. Vertices
// that received nothing (the source reads from Kafka, not from a task) are
// left out; Skew.MaxOverMean is the largest of the rest.
func skewBetween(start, end []SubtaskRecords) *reports.Skew {
	before := map[string][]int64{}
	for _, v := range start {
		before[v.Name] = v.RecordsIn
	}
	sk := &reports.Skew{}
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
		sk.MaxOverMean = max(sk.MaxOverMean, vs.MaxOverMean)
	}
	if len(sk.Vertices) == 0 {
		return nil
	}
	return sk
}
