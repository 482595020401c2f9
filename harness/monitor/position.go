package monitor

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// posSample is the source's position at a time.
type posSample struct {
	ns  int64
	pos int64
}

// readRateSpan is the span over which the read rate is computed from the
// source's position: long enough that a metric refreshed once a second
// does not alias, short enough for a 1 s timeline.
const readRateSpan = 3 * time.Second

// Read returns the source's position, when it was taken, its latest read rate, and whether it is known.
func (m *Monitor) Read() (pos, atNs int64, rate float64, known bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readTotal, m.readAtNs, m.readRate, m.readKnown
}

// positionPoll is how often the source's position is read. Flink's REST
// metrics come from a fetcher that refreshes at most once per
// metrics.fetcher.update-interval (1 s in the environments abload starts;
// read from the cluster otherwise), triggered by a request: a new value is
// taken after the poll before the first poll that sees it, so a changed
// position is stamped with the previous poll's start, to within one
// positionPoll (a quarter second: at 2,000 events/s, ±500 events of lag).
// It costs one REST request to the JobManager per poll.
const positionPoll = 250 * time.Millisecond

// positionStamp turns polls of a slowly refreshed value into samples
// stamped when the value was taken.
type positionStamp struct {
	refresh           time.Duration // the fetcher's update interval
	lastPollNs        int64         // when the previous poll began
	lastPos, lastAtNs int64         // the latest value and the time it is stamped with
	polled            bool
}

// observe notes a poll that began at pollNs and read pos. It returns the
// time the value is known to have held at, and whether that is a new
// sample:
//   - a changed value was taken after the previous poll began: it is
//     stamped then (the first poll's value, at the poll);
//   - an unchanged value is a new sample only once the fetcher must have
//     refreshed since it was stamped: a request finding the values older
//     than the update interval starts a refresh (asynchronous: a query to
//     each TaskManager) that a later poll sees, so the value served at
//     pollNs was taken no earlier than pollNs − refresh − staleMargin. A
//     source that stopped reading with its metrics still readable (a
//     paused load, a broker outage, backpressure) then still yields
//     samples, each at the latest time its position is known, and its lag
//     and rate move on. (A TaskManager whose metric query fails keeps its
//     old values in the JobManager's store longer than that: such a value
//     is then stamped too late, and reads as a source standing still.)
//
// A changed value is stamped no earlier than that bound either: polls that
// failed in between (a REST error, a restart's missing offsets) leave the
// previous successful poll far behind.
func (p *positionStamp) observe(pollNs, pos int64) (int64, bool) {
	prev, had := p.lastPollNs, p.polled
	p.lastPollNs, p.polled = pollNs, true
	if !had {
		p.lastPos, p.lastAtNs = pos, pollNs
		return pollNs, true
	}
	oldest := pollNs - int64(p.refresh) - int64(staleMargin)
	if pos != p.lastPos {
		p.lastPos, p.lastAtNs = pos, max(prev, oldest, p.lastAtNs+1)
		return p.lastAtNs, true
	}
	if oldest > p.lastAtNs {
		p.lastAtNs = oldest
		return oldest, true
	}
	return 0, false
}

// staleMargin is what a metric refresh takes beyond the update interval
// before a poll can see it: the poll that finds the values old starts the
// refresh, one of the next polls sees its result.
const staleMargin = 2 * positionPoll

// fetcherInterval is the cluster's metrics.fetcher.update-interval: 1 s in
// the environments abload starts (cluster.Recipe.Base), the cluster's own
// setting otherwise (Flink's 10 s when it cannot be read, said in the log).
func (m *Monitor) fetcherInterval(ctx context.Context) time.Duration {
	if m.cfg.FetcherInterval > 0 {
		return m.cfg.FetcherInterval
	}
	d, err := m.flink.FetcherInterval(ctx)
	if err != nil {
		m.cfg.Logf("abload: the cluster's metrics.fetcher.update-interval: %v; taking Flink's default, %s (the source's position is stamped that much earlier)", err, d)
	}
	return d
}

// pollPosition reads the source's position (the sum over the input topic's
// partitions of the last offset read + 1; unlike a record counter it
// survives task restarts, resuming from the checkpoint's offsets as the job
// does) every positionPoll, and records each sample at the time it was
// taken.
func (m *Monitor) pollPosition(ctx context.Context) {
	st := positionStamp{refresh: m.fetcherInterval(ctx)}
	m.mu.Lock()
	m.refresh = st.refresh
	m.mu.Unlock()
	t := time.NewTicker(positionPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		m.mu.Lock()
		var vid string
		var names []string
		if m.sourceIdx >= 0 && m.sourceIdx < len(m.vertices) {
			vid = m.vertices[m.sourceIdx].ID
			for _, n := range m.vNames[m.sourceIdx] {
				if isOffsetMetric(n) {
					names = append(names, n)
				}
			}
		}
		m.mu.Unlock()
		if vid == "" || len(names) < m.cfg.Partitions {
			continue // not discovered yet (sampleVertices lists the metrics as readers get their splits)
		}
		pollNs := m.cfg.Clock.Now()
		// What the broker had acknowledged by now (the OnPoll hook: the
		// run's collector notes it): the lag compares a position with it,
		// also while the load is paused and the sender stamps nothing.
		if m.cfg.OnPoll != nil {
			m.cfg.OnPoll(pollNs)
		}
		// A slow answer (a busy JobManager) is still a sample: the value
		// was taken no earlier than the poll began. Ticks while it is
		// outstanding are dropped.
		qctx, cancel := context.WithTimeout(ctx, positionQuery)
		agg, err := m.flink.VertexAgg(qctx, m.jobID, vid, names...)
		cancel()
		if err != nil {
			m.notePosProblem(err.Error())
			continue
		}
		var pos int64
		seen := 0
		for _, n := range names {
			// A reader reports -1 for a partition until it reads the first
			// record after it was (re)assigned it.
			if a, ok := agg[n]; ok && !math.IsNaN(float64(a.Max)) && a.Max >= 0 {
				pos += int64(a.Max) + 1
				seen++
			}
		}
		if seen < len(names) {
			// A partition's reader has no position (yet, or again after a
			// restart): the sum would understate the source's; unknown.
			m.notePosProblem(fmt.Sprintf("%d of %d partitions' readers report no offset", len(names)-seen, len(names)))
			continue
		}
		// An existing input topic (an attached job's) held records before
		// the run: count from where it ended then.
		pos = max(0, pos-m.cfg.InputBase)
		m.notePosProblem("") // read; the value may not be a new sample yet
		at, ok := st.observe(pollNs, pos)
		if !ok {
			continue
		}
		m.mu.Lock()
		m.readTotal, m.readKnown, m.readAtNs = pos, true, at
		// The read rate from the position's change: Flink's
		// numRecordsInPerSecond is a 60 s moving average (MeterView), far
		// too slow for a rescale or a fault. A position that went back (a
		// restart resumes from the checkpoint) reads as 0.
		m.readHist = append(m.readHist, posSample{at, pos})
		m.posHist = append(m.posHist, posSample{at, pos})
		k := 0
		for k < len(m.readHist)-2 && at-m.readHist[k+1].ns >= int64(readRateSpan) {
			k++
		}
		m.readHist = m.readHist[k:]
		if old := m.readHist[0]; at-old.ns >= int64(time.Second) {
			m.readRate = max(0, float64(pos-old.pos)/(float64(at-old.ns)/1e9))
		}
		m.mu.Unlock()
	}
}

// notePosProblem records why a position poll gave no sample.
func (m *Monitor) notePosProblem(why string) {
	m.mu.Lock()
	m.posProblem = why
	m.mu.Unlock()
}

// positionQuery bounds one position poll's request.
const positionQuery = 2 * time.Second

// FreshAfter is how long after a REST read of a metric a later read
// surely sees a newer value than the first: the cluster's metrics refresh
// interval (metrics.fetcher.update-interval, 1 s until read) plus what the
// refresh the first read started takes (staleMargin).
func (m *Monitor) FreshAfter() time.Duration {
	refresh, margin := m.Refresh()
	return refresh + margin
}

// Refresh is the cluster's metrics refresh interval
// (metrics.fetcher.update-interval, 1 s until read) and what a refresh
// takes beyond it before a request sees its values (staleMargin).
func (m *Monitor) Refresh() (interval, margin time.Duration) {
	refresh := time.Second
	if m != nil {
		m.mu.Lock()
		if m.refresh > 0 {
			refresh = m.refresh
		}
		m.mu.Unlock()
	}
	return refresh, staleMargin
}

// AwaitPosition waits until the source's position is known at or after
// ns (the measurement phase's end: its read rate needs a sample there); a
// drain that ended soon after the phase would otherwise leave the rate
// unknown. An unchanged position is a sample only a refresh and a margin
// after the poll that read it, so that takes up to refresh + staleMargin
// + a poll; it waits up to three times that plus a slow query, and says
// why when the position stays unknown.
func (m *Monitor) AwaitPosition(ctx context.Context, ns int64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	refresh := m.refresh
	m.mu.Unlock()
	if refresh == 0 {
		refresh = time.Second
	}
	wait := 3*(refresh+staleMargin+positionPoll) + positionQuery
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if _, at, _, ok := m.Read(); ok && at >= ns {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(positionPoll / 2):
		}
	}
	m.mu.Lock()
	why, known, at := m.posProblem, m.readKnown, m.readAtNs
	m.mu.Unlock()
	switch {
	case why != "":
	case known:
		why = fmt.Sprintf("known only up to %.1f s before", float64(ns-at)/1e9)
	default:
		why = "no poll read it"
	}
	m.cfg.Logf("abload: the source's position at the end of the measurement phase stayed unknown for %s after it (%s): the read rate is left out", wait.Round(100*time.Millisecond), why)
}

// positionAt is the source's position at ns, interpolated between the
// samples around it; false before the first sample or after the last.
func positionAt(hist []posSample, ns int64) (float64, bool) {
	i := sort.Search(len(hist), func(i int) bool { return hist[i].ns >= ns })
	switch {
	case i == len(hist):
		return 0, false
	case hist[i].ns == ns:
		return float64(hist[i].pos), true
	case i == 0:
		return 0, false
	}
	a, b := hist[i-1], hist[i]
	f := float64(ns-a.ns) / float64(b.ns-a.ns)
	return float64(a.pos) + f*float64(b.pos-a.pos), true
}

// SourceRate is the events/s the job's source read between fromNs and
// toNs, from its positions, over the part of the span they cover; false
// when that is less than half of it. (On a loaded machine the source's
// offset metrics can first be read seconds into the measurement phase;
// the rest of the phase still gives its rate.)
func (m *Monitor) SourceRate(fromNs, toNs int64) (float64, bool) {
	if m == nil || toNs <= fromNs {
		return 0, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.posHist) == 0 {
		return 0, false
	}
	lo, hi := max(fromNs, m.posHist[0].ns), min(toNs, m.posHist[len(m.posHist)-1].ns)
	if hi <= lo || 2*(hi-lo) < toNs-fromNs {
		return 0, false
	}
	a, okA := positionAt(m.posHist, lo)
	b, okB := positionAt(m.posHist, hi)
	if !okA || !okB {
		return 0, false
	}
	return max(0, b-a) / (float64(hi-lo) / 1e9), true
}

// offsetMetrics picks, from a source vertex's metric ids, the KafkaSource's
// per-partition current-offset metrics of the run's input topic (each on
// the subtask reading it), whatever the source operator is called (abload's
// job, a user's jar, a SQL table scan).
func (m *Monitor) offsetMetrics(ids map[string]bool) []string {
	var out []string
	for p := 0; p < m.cfg.Partitions; p++ {
		suffix := fmt.Sprintf(".KafkaSourceReader.topic.%s.partition.%d.currentOffset", m.cfg.InputTopic, p)
		for id := range ids {
			if strings.HasSuffix(id, suffix) {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// isOffsetMetric says whether a metric name is one offsetMetrics picks.
func isOffsetMetric(n string) bool {
	return strings.Contains(n, ".KafkaSourceReader.topic.") && strings.HasSuffix(n, ".currentOffset")
}
