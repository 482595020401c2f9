package harness

import (
	"math"
	"testing"

	"github.com/abload/abload/reports"
)

// The read rate over a span is net: produced plus the lag's decrease. A
// restart that rewinds the source (the lag jumps up) and reads the same
// events again does not count them twice.
func TestMeanReadRateIsNet(t *testing.T) {
	var ts []reports.TimePoint
	lag := int64(0)
	for i := 0; i <= 20; i++ {
		switch {
		case i <= 10:
			lag += 200 // 1000/s produced, the job reads 800/s
		case i == 11:
			lag += 5000 // a restart rewinds the source by 5000 events
		default:
			lag -= 1000 // 1000/s produced, the job reads 2000/s while catching up
		}
		ts = append(ts, reports.TimePoint{TS: float64(i), SentEPS: 1000, Lag: lag})
	}
	for _, c := range []struct {
		from, to, want float64
	}{
		{0, 10, 800},
		{12, 20, 2000},
		// Across the rewind: 2000 produced, the lag up by 5000 − 1000:
		// the job lost ground, it did not read 2000 events twice.
		{10, 12, 0},
		{8, 14, (6000 - (200*2 + 5000 - 3000)) / 6.0},
	} {
		if got := meanReadRate(ts, c.from, c.to); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("meanReadRate(%v, %v) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if got := meanReadRate(ts, 30, 40); got != 0 {
		t.Errorf("no points: %v", got)
	}
}
