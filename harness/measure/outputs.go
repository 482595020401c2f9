package measure

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/reports"
	"github.com/buger/jsonparser"
)

// update is the part of an updates record the harness reads.
type update struct {
	Seq         int64  `json:"seq"`
	IntendedNs  int64  `json:"intended_ns"`
	EventTimeMs int64  `json:"event_time_ms"`
	Status      string `json:"status"`
	Campaign    int32  `json:"campaign"`
	Variant     string `json:"variant"`
}

// updatePaths are the update fields decodeUpdate reads, in its order.
var updatePaths = [][]string{{"seq"}, {"intended_ns"}, {"event_time_ms"}, {"status"}, {"campaign"}, {"variant"}}

// decodeUpdate reads an updates record's fields into u (fields it lacks
// keep their values), without the reflection and allocations of
// encoding/json: it runs for every event. false when the record is not a
// JSON object or a field has the wrong type.
func decodeUpdate(b []byte, u *update) bool {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i == len(b) || b[i] != '{' {
		return false
	}
	ok := true
	num := func(v []byte, vt jsonparser.ValueType, dst *int64) {
		if vt != jsonparser.Number {
			ok = false
			return
		}
		n, err := jsonparser.ParseInt(v)
		if err != nil {
			ok = false
			return
		}
		*dst = n
	}
	str := func(v []byte, vt jsonparser.ValueType, dst *string) {
		switch vt {
		case jsonparser.String:
			s, err := jsonparser.ParseString(v)
			if err != nil {
				ok = false
				return
			}
			*dst = s
		case jsonparser.Null:
		default:
			ok = false
		}
	}
	jsonparser.EachKey(b, func(idx int, v []byte, vt jsonparser.ValueType, err error) {
		if err != nil {
			ok = false
			return
		}
		switch idx {
		case 0:
			num(v, vt, &u.Seq)
		case 1:
			num(v, vt, &u.IntendedNs)
		case 2:
			num(v, vt, &u.EventTimeMs)
		case 3:
			str(v, vt, &u.Status)
		case 4:
			var c int64
			if num(v, vt, &c); ok {
				if c < math.MinInt32 || c > math.MaxInt32 {
					ok = false // encoding/json refuses it too
					return
				}
				u.Campaign = int32(c)
			}
		case 5:
			str(v, vt, &u.Variant)
		}
	}, updatePaths...)
	return ok
}

// absent marks a required output field the record did not carry.
const absent = math.MinInt64

// contractBreach counts output records of one kind that break the output
// contract in one way, with the first such record as an example.
type contractBreach struct {
	Output, Problem string
	Count           int64
	Example         string
}

// breach records an output record that breaks the contract (under c.mu).
func (c *Collector) breach(output, problem string, value []byte) {
	key := output + " " + problem
	if c.breaches == nil {
		c.breaches = map[string]*contractBreach{}
	}
	b := c.breaches[key]
	if b == nil {
		ex := string(value)
		if len(ex) > 160 {
			ex = ex[:160] + "…"
		}
		b = &contractBreach{Output: output, Problem: problem, Example: ex}
		c.breaches[key] = b
		c.breachOrder = append(c.breachOrder, key)
	}
	b.Count++
}

// onUpdate handles one updates record consumed at nowNs, stamped at
// stampNs: the broker's append time when appended is true (LogAppendTime
// topics), else its producer's time.
func (c *Collector) onUpdate(value []byte, nowNs, stampNs int64, appended bool) {
	var u update
	// Absent fields keep these sentinels: the output contract's required
	// fields are told apart from zeros without a second decode.
	u.Seq, u.IntendedNs = absent, absent
	if !decodeUpdate(value, &u) {
		c.badRecords++
		c.breach("updates", "not a JSON object", value)
		return
	}
	if u.Seq == absent || u.IntendedNs == absent {
		c.badRecords++
		if u.Seq == absent {
			c.breach("updates", "without seq", value)
		}
		if u.IntendedNs == absent {
			c.breach("updates", "without intended_ns", value)
		}
		return
	}
	if u.Seq < 0 {
		c.badRecords++
		c.breach("updates", "with a negative seq", value)
		return
	}
	c.updatesRead++
	c.countOutput(nowNs, stampNs, appended)
	if u.Seq >= c.capacity {
		c.badRecords++
		c.breach("updates", "with a seq beyond the run's schedule", value)
		return
	}
	word, bit := u.Seq/64, uint64(1)<<(u.Seq%64)
	vt := c.variant(u.Variant)
	// With job.updates_sample N the job reports 1 in N events, but every
	// late one (so the windows path's debt is known): an update outside
	// the sample is for that only.
	owed := u.Seq%c.sample == 0
	if c.seen[word]&bit != 0 {
		if owed {
			c.duplicated++
			vt.duplicated++
		}
		return
	}
	c.seen[word] |= bit
	c.noteStart(u.IntendedNs, nowNs, stampNs, appended)
	if u.Status == "late" {
		c.late++
		vt.late++
		// A late event never reaches a window: take it out of what the
		// windows path owes. The debt may come before the sender tallied
		// the event's batch: expectations go negative then, never away.
		c.windows.Assign(u.EventTimeMs, func(start int64) {
			if _, f := c.folded[start]; !f {
				c.windowsExpected[load.WindowKey{StartMs: start, Campaign: u.Campaign, Variant: u.Variant}]--
			}
		})
	}
	if !owed {
		return
	}
	c.counted++
	vt.counted++
	c.ivProcessed++
	written := nowNs
	if appended {
		written = stampNs
	}
	if written >= c.measureStartNs && written < c.measureEndNs {
		c.processed++
	}
	c.noteWritten(written)
	lat := nowNs - u.IntendedNs
	if lat < 0 {
		c.negative++
	}
	if lat > maxLatencyNs {
		c.clamped++
	}
	recordUs(c.ivAll, lat)
	if j := c.judge; j != nil && u.IntendedNs >= j.fromNs && u.IntendedNs < j.toNs {
		recordUs(j.e2e, lat)
	}
	c.noteMax(u.IntendedNs, lat)
	if c.inMeasure(u.IntendedNs) {
		recordUs(c.e2e, lat)
		recordUs(c.ivE2E, lat)
		c.ovh.event(u.IntendedNs, max(1, lat/1000))
	}
}

// onWindow handles one windows record (stamped as onUpdate's).
func (c *Collector) onWindow(value []byte, nowNs, stampNs int64, appended bool) {
	var w windowResult
	w.StartMs, w.EndMs, w.Events, w.MaxIntendedNs = absent, absent, absent, absent
	if err := json.Unmarshal(value, &w); err != nil {
		c.badRecords++
		c.breach("windows", "not a JSON object", value)
		return
	}
	if w.StartMs == absent || w.EndMs == absent || w.Events == absent || w.MaxIntendedNs == absent {
		c.badRecords++
		for _, f := range []struct {
			v    int64
			name string
		}{{w.StartMs, "window_start_ms"}, {w.EndMs, "window_end_ms"}, {w.Events, "events"}, {w.MaxIntendedNs, "max_intended_ns"}} {
			if f.v == absent {
				c.breach("windows", "without "+f.name, value)
			}
		}
		return
	}
	c.windowsRead++
	c.countOutput(nowNs, stampNs, appended)
	k := load.WindowKey{StartMs: w.StartMs, Campaign: w.Campaign, Variant: w.Variant}
	if c.windows.Session() {
		// Sessions are reconciled per key: sum the sessions, each once.
		if _, dup := c.sessionsSeen[k]; dup {
			c.windowDupes++
			return
		}
		c.sessionsSeen[k] = w.Events
		k.StartMs = load.SessionStart
		g := c.windowsGot[k]
		if g == nil {
			g = &gotWindow{}
			c.windowsGot[k] = g
		}
		g.events += w.Events
		g.counts.Add(w.Counts)
	} else if _, f := c.folded[k.StartMs]; f {
		// A result for a window already reconciled and folded: a repeat
		// (at-least-once replay after a restart); the watermark was past
		// it, so no late firing can change it.
		c.windowDupes++
		return
	} else if g, again := c.windowsGot[k]; again {
		// A window seen before: a late firing (allowed lateness) carries more
		// events and replaces the earlier result; anything else is a repeat
		// (at-least-once replay), counted, not timed again.
		if w.Events > g.events {
			c.lateFirings++
			*g = gotWindow{events: w.Events, counts: w.Counts}
		} else {
			c.windowDupes++
		}
		return
	} else {
		c.windowsGot[k] = &gotWindow{events: w.Events, counts: w.Counts}
		c.maxFiredEndMs = max(c.maxFiredEndMs, w.EndMs)
	}
	if c.flushed && w.EndMs > c.flushAfterMs {
		// Closed by the flush: it skipped the wait for the watermark.
		c.flushClosed++
		return
	}
	lat := nowNs - w.MaxIntendedNs
	if lat > maxLatencyNs {
		c.clamped++
	}
	if c.inMeasure(w.MaxIntendedNs) {
		recordUs(c.window, lat)
		recordUs(c.ivWindow, lat)
	}
}

// countOutput counts one well-formed output record (an update or a window)
// where every output counts: the interval's and the phase's output, the
// checkpoint overhead's, the output runs, and the consumer delay.
func (c *Collector) countOutput(nowNs, stampNs int64, appended bool) {
	c.ivOut++
	if c.inMeasureWall {
		c.outMeasure++
	}
	if c.ovh != nil {
		c.ovh.output(nowNs, 1)
	}
	c.noteOutput(nowNs)
	c.recordConsumerDelay(nowNs, stampNs, appended)
}

// Output names one output of the job a run consumes; each has its own
// reader in the collector (outputReaders). A new output (the decisions a
// later job emits) is a kind, its reader, and its topic in the run.
type Output int

// The outputs the collector reads.
const (
	Updates Output = iota // one record per event (1 in job.updates_sample)
	Windows               // one record per window firing
)

// outputReaders reads one record of each output, under c.mu.
var outputReaders = [...]func(c *Collector, value []byte, nowNs, stampNs int64, appended bool){
	Updates: (*Collector).onUpdate,
	Windows: (*Collector).onWindow,
}

// OutputRecord is one output record as the consumer read it.
type OutputRecord struct {
	Output   Output
	Value    []byte
	BrokerNs int64 // its timestamp on this host's clock
	Appended bool  // the broker stamped it (LogAppendTime)
}

// Outputs records the output records read at nowNs, in order.
func (c *Collector) Outputs(nowNs int64, recs []OutputRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range recs {
		outputReaders[r.Output](c, r.Value, nowNs, r.BrokerNs, r.Appended)
	}
}

// Tick closes the timeline's interval that ends now (read from now under
// the collector's lock: an update counted before it lies in this interval,
// one after it in the next; the ticker's, once a second; it began at the
// previous tick or at loadNs): the point's
// rates, counts and e2e p99 (its time and phase are the caller's), with
// the input lag from the source's position when position knows it (read
// against what was in Kafka when it was taken). The interval's histograms
// go to emit (latency.hlog) and start over. lv are the running totals for
// the live view, with Prometheus buckets when buckets is set; nowNs is
// the interval's end. ok is false when no time has passed since the
// interval began.
func (c *Collector) Tick(now func() int64, loadNs int64, position func() (read, atNs int64, rate float64, ok bool),
	emit func(tag string, fromNs, toNs int64, h *hdrhistogram.Histogram), buckets bool) (pt reports.TimePoint, lv live.Values, nowNs int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	nowNs = now()
	start := c.ivStartNs
	if start == 0 {
		start = loadNs
	}
	if nowNs <= start {
		return pt, lv, nowNs, false
	}
	secs := float64(nowNs-start) / 1e9
	pt = reports.TimePoint{
		SentEPS:     float64(c.total-c.ivSentBase) / secs,
		InEPS:       float64(c.ivProcessed*c.sample) / secs,
		OutRPS:      float64(c.ivOut) / secs,
		Lag:         (c.expected - c.counted) * c.sample, // until the source's position is known
		Unaccounted: c.expected - c.counted,
	}
	if position != nil {
		if read, at, rate, known := position(); known {
			pt.Lag = max(0, c.inKafkaAt(at)-read)
			pt.ReadEPS = rate
		}
	}
	if c.ivAll.TotalCount() > 0 {
		pt.E2EP99Ms = float64(c.ivAll.ValueAtQuantile(99)) / 1000
	}
	for _, h := range []struct {
		tag string
		h   *hdrhistogram.Histogram
	}{{"", c.ivE2E}, {"window", c.ivWindow}, {"send_delay", c.ivSendDelay}} {
		if h.h.TotalCount() > 0 {
			emit(h.tag, start, nowNs, h.h)
		}
		h.h.Reset()
	}
	c.allE2E.Merge(c.ivAll)
	lv = c.liveValues(buckets)
	c.ivAll.Reset()
	c.ivOut = 0
	c.ivProcessed = 0
	c.ivSentBase = c.total
	c.ivStartNs = nowNs
	c.closeInterval(nowNs)
	c.foldSettled()
	return pt, lv, nowNs, true
}

// liveValues are the running totals the live view shows: events sent,
// output records read, e2e so far (the measurement phase's once it has
// begun, every event's before), and with buckets the Prometheus
// histograms of every event's e2e and send delay. c.mu held.
func (c *Collector) liveValues(buckets bool) live.Values {
	v := live.Values{Sent: c.total, Outputs: map[string]int64{"updates": c.updatesRead, "windows": c.windowsRead}}
	h := c.allE2E
	v.Measured = c.e2e.TotalCount() > 0
	if v.Measured {
		h = c.e2e
	}
	if h.TotalCount() > 0 {
		v.P50 = float64(h.ValueAtQuantile(50)) / 1000
		v.P99 = float64(h.ValueAtQuantile(99)) / 1000
		v.P999 = float64(h.ValueAtQuantile(99.9)) / 1000
	}
	if buckets { // for the Prometheus endpoint only
		v.E2E = live.SnapshotUs(c.allE2E)
		v.Send = live.SnapshotUs(c.sendDelay)
	}
	return v
}

// Figures returns what was measured so far.
func (c *Collector) Figures() Figures {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := Figures{
		MeasureStartNs:     c.measureStartNs,
		MeasureEndNs:       c.measureEndNs,
		E2E:                reports.LatencyFromHistogram(c.e2e),
		Window:             reports.LatencyFromHistogram(c.window),
		SendDelay:          reports.DelayFromHistogram(c.sendDelay),
		ConsumerDelay:      reports.DelayFromHistogram(c.consumerDelay),
		ConsumerDelayValid: reports.DelayFromHistogram(c.consumerDelayValid),
		Processed:          c.processed,
		Sample:             c.sample,
		OutMeasure:         c.outMeasure,
		Clamped:            c.clamped,
		ProducerTime:       c.producerTime,
		Negative:           c.negative,
		Reconciliation: reports.Reconciliation{
			Expected:    c.expected,
			Counted:     c.counted,
			Lost:        c.expected - c.counted,
			Duplicated:  c.duplicated,
			LateDropped: c.late,
		},
		Windows:      c.windowReconciliation(),
		WindowsShort: c.windowsShort(),
		Measured:     c.measured(),
		WrittenEPS:   c.writtenEPS(),
		BadRecords:   c.badRecords,
	}
	if c.sample > 1 {
		f.Reconciliation.UpdatesSample = c.sample
	}
	if t := c.byVariant[""]; t != nil && t.counted > 0 {
		f.NoVariant = t.counted
	} else {
		names := make([]string, 0, len(c.byVariant))
		for v := range c.byVariant {
			names = append(names, v)
		}
		sort.Strings(names)
		for _, v := range names {
			t := c.byVariant[v]
			f.Reconciliation.Variants = append(f.Reconciliation.Variants, reports.VariantReconciliation{Variant: v,
				Expected: t.expected, Counted: t.counted, Lost: t.expected - t.counted, Duplicated: t.duplicated, LateDropped: t.late})
		}
	}
	for _, k := range c.breachOrder {
		b := c.breaches[k]
		f.Breaches = append(f.Breaches, fmt.Sprintf("%d %s record(s) %s (first: %s)", b.Count, b.Output, b.Problem, b.Example))
	}
	return f
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
