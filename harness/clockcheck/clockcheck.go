package clockcheck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/reports"
)

// Probes is how many probe records the clock check sends.
const Probes = 12

// clockProbe is one probe record: the local clock when it was produced and
// when the broker acknowledged it, and the broker's LogAppendTime of it.
type clockProbe struct {
	sendNs, ackNs int64
	appendMs      int64
}

// estimateClockOffset is the broker's clock minus the local one, from the
// probe with the shortest round trip: the broker appended the record
// between send and acknowledgement, so with synchronised clocks its
// LogAppendTime lies in [send, ack]. offset = append − midpoint, ± half
// the round trip, plus half a millisecond for LogAppendTime's resolution.
func estimateClockOffset(ps []clockProbe) (offsetMs, uncertaintyMs, rttMs float64, ok bool) {
	best := -1
	for i, p := range ps {
		if p.appendMs <= 0 || p.ackNs < p.sendNs {
			continue
		}
		if best < 0 || p.ackNs-p.sendNs < ps[best].ackNs-ps[best].sendNs {
			best = i
		}
	}
	if best < 0 {
		return 0, 0, 0, false
	}
	p := ps[best]
	// In integer nanoseconds first: Unix times in float64 ns lose precision.
	// The append time was truncated to the millisecond: its middle is +0.5.
	rtt := p.ackNs - p.sendNs
	d := p.appendMs*int64(time.Millisecond) + int64(time.Millisecond)/2 - p.sendNs - rtt/2
	offsetMs = float64(d) / 1e6
	rttMs = float64(rtt) / 1e6
	return offsetMs, rttMs/2 + 0.5, rttMs, true
}

// clockVerdict fills c's bound and whether the offset is within it: the
// offset counts as beyond only when it is beyond even allowing for the
// uncertainty.
func clockVerdict(c *reports.ClockCheck, bound time.Duration) {
	c.BoundMs = float64(bound) / 1e6
	c.Within = math.Abs(c.OffsetMs)-c.UncertaintyMs <= c.BoundMs
}

// probeBrokerClock produces Probes records one at a time to topic (a
// LogAppendTime topic), noting the local clock (now, Unix ns) before each
// send and after its acknowledgement, then reads them back for the
// broker's append times.
func probeBrokerClock(ctx context.Context, ep *env.Endpoints, topic string, now func() int64) ([]clockProbe, error) {
	cl, err := kgo.NewClient(ep.ClientOpts(
		kgo.DefaultProduceTopic(topic),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.ProducerLinger(0),
		kgo.FetchMaxWait(100*time.Millisecond),
	)...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	// Keys carry this check's own nonce: a topic probed before holds
	// records with the same indexes.
	nonce := strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	ps := make([]clockProbe, Probes)
	for i := range ps {
		rec := &kgo.Record{Key: []byte(nonce + strconv.Itoa(i))}
		ps[i].sendNs = now()
		if err := cl.ProduceSync(pctx, rec).FirstErr(); err != nil {
			return nil, fmt.Errorf("produce probe to %s: %w", topic, err)
		}
		ps[i].ackNs = now()
	}
	seen, createTime := 0, 0
	for seen < len(ps) {
		if createTime > 0 && seen+createTime >= len(ps) {
			return nil, fmt.Errorf("the probes came back from %s with their producer's timestamps: the broker did not apply message.timestamp.type=LogAppendTime to the topic, so its clock cannot be read", topic)
		}
		fs := cl.PollFetches(pctx)
		if pctx.Err() != nil {
			return nil, fmt.Errorf("read probes back from %s: %d of %d after 15 s", topic, seen, len(ps))
		}
		var errs []error
		fs.EachError(func(_ string, _ int32, err error) { errs = append(errs, err) })
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("read probes back from %s: %w", topic, err)
		}
		fs.EachRecord(func(rec *kgo.Record) {
			idx, ok := strings.CutPrefix(string(rec.Key), nonce)
			if !ok {
				return
			}
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= len(ps) || ps[i].appendMs != 0 {
				return
			}
			if rec.Attrs.TimestampType() != 1 {
				createTime++ // not a LogAppendTime topic: no broker clock to read
				return
			}
			ps[i].appendMs = rec.Timestamp.UnixMilli()
			seen++
		})
	}
	return ps, nil
}

// Check runs the clock check on topic (a LogAppendTime topic): the broker's
// clock against the local one (now, Unix ns), judged against bound. A
// check that could not be made comes back with its Error set.
func Check(ctx context.Context, ep *env.Endpoints, topic string, now func() int64, bound time.Duration) *reports.ClockCheck {
	c := &reports.ClockCheck{}
	ps, err := probeBrokerClock(ctx, ep, topic, now)
	if err != nil {
		c.Error = err.Error()
		return c
	}
	off, unc, rtt, ok := estimateClockOffset(ps)
	if !ok {
		c.Error = "no probe came back with a LogAppendTime"
		return c
	}
	c.OffsetMs, c.UncertaintyMs, c.RoundTripMs, c.Probes = off, unc, rtt, len(ps)
	clockVerdict(c, bound)
	return c
}
