package reports

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: latencies are recorded in microseconds.
const (
	histLowest  = 1                                   // 1 µs
	histHighest = int64(time.Hour / time.Microsecond) // 1 h
	histDigits  = 3                                   // significant digits
)

// NewLatencyHistogram returns a histogram for latencies in microseconds,
// 1 µs .. 1 h at 3 significant digits. Record with RecordValue(d.Microseconds()).
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histDigits)
}

// LatencyFromHistogram summarises a microsecond histogram in milliseconds.
// A nil or empty histogram gives the zero LatencyStats (Count 0).
func LatencyFromHistogram(h *hdrhistogram.Histogram) LatencyStats {
	if h == nil || h.TotalCount() == 0 {
		return LatencyStats{}
	}
	return LatencyStats{
		Count: h.TotalCount(),
		P10:   usToMs(h.ValueAtQuantile(10)),
		P50:   usToMs(h.ValueAtQuantile(50)),
		P90:   usToMs(h.ValueAtQuantile(90)),
		P99:   usToMs(h.ValueAtQuantile(99)),
		P999:  usToMs(h.ValueAtQuantile(99.9)),
		Max:   usToMs(h.Max()),
	}
}

// DelayFromHistogram summarises a microsecond histogram as p50/p99/max in
// milliseconds.
func DelayFromHistogram(h *hdrhistogram.Histogram) DelayStats {
	l := LatencyFromHistogram(h)
	return DelayStats{P50: l.P50, P99: l.P99, Max: l.Max}
}

func usToMs(us int64) float64 { return float64(us) / 1000 }
