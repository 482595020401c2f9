package e2echeck

import (
	"fmt"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// recorder is a testing.TB that keeps the errors it is given.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Logf(string, ...any)          {}
func (r *recorder) Errorf(f string, args ...any) { r.errs = append(r.errs, fmt.Sprintf(f, args...)) }

// The shaping claim against known figures: the project's CI runs that
// passed and failed, and a shaping that did not apply.
func TestShapedLatency(t *testing.T) {
	lat := func(p10, p50, p99 float64) reports.LatencyStats {
		return reports.LatencyStats{P10: p10, P50: p50, P99: p99}
	}
	for _, c := range []struct {
		name             string
		unshaped, shaped reports.LatencyStats
		top              float64
		wantErrs         int
	}{
		// By hand, 100 ms each way: the whole distribution moved.
		{"shifted", lat(78.8, 169.3, 314.4), lat(365.6, 482.0, 667.1), 950, 0},
		// CI 73: a burst in the unshaped run; the p10 rose 200 ms.
		{"unshaped burst", lat(202.2, 451.6, 1897.5), lat(402.2, 507.6, 696.8), 950, 0},
		// Not applied on a busy machine: p10 above the floor, no rise.
		{"not applied", lat(210, 400, 900), lat(230, 420, 950), 950, 1},
		// Applied once instead of twice: the floor.
		{"one crossing", lat(60, 150, 300), lat(170, 260, 400), 950, 1},
		// A rise far above what the crossings explain.
		{"too much", lat(80, 170, 300), lat(300, 1500, 2000), 950, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &recorder{TB: t}
			ShapedLatency(r, c.unshaped, c.shaped, 100*time.Millisecond, c.top)
			if len(r.errs) != c.wantErrs {
				t.Errorf("errors %q, want %d", r.errs, c.wantErrs)
			}
		})
	}
}
