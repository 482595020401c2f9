package reports_test

import (
	"fmt"
	"time"

	"github.com/abload/abload/reports"
)

func ExampleLatencyFromHistogram() {
	h := reports.NewLatencyHistogram()
	for _, d := range []time.Duration{800 * time.Microsecond, 2 * time.Millisecond, 12 * time.Millisecond, 40 * time.Millisecond} {
		h.RecordValue(d.Microseconds())
	}
	s := reports.LatencyFromHistogram(h)
	fmt.Printf("count %d, p50 %.3f ms, max %.3f ms\n", s.Count, s.P50, s.Max)
	// Output: count 4, p50 2.000 ms, max 40.031 ms
}
