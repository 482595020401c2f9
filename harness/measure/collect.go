package measure

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/reports"
)

// windowResult is the part of a windows record the harness reads.
type windowResult struct {
	Campaign      int32                  `json:"campaign"`
	Variant       string                 `json:"variant"`
	StartMs       int64                  `json:"window_start_ms"`
	EndMs         int64                  `json:"window_end_ms"`
	Events        int64                  `json:"events"`
	MaxIntendedNs int64                  `json:"max_intended_ns"`
	Counts        reports.MeasuredCounts `json:"counts"`
}

// interval is a span of Unix nanoseconds [From, To].
type interval = monitor.Interval

// posSample is a count at a time.
type posSample struct {
	ns  int64
	pos int64
}

// Collector accumulates everything the harness learns from the job's
// outputs. The consumer goroutine records, the ticker goroutine rotates the
// per-second intervals; both hold mu.
type Collector struct {
	mu sync.Mutex

	measureStartNs, measureEndNs int64 // by intended time

	// reconciliation by seq on the updates path
	seen       []uint64 // bitset over seq
	capacity   int64    // seqs the schedule has (prefill included): 0 .. capacity-1
	total      int64    // events sent so far
	expected   int64    // updates expected so far: events sent with seq % sample == 0
	sample     int64    // job.updates_sample: the job emits the update of 1 in sample events
	counted    int64    // distinct seqs seen
	duplicated int64
	late       int64
	// processed counts distinct seqs whose update the job's sink wrote
	// inside the measurement phase (by the broker's append time, or the
	// harness's read time on a topic whose records carry their producer's
	// time): what the job processed then, whatever was sent when.
	processed   int64
	ivProcessed int64 // owed updates read in the current interval (the live line)
	// The timeline's processed rate, by the same stamp as processed:
	// ivBounds[i] is where interval i ended (ivOriginNs where the first
	// began), ivWritten[i] the owed updates written in it, counted as they
	// are read (often after it closed); ivWrittenOpen those written in the
	// interval still open.
	ivOriginNs    int64
	ivBounds      []int64
	ivWritten     []int64
	ivWrittenOpen int64
	// producerTime counts output records whose timestamp is the producer's
	// (CreateTime topics): no consumer delay can be measured from them.
	producerTime int64
	badRecords   int64
	// breaches are the ways output records broke the output contract, in
	// the order first seen.
	breaches    map[string]*contractBreach
	breachOrder []string

	// reconciliation by count on the windows path
	windows         load.WindowAssigner
	windowsExpected map[load.WindowKey]int64
	windowsGot      map[load.WindowKey]*gotWindow // session windows: summed per key at sessionStart
	sessionsSeen    map[load.WindowKey]int64      // session windows: events of each session (its own start)
	windowDupes     int64
	lateFirings     int64
	// Folding (non-session windows): once the job's watermark is far past
	// a window (a result ending windows.settleMs after it was read) and
	// its results matched what was sent key for key, it leaves the maps
	// for these totals, so they hold the open windows only, not the run's.
	maxFiredEndMs  int64
	folded         map[int64]struct{} // starts of folded windows
	foldedExpected int64
	foldedReceived int64
	foldedMeasured map[string]*reports.MeasuredCounts // per variant, prefill windows left out
	foldedKeys     map[load.WindowKey]int64           // events per (campaign, variant), prefill windows left out
	// After the end-of-run flush (flushed), a window ending after
	// flushAfterMs was closed by the flush, not by the events' watermark.
	flushed      bool
	flushAfterMs int64
	flushClosed  int64
	// prefillBeforeMs: windows starting before it hold only prefill events
	// and stay out of the measured counts (math.MinInt64 = no prefill).
	prefillBeforeMs int64

	e2e, window   *hdrhistogram.Histogram // measurement phase, by intended time
	consumerDelay *hdrhistogram.Histogram // every output record, all phases
	// consumerDelayValid leaves out records read while a fault or a job
	// restart is excused (excuseFromNs..excuseUntilNs, held open while
	// excuseHolds > 0): their delay is the outage's, not the harness's.
	consumerDelayValid          *hdrhistogram.Histogram
	excuseFromNs, excuseUntilNs int64
	excuseHolds                 int
	sendDelay, ivSendDelay      *hdrhistogram.Histogram // recorded by the sender
	ivStartNs, ivSentBase       int64                   // current interval's start and the sent count then
	ivE2E, ivWindow, ivAll      *hdrhistogram.Histogram // current interval (ivAll: every event, for the timeline)
	ivOut                       int64                   // output records this interval
	// allE2E is every event's e2e so far, any phase (ivAll merged in at
	// each tick), for the live view; updatesRead/windowsRead count the
	// output records read.
	allE2E                   *hdrhistogram.Histogram
	updatesRead, windowsRead int64
	outMeasure               int64 // output records consumed during the measure phase (wall time)
	inMeasureWall            bool
	negative                 int64 // outputs read before their intended time
	clamped                  int64 // latencies beyond the histograms' hour, recorded as an hour

	// ovh splits the measurement phase into checkpoint in flight and
	// between (overhead.go); nil before setMeasure.
	ovh *overheadSplit
	// maxBySec is the largest e2e latency (µs) of the events intended in
	// each second from originNs (the schedule's origin), for the latency
	// spikes of faults and rescales.
	originNs int64
	maxBySec []int64

	// per variant, on the updates path
	byVariant map[string]*variantTally

	// judge is the capacity search's current judge window (nil outside one).
	judge *judgeWindow

	// acked counts the input records the broker acknowledged (the
	// sender's and prefill's); sentHist is (time, acked), recent, for
	// inKafkaAt.
	acked    atomic.Int64
	sentHist []posSample

	// outRuns are the stretches of output read: within one, records came
	// at most outputMerge apart, from its first to its last; between two,
	// none for longer. For the recovery's "output resumed" and the
	// rescales' output gap, exact to within outputMerge; as many entries as
	// pauses in the output, not records.
	outRuns []interval

	// firstUpdateNs is when the job wrote the first update the harness
	// read, quickestNs the least time from an event's intended time to its
	// update's write (noteStart); startNoted once there was one;
	// startReadTime when some of them stood in with their read time (no
	// broker append time).
	firstUpdateNs, quickestNs int64
	startNoted, startReadTime bool
}

// MaxE2E is the largest e2e latency (ms) of the events intended in
// [fromNs, toNs), at one-second resolution; 0 if none.
func (c *Collector) MaxE2E(fromNs, toNs int64) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var mx int64
	for i, v := range c.maxBySec {
		s := c.originNs + int64(i)*int64(time.Second)
		if s+int64(time.Second) <= fromNs || s >= toNs {
			continue
		}
		mx = max(mx, v)
	}
	return float64(mx) / 1000
}

// noteMax keeps the per-second maximum of e2e latency by intended time.
func (c *Collector) noteMax(intendedNs, latNs int64) {
	if c.originNs == 0 || intendedNs < c.originNs {
		return
	}
	i := int((intendedNs - c.originNs) / int64(time.Second))
	if i >= maxSeconds {
		return
	}
	for len(c.maxBySec) <= i {
		c.maxBySec = append(c.maxBySec, 0)
	}
	c.maxBySec[i] = max(c.maxBySec[i], latNs/1000)
}

// maxSeconds bounds maxBySec (a day of seconds, 690 kB).
const maxSeconds = 86400

// setMeasure sets the schedule's origin and the measurement phase
// (intended time).
func (c *Collector) setMeasure(originNs, startNs, endNs int64) {
	c.originNs = originNs
	c.measureStartNs, c.measureEndNs = startNs, endNs
	c.ovh = newOverheadSplit(startNs, endNs)
}

// ClassifyOverhead attributes what the overhead split holds up to
// horizonNs, given the checkpoint intervals known then.
func (c *Collector) ClassifyOverhead(horizonNs int64, ivs []interval) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ovh != nil {
		c.ovh.classify(horizonNs, ivs)
	}
}

// gotWindow is the latest firing of one window (or, for session windows, the
// sum over a key's sessions).
type gotWindow struct {
	events int64
	counts reports.MeasuredCounts
}

// variantTally is one variant's reconciliation counts.
type variantTally struct{ expected, counted, duplicated, late int64 }

func (c *Collector) variant(v string) *variantTally {
	t := c.byVariant[v]
	if t == nil {
		t = &variantTally{}
		c.byVariant[v] = t
	}
	return t
}

func New(capacity int64, windows load.WindowAssigner) *Collector {
	return &Collector{
		byVariant:          map[string]*variantTally{},
		seen:               make([]uint64, (capacity+63)/64),
		capacity:           capacity,
		windows:            windows,
		windowsExpected:    map[load.WindowKey]int64{},
		windowsGot:         map[load.WindowKey]*gotWindow{},
		folded:             map[int64]struct{}{},
		foldedMeasured:     map[string]*reports.MeasuredCounts{},
		foldedKeys:         map[load.WindowKey]int64{},
		sessionsSeen:       map[load.WindowKey]int64{},
		prefillBeforeMs:    math.MinInt64,
		sample:             1,
		e2e:                reports.NewLatencyHistogram(),
		window:             reports.NewLatencyHistogram(),
		consumerDelay:      reports.NewLatencyHistogram(),
		consumerDelayValid: reports.NewLatencyHistogram(),
		sendDelay:          reports.NewLatencyHistogram(),
		ivSendDelay:        reports.NewLatencyHistogram(),
		ivE2E:              reports.NewLatencyHistogram(),
		ivWindow:           reports.NewLatencyHistogram(),
		ivAll:              reports.NewLatencyHistogram(),
		allE2E:             reports.NewLatencyHistogram(),
	}
}

func (c *Collector) inMeasure(intendedNs int64) bool {
	return intendedNs >= c.measureStartNs && intendedNs < c.measureEndNs
}

// maxLatencyNs is the latency histograms' range (reports.NewLatencyHistogram).
const maxLatencyNs = int64(time.Hour)

func recordUs(h *hdrhistogram.Histogram, ns int64) {
	us := ns / 1000
	if us < 1 {
		us = 1 // negative or sub-µs latencies are impossible on one clock; clamp into range
	}
	if us > h.HighestTrackableValue() {
		us = h.HighestTrackableValue()
	}
	_ = h.RecordValue(us)
}

// Sent records a batch the sender handed to Kafka at nowNs (0: not on the
// clock, prefill): n events, of which nExp owe an update, their per-window
// tallies, the per-variant tallies of those owing an update, and the send
// delays of the measure-phase ones.
func (c *Collector) Sent(n, nExp int64, keys map[load.WindowKey]int64, variants map[string]int64, delays []load.SendDelay, nowNs int64) {
	c.mu.Lock()
	c.total += n
	c.noteAckedLocked(nowNs)
	c.expected += nExp
	for v, k := range variants {
		c.variant(v).expected += k
	}
	for k, v := range keys {
		if _, f := c.folded[k.StartMs]; !f { // a late event's: its late update nets it out
			c.windowsExpected[k] += v
		}
	}
	for _, d := range delays {
		recordUs(c.sendDelay, d.DelayNs)
		recordUs(c.ivSendDelay, d.DelayNs)
		// A capacity step judges the events intended in its window, the
		// most delayed of them sent after it included.
		if j := c.judge; j != nil && d.IntendedNs >= j.fromNs && d.IntendedNs < j.toNs {
			recordUs(j.sendDelay, d.DelayNs)
		}
	}
	c.mu.Unlock()
}

// sentHistSpan is how far back inKafkaAt can look: the lag's position is
// at most a few seconds old.
const sentHistSpan = int64(60 * time.Second)

// NoteAcked keeps (time, input records the broker acknowledged) for the
// last sentHistSpan, at most two samples per 10 ms (the latest one moves on
// until the next is 10 ms past the one before it): the sender notes each
// batch, the monitor each position poll (the load may be paused).
func (c *Collector) NoteAcked(nowNs int64) {
	c.mu.Lock()
	c.noteAckedLocked(nowNs)
	c.mu.Unlock()
}

func (c *Collector) noteAckedLocked(nowNs int64) {
	if nowNs == 0 {
		return
	}
	s := posSample{nowNs, c.acked.Load()}
	n := len(c.sentHist)
	switch {
	case n > 0 && nowNs <= c.sentHist[n-1].ns:
		return // out of order (a batch noted after a poll): keep what is known
	case n >= 2 && nowNs-c.sentHist[n-2].ns < int64(10*time.Millisecond):
		c.sentHist[n-1] = s // the latest sample moves on; the spacing stays
		return
	}
	c.sentHist = append(c.sentHist, s)
	if old := c.sentHist[0]; nowNs-old.ns > 2*sentHistSpan {
		i := sort.Search(len(c.sentHist), func(i int) bool { return nowNs-c.sentHist[i].ns <= sentHistSpan })
		c.sentHist = append(c.sentHist[:0], c.sentHist[i:]...)
	}
}

// inKafkaAt is how many input records the broker had acknowledged at ns
// (interpolated between the kept samples; the current count after the
// last; the first sample's before the first). Records the harness's
// producer still held were not in Kafka: the job could not be behind on
// them.
func (c *Collector) inKafkaAt(ns int64) int64 {
	h := c.sentHist
	if len(h) == 0 {
		return c.acked.Load()
	}
	i := sort.Search(len(h), func(i int) bool { return h[i].ns >= ns })
	switch {
	case i == len(h):
		return c.acked.Load()
	case i == 0 || h[i].ns == ns:
		return h[i].pos
	}
	a, b := h[i-1], h[i]
	return a.pos + (b.pos-a.pos)*(ns-a.ns)/(b.ns-a.ns)
}

// noteWritten counts an owed update written at ns in the timeline's
// interval holding it (under c.mu).
func (c *Collector) noteWritten(ns int64) {
	if c.ivOriginNs == 0 || ns < c.ivOriginNs {
		return // before the timeline (prefill)
	}
	n := len(c.ivBounds)
	if n == 0 || ns >= c.ivBounds[n-1] {
		c.ivWrittenOpen++
		return
	}
	c.ivWritten[sort.Search(n, func(i int) bool { return c.ivBounds[i] > ns })]++
}

// closeInterval ends the timeline's open interval at ns (under c.mu).
func (c *Collector) closeInterval(ns int64) {
	c.ivBounds = append(c.ivBounds, ns)
	c.ivWritten = append(c.ivWritten, c.ivWrittenOpen)
	c.ivWrittenOpen = 0
}

// writtenEPS is, per closed interval of the timeline, the events/s the job
// processed in it (owed updates written then, scaled by the sample).
func (c *Collector) writtenEPS() []float64 {
	out := make([]float64, len(c.ivBounds))
	from := c.ivOriginNs
	for i, to := range c.ivBounds {
		if to > from {
			out[i] = float64(c.ivWritten[i]*c.sample) / (float64(to-from) / 1e9)
		}
		from = to
	}
	return out
}

// KeyEvents is, per (campaign, variant), the events sent into its windows
// (each window an event falls in counts it; late ones taken out), windows
// holding only prefill left out: how the keyed operators' load divides.
func (c *Collector) KeyEvents() map[load.WindowKey]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[load.WindowKey]int64, len(c.foldedKeys))
	for k, n := range c.foldedKeys {
		out[k] = n
	}
	for k, n := range c.windowsExpected {
		if n <= 0 || (k.StartMs != load.SessionStart && k.StartMs < c.prefillBeforeMs) {
			continue
		}
		out[load.WindowKey{Campaign: k.Campaign, Variant: k.Variant}] += n
	}
	return out
}

// foldSettled folds every window the job's watermark is far past
// (windows.settleMs before the latest result's end) whose results matched
// what was sent, key for key: into foldedExpected, foldedReceived and
// foldedMeasured, out of the maps (under c.mu; once a second). A window
// that did not match stays, to be reported at the end.
func (c *Collector) foldSettled() {
	if c.windows.Kind == "" || c.windows.Session() || c.windows.SettleMs <= 0 || c.maxFiredEndMs == 0 {
		return
	}
	limit := c.maxFiredEndMs - c.windows.SettleMs
	type state struct{ bad bool }
	starts := map[int64]*state{}
	at := func(s int64) *state {
		st := starts[s]
		if st == nil {
			st = &state{}
			starts[s] = st
		}
		return st
	}
	for k, want := range c.windowsExpected {
		if k.StartMs+c.windows.Size > limit {
			continue
		}
		st := at(k.StartMs)
		if want > 0 {
			if g, ok := c.windowsGot[k]; !ok || g.events != want {
				st.bad = true
			}
		}
	}
	for k := range c.windowsGot {
		if k.StartMs+c.windows.Size > limit {
			continue
		}
		if c.windowsExpected[k] <= 0 {
			at(k.StartMs).bad = true // unexpected: report it
		}
	}
	for s, st := range starts {
		if st.bad {
			continue
		}
		c.folded[s] = struct{}{}
	}
	for k, want := range c.windowsExpected {
		if _, f := c.folded[k.StartMs]; f {
			if want > 0 {
				c.foldedExpected++
				if k.StartMs >= c.prefillBeforeMs {
					c.foldedKeys[load.WindowKey{Campaign: k.Campaign, Variant: k.Variant}] += want
				}
			}
			delete(c.windowsExpected, k)
		}
	}
	for k, g := range c.windowsGot {
		if _, f := c.folded[k.StartMs]; !f {
			continue
		}
		c.foldedReceived++
		if k.StartMs >= c.prefillBeforeMs {
			m := c.foldedMeasured[k.Variant]
			if m == nil {
				m = &reports.MeasuredCounts{}
				c.foldedMeasured[k.Variant] = m
			}
			m.Add(g.counts)
		}
		delete(c.windowsGot, k)
	}
}

// MarkFlush notes that the end-of-run flush goes out now: windows ending
// after watermarkMs (the furthest the events' own watermark can have
// reached) close because of it from now on.
func (c *Collector) MarkFlush(watermarkMs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushed, c.flushAfterMs = true, watermarkMs
}

// measured sums the job's window counts per variant, each window's latest
// firing once, leaving out windows that hold only prefill events. Sliding
// windows count every event size/slide times, as the job does.
func (c *Collector) measured() map[string]*reports.MeasuredCounts {
	out := map[string]*reports.MeasuredCounts{}
	for v, m := range c.foldedMeasured {
		mc := *m
		out[v] = &mc
	}
	for k, g := range c.windowsGot {
		if k.StartMs != load.SessionStart && k.StartMs < c.prefillBeforeMs {
			continue
		}
		m := out[k.Variant]
		if m == nil {
			m = &reports.MeasuredCounts{}
			out[k.Variant] = m
		}
		m.Add(g.counts)
	}
	return out
}

// updatesComplete reports whether every sent seq has been accounted for.
func (c *Collector) updatesComplete() bool { return c.counted >= c.expected }

// windowsComplete reports whether results for every expected window arrived
// holding at least the events it is owed (a late firing may still correct a
// window that arrived short).
func (c *Collector) windowsComplete() bool {
	for k, want := range c.windowsExpected {
		if want <= 0 {
			continue // every event late: owed nothing
		}
		if g, ok := c.windowsGot[k]; !ok || g.events < want {
			return false
		}
	}
	return true
}

// windowReconciliation compares per-window event counts with what was sent.
func (c *Collector) windowReconciliation() reports.WindowReconciliation {
	r := reports.WindowReconciliation{Expected: c.foldedExpected}
	for k, want := range c.windowsExpected {
		if want <= 0 {
			continue
		}
		r.Expected++
		got, ok := c.windowsGot[k]
		switch {
		case !ok:
			r.Missing++
		case got.events != want:
			r.CountMismatch++
		}
	}
	for k := range c.windowsGot {
		if c.windowsExpected[k] <= 0 {
			r.Unexpected++
		}
	}
	r.Received = int64(len(c.windowsGot)) + c.foldedReceived
	if c.windows.Session() {
		r.Received = int64(len(c.sessionsSeen))
	}
	r.Duplicated = c.windowDupes
	r.LateFirings = c.lateFirings
	r.FlushClosed = c.flushClosed
	return r
}

// windowsShort counts the windows that arrived with fewer events than
// they are owed (windowReconciliation's CountMismatch counts more too).
func (c *Collector) windowsShort() int64 {
	var n int64
	for k, want := range c.windowsExpected {
		if g, ok := c.windowsGot[k]; ok && want > 0 && g.events < want {
			n++
		}
	}
	return n
}

// recordConsumerDelay records how long after the broker appended an output
// record the harness read it; a record stamped by its producer instead
// (a CreateTime topic: Flink's sink stamps the element's event time) says
// nothing about that and is only counted.
func (c *Collector) recordConsumerDelay(nowNs, appendNs int64, appended bool) {
	if !appended {
		c.producerTime++
		return
	}
	recordUs(c.consumerDelay, nowNs-appendNs)
	if j := c.judge; j != nil && nowNs >= j.fromNs && nowNs < j.toNs {
		recordUs(j.consumerDelay, nowNs-appendNs)
	}
	if !(c.excuseUntilNs != 0 && nowNs >= c.excuseFromNs && nowNs <= c.excuseUntilNs) {
		recordUs(c.consumerDelayValid, nowNs-appendNs)
	}
}

// HoldExcuse opens (or extends) the consumer-delay excuse window at nowNs:
// output read from then on does not count toward validity until every hold
// is released. An outage stalls the read-committed consumer behind open
// transactions and the broker's backlog; that delay is the outage's.
func (c *Collector) HoldExcuse(nowNs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.excuseHolds == 0 && nowNs > c.excuseUntilNs {
		c.excuseFromNs = nowNs // a new window; an unexpired one is extended
	}
	c.excuseHolds++
	c.excuseUntilNs = math.MaxInt64
}

// ReleaseExcuse drops one hold; the last one closes the window after the
// grace period (the backlog drains, aborted transactions are fenced).
func (c *Collector) ReleaseExcuse(nowNs int64, grace time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.excuseHolds == 0 {
		return
	}
	c.excuseHolds--
	if c.excuseHolds == 0 {
		c.excuseUntilNs = nowNs + int64(grace)
	}
}

// Acked counts one input record the broker acknowledged.
func (c *Collector) Acked() { c.acked.Add(1) }

// SetMeasure sets when the load began (originNs) and the measurement
// phase [startNs, endNs), by intended time.
func (c *Collector) SetMeasure(originNs, startNs, endNs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setMeasure(originNs, startNs, endNs)
}

// StartTimeline starts the timeline at originNs (the load's origin):
// prefill's events and outputs are not its first second's.
func (c *Collector) StartTimeline(originNs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ivSentBase, c.ivOut, c.ivProcessed = c.total, 0, 0
	c.ivOriginNs = originNs
	c.ivAll.Reset()
}

// MeasureSpan is the measurement phase [startNs, endNs), by intended time.
func (c *Collector) MeasureSpan() (startNs, endNs int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.measureStartNs, c.measureEndNs
}

// SetInMeasure says whether the wall clock is inside the measurement phase
// now (the per-subtask snapshots bracket it).
func (c *Collector) SetInMeasure(in bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inMeasureWall = in
}

// InMeasure is what SetInMeasure set last.
func (c *Collector) InMeasure() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inMeasureWall
}

// Drained says whether every event sent is accounted for on the updates
// path (updates) and every expected window result arrived (windows), and
// how many events were sent.
func (c *Collector) Drained(updates, windows bool) (done bool, sent int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return (!updates || c.updatesComplete()) && (!windows || c.windowsComplete()), c.total
}

// SetPrefillBefore leaves windows starting before ms out of the measured
// counts (they hold only prefill events).
func (c *Collector) SetPrefillBefore(ms int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prefillBeforeMs = ms
}

// Counted is how many distinct updates were read so far.
func (c *Collector) Counted() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counted
}

// AckedCount is how many input records the broker acknowledged so far.
func (c *Collector) AckedCount() int64 { return c.acked.Load() }

// Overhead is the checkpoint overhead split over the checkpoints' spans
// ivs (nil without a split), with how many events and reads it left out.
func (c *Collector) Overhead(ivs []interval) (o *reports.CheckpointOverhead, leftOut, leftOutReads int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ovh == nil {
		return nil, 0, 0
	}
	return c.ovh.result(ivs), c.ovh.leftOut, c.ovh.leftOutReads
}

// Negative is how many latencies came out negative (clamped to 0).
func (c *Collector) Negative() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.negative
}

// SetSample sets job.updates_sample: the job emits the update of 1 in n
// events (n < 1 means 1).
func (c *Collector) SetSample(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sample = max(1, int64(n))
}

// Sample is job.updates_sample as set (at least 1).
func (c *Collector) Sample() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sample
}

// InKafkaAt is how many input records the broker had acknowledged at ns
// (see inKafkaAt).
func (c *Collector) InKafkaAt(ns int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inKafkaAt(ns)
}
