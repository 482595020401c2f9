package measure

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/abload/abload/reports"
)

// judgeWindow is one capacity step's judged part: the e2e latency and the
// send delay of the events intended in [fromNs, toNs), and the consumer
// delay of the output records read in it.
type judgeWindow struct {
	fromNs, toNs                  int64
	e2e, sendDelay, consumerDelay *hdrhistogram.Histogram
}

// Judged is what a capacity step's judge window measured.
type Judged struct {
	Events                             int64 // judged events whose update arrived
	E2EP50Ms, E2EP99Ms, E2EMaxMs       float64
	SendDelayP99Ms, ConsumerDelayP99Ms float64
	Owing                              int64 // events still owed an update (scaled by the sample)
}

// StartJudge opens a capacity step's judge window: from now on the events
// intended in [fromNs, toNs) and the output read in it are judged apart
// (until EndJudge).
func (c *Collector) StartJudge(fromNs, toNs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.judge = &judgeWindow{fromNs: fromNs, toNs: toNs, e2e: reports.NewLatencyHistogram(),
		sendDelay: reports.NewLatencyHistogram(), consumerDelay: reports.NewLatencyHistogram()}
}

// JudgedEvents is how many of the judge window's events have had their
// update read so far (0 outside a window).
func (c *Collector) JudgedEvents() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.judge == nil {
		return 0
	}
	return c.judge.e2e.TotalCount()
}

// Owing is how many events sent still owe their update (scaled by
// job.updates_sample): what the outputs are behind.
func (c *Collector) Owing() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return (c.expected - c.counted) * c.sample
}

// EndJudge closes the judge window and returns what it measured.
func (c *Collector) EndJudge() Judged {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Judged{Owing: (c.expected - c.counted) * c.sample}
	jw := c.judge
	c.judge = nil
	if jw == nil {
		return out
	}
	out.Events = jw.e2e.TotalCount()
	if out.Events > 0 {
		out.E2EP50Ms = float64(jw.e2e.ValueAtQuantile(50)) / 1000
		out.E2EP99Ms = float64(jw.e2e.ValueAtQuantile(99)) / 1000
		out.E2EMaxMs = float64(jw.e2e.Max()) / 1000
	}
	if jw.sendDelay.TotalCount() > 0 {
		out.SendDelayP99Ms = float64(jw.sendDelay.ValueAtQuantile(99)) / 1000
	}
	if jw.consumerDelay.TotalCount() > 0 {
		out.ConsumerDelayP99Ms = float64(jw.consumerDelay.ValueAtQuantile(99)) / 1000
	}
	return out
}
