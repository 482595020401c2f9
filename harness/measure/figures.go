package measure

import (
	"github.com/abload/abload/reports"
)

// Figures is what the collector measured over a run, as values: the
// result's latency, delay, throughput and reconciliation inputs.
type Figures struct {
	// MeasureStartNs, MeasureEndNs: the measurement phase, by intended time.
	MeasureStartNs, MeasureEndNs int64
	E2E, Window                  reports.LatencyStats // measurement phase, by intended time
	SendDelay                    reports.DelayStats
	ConsumerDelay                reports.DelayStats // every output record
	// ConsumerDelayValid leaves out the records read while a fault or a
	// restart was excused: what the consumer's validity is judged on.
	ConsumerDelayValid reports.DelayStats
	// Processed counts the distinct updates the job's sink wrote inside
	// the measurement phase; Sample is job.updates_sample (1 in Sample
	// events reports back).
	Processed, Sample int64
	OutMeasure        int64 // output records read during the measurement phase (wall time)
	Clamped           int64 // latencies above the histograms' hour, recorded as an hour
	ProducerTime      int64 // output records stamped by their producer (CreateTime topics)
	Negative          int64 // outputs read before their intended time
	// Reconciliation on the updates path: every event sent (prefill
	// included), or 1 in Sample. Variants is per variant, sorted, without
	// LateInjected (the generator knows that); NoVariant counts updates
	// that carried no variant (then Variants is empty).
	Reconciliation reports.Reconciliation
	NoVariant      int64
	// Windows is the reconciliation on the windows path, Measured the
	// job's window counts per variant (prefill windows left out).
	Windows reports.WindowReconciliation
	// WindowsShort counts the windows of Windows.CountMismatch that came
	// with fewer events than they were owed.
	WindowsShort int64
	Measured     map[string]*reports.MeasuredCounts
	// WrittenEPS is, per closed timeline interval, the events/s the job
	// processed in it (owed updates written then, scaled by Sample).
	WrittenEPS []float64
	// BadRecords counts output records that could not be read; Breaches
	// say how they broke the output contract, in the order first seen.
	BadRecords int64
	Breaches   []string
}
