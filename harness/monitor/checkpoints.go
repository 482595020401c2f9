package monitor

import (
	"sort"

	"github.com/abload/abload/harness/flink"
)

// Interval is a span of Unix nanoseconds [From, To].
type Interval struct{ From, To int64 }

// CheckpointIntervals returns when each checkpoint (savepoints included) was
// in flight: from its trigger to its end (completed or failed), or to nowNs
// for one still in progress.
func CheckpointIntervals(list []flink.CheckpointEntry, nowNs int64) []Interval {
	var out []Interval
	for _, c := range list {
		from := c.TriggerTimestamp * 1e6
		to := from + c.EndToEndDuration*1e6
		if c.Status == "IN_PROGRESS" {
			to = nowNs
		} else if c.EndToEndDuration <= 0 && c.LatestAck > 0 {
			to = c.LatestAck * 1e6
		}
		out = append(out, Interval{from, max(from, to)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// Overlaps says whether [from, to] overlaps one of ivs (sorted by From).
func Overlaps(ivs []Interval, from, to int64) bool {
	// ivs is sorted by from; few enough for a linear scan per query.
	for _, iv := range ivs {
		if iv.From > to {
			return false
		}
		if iv.To >= from {
			return true
		}
	}
	return false
}
