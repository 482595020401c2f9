package e2echeck

import (
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// ShapedLatency checks two runs' e2e latency, unshaped and with each added
// to every crossing of the shaped network path, and logs them.
//
// The bottom is a floor no load can lower: every record crosses the delayed
// path twice (the job's fetch response, its produce request), so the shaped
// run's p10 is at least 2 × each (less 5 ms for the latency histogram's
// rounding). So that a shaping that did not apply cannot pass on a busy
// machine whose unshaped p10 is high, the p10 must also rise by at least
// each (half the two crossings): the lower tail is where a load burst in one
// of the two sequential runs moves it least. The p50's rise is no bottom:
// beside test lanes whose load changes, an unshaped run's burst raised its
// p50 to 451.6 ms (p99 1,897 ms), and with 100 ms each way the p50 rose
// 56.1 ms while the p10 rose 200 ms (the project's CI 73). The p50's rise
// must stay at most top (the caller's: how many crossings a record can
// wait for, and the machine's load).
func ShapedLatency(t testing.TB, unshaped, shaped reports.LatencyStats, each time.Duration, top float64) {
	t.Helper()
	d := float64(each.Milliseconds())
	rise := shaped.P50 - unshaped.P50
	t.Logf("e2e p50 %.1f ms unshaped, %.1f ms with %v each way (+%.1f ms); p10 %.1f → %.1f ms; p99 %.1f → %.1f ms",
		unshaped.P50, shaped.P50, each, rise, unshaped.P10, shaped.P10, unshaped.P99, shaped.P99)
	if floor := 2*d - 5; shaped.P10 < floor {
		t.Errorf("shaped run: e2e p10 %.1f ms with %v added each way: want at least %.0f (every record crosses the path twice)", shaped.P10, each, floor)
	}
	if p10rise := shaped.P10 - unshaped.P10; p10rise < d {
		t.Errorf("e2e p10 rose by %.1f ms with %v added each way, want at least %.0f (half of the two crossings)", p10rise, each, d)
	}
	if rise > top {
		t.Errorf("e2e p50 rose by %.1f ms to %.1f ms with %v added each way, want at most %.0f ms", rise, shaped.P50, each, top)
	}
}
