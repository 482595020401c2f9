package measure

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
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
