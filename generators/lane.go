package generators

import "fmt"

// Lane is one lane's deterministic state machine: the sends of its schedule
// slots and all their follow-ups. A lane depends only on (Seed, lane number)
// and the slots it is given, so lanes can run on separate goroutines (or
// hosts) without coordination and still reproduce the same stream.
//
// At each slot the lane emits the earliest pending follow-up that is due
// (its emit time, event time + disorder lag, is at or before the slot's
// intended time); when none is due it starts a new send and schedules the
// send's whole funnel at once. So the rate is the schedule's, and the mix of
// event types adapts to it: at a steady rate about 40% of events are sends.
//
// An event's time is when it happened in the funnel (the send's time plus
// the drawn delays), so funnel delays are exact. Its emission waits for a
// slot at or after event time + lag; a slot usually comes within a few
// slot intervals, but after a rate drop due follow-ups take every slot
// until they are drained and go out later than planned. An ordinary event
// whose lag would then exceed MaxDelay gets its event time moved forward to
// intended − MaxDelay, which keeps the one guarantee a job's watermark
// relies on: only the LateFraction events lag by more than MaxDelay.
//
// Pending state is bounded: a send schedules at most 2 + 2·(1+8) + 2
// follow-ups (MaxFollowUp cuts everything beyond 24 h of campaign time, and
// at most 8 re-opens or re-clicks are made), plus at most one duplicate per
// human open, and each leaves the lane within MaxFollowUp/TimeScale +
// max(MaxDelay, 1.1·LateLag) of run time. In steady
// state a lane holds about rate × Σ P(step) × (mean delay + lag) entries of
// 32 bytes: with the default funnel, 2 s of MaxDelay and 1% of events 30 s
// late, ~110 000 entries (3.5 MB) at 100 000 events/s per lane. Its slices
// grow by doubling and are reused, so steady state allocates nothing (see
// timeline for how it stays fast at that size).
type Lane struct {
	g    *Generator
	r    rng
	tl   timeline // pending follow-ups and duplicates
	camp keyCursor
	rcpt keyCursor
	st   laneStats
}

// pending is a scheduled follow-up (or a duplicate), 32 bytes.
type pending struct {
	at    int64 // run-time offset (ns) from which it may be emitted
	ts    int64 // duplicates: the event time (Unix ms) they repeat; others: the causal event time (run-time offset, ns)
	rcpt  int64
	camp  int32
	typ   EventType
	vari  uint8
	flags uint8
}

// pending.flags.
const (
	fBot   = 1 << iota // a machine open
	fFirst             // the first human open (or click) of its send
	fLate              // lags by LateLag instead of at most MaxDelay
	fDup               // a duplicate of an emitted human open
)

// Lane returns a fresh state machine for lane l (0 <= l < Lanes). Call it
// once per lane per run: two Lanes for the same l produce the same events.
func (g *Generator) Lane(l int) *Lane {
	if l < 0 || l >= g.lanes {
		panic(fmt.Sprintf("generators: Lane(%d) of %d lanes", l, g.lanes))
	}
	return &Lane{
		g:  g,
		r:  rng{s: splitmix64(g.seed + uint64(l+1)*0xd1342543de82ef95)},
		tl: newTimeline(g.followUp + max(g.maxDelay, g.lateLag+int64(g.lateJitter)) + 1<<bucketShift),
		st: laneStats{byVariant: make([]VariantStats, len(g.variants))},
	}
}

// Next fills e for schedule slot seq, intended at intendedNs (Unix ns);
// originNs is the schedule's origin, from which run-time offsets (funnel
// delays, moving hot keys) are measured. Slots must be given in increasing
// seq order, and for a lane l of L lanes seq ≡ l (mod L). EventTimeMs is
// absolute (Unix ms) and never after intendedNs. Next overwrites every field
// of e and does not allocate in steady state.
func (ln *Lane) Next(e *Event, seq, intendedNs, originNs int64) {
	t := intendedNs - originNs
	g := ln.g
	ln.tl.advance(t)
	for {
		p, ok := ln.tl.take(t)
		if !ok {
			break
		}
		if p.flags&fDup != 0 {
			// A duplicate keeps its original's event time; if waiting for
			// this slot pushed it beyond MaxDelay it would be late, not a
			// duplicate, so it is dropped (and counted).
			if floorDiv(intendedNs, 1e6)-p.ts > g.maxDelayMs {
				ln.st.droppedDuplicates++
				continue
			}
			ln.fill(e, &p, seq, intendedNs, p.ts)
			return
		}
		// The event keeps its causal time, unless this slot came so late
		// that its lag would exceed MaxDelay: then it is clamped to
		// MaxDelay, moving the event time forward by the excess, so that
		// only LateFraction is ever late.
		ev := p.ts
		if p.flags&fLate == 0 && t-ev > g.maxDelay {
			ev = t - g.maxDelay
		}
		evMs := floorDiv(originNs+ev, 1e6)
		ln.fill(e, &p, seq, intendedNs, evMs)
		if p.typ == Open && p.flags&(fBot|fLate) == 0 && g.dup > 0 && ln.r.float() < g.dup {
			// The duplicate goes out later, but within MaxDelay of the
			// event time.
			d := p
			d.flags = fDup
			d.ts = evMs
			d.at = t + int64(ln.r.below(uint64(g.maxDelay-(t-ev))+1))
			ln.tl.push(d)
		}
		return
	}
	ln.send(e, seq, intendedNs, t)
}

// fill writes p into e and counts it.
func (ln *Lane) fill(e *Event, p *pending, seq, intendedNs, evMs int64) {
	*e = Event{
		Seq:         seq,
		IntendedNs:  intendedNs,
		EventTimeMs: evMs,
		Type:        p.typ,
		Campaign:    p.camp,
		Variant:     ln.g.variants[p.vari],
		Recipient:   p.rcpt,
		Bot:         p.flags&fBot != 0,
	}
	st := &ln.st
	vs := &st.byVariant[p.vari]
	st.events++
	switch p.typ {
	case Send:
		vs.Sends++
	case Delivery:
		vs.Deliveries++
	case Bounce:
		vs.Bounces++
	case Open:
		vs.Opens++
		switch {
		case p.flags&fBot != 0:
			st.bots++
		case p.flags&fDup != 0:
		default:
			vs.HumanOpens++
			if p.flags&fFirst != 0 {
				vs.UniqueOpens++
			}
		}
	case Click:
		vs.Clicks++
		if p.flags&fFirst != 0 {
			vs.UniqueClicks++
		}
	case Conversion:
		vs.Conversions++
	case Unsubscribe:
		vs.Unsubscribes++
	}
	vs.Events++
	if p.flags&fLate != 0 {
		st.late++
		vs.Late++
	}
	if p.flags&fDup != 0 {
		st.duplicates++
	}
}

// drawLag draws an event's disorder lag in ns: LateLag plus up to 10% with
// probability LateFraction, else uniform in [0, MaxDelay].
func (ln *Lane) drawLag() (lag int64, late bool) {
	g := ln.g
	if g.lateFrac > 0 && ln.r.float() < g.lateFrac {
		return g.lateLag + int64(ln.r.below(g.lateJitter)), true
	}
	return ln.ordinaryLag(), false
}

func (ln *Lane) ordinaryLag() int64 {
	if ln.g.maxDelay == 0 {
		return 0
	}
	return int64(ln.r.below(uint64(ln.g.maxDelay) + 1))
}

// send starts a new send in slot seq (run-time offset t) and schedules its
// funnel. The funnel runs from the send's causal time t - lag, where lag is
// an ordinary lag even when the send itself is reported late (a late send
// is one whose event time claims it happened LateLag ago; its follow-ups
// keep the ordinary timeline).
func (ln *Lane) send(e *Event, seq, intendedNs, t int64) {
	g := ln.g
	c := int32(g.campaigns.sample(&ln.r, &ln.camp, t))
	rc := g.recipients.sample(&ln.r, &ln.rcpt, t)
	v := g.variantOf(c, rc)
	lag, late := ln.drawLag()
	base := t - lag
	p := pending{rcpt: rc, camp: c, vari: v, typ: Send}
	if late {
		p.flags = fLate
		base = t - ln.ordinaryLag()
	}
	ln.fill(e, &p, seq, intendedNs, floorDiv(intendedNs-lag, 1e6))
	p.flags = 0
	ln.funnel(p, base)
}

// funnel schedules the follow-ups of a send made at run-time offset base.
// Every step draws its own delay from its parent's time; a step beyond
// MaxFollowUp (in run time) is cut with everything that would follow it.
func (ln *Lane) funnel(p pending, base int64) {
	g := ln.g
	r := &ln.r
	end := base + g.followUp
	d := base + g.delivery.draw(r)
	if d > end {
		return
	}
	if r.float() < g.bounce {
		ln.schedule(p, Bounce, 0, d)
		return
	}
	ln.schedule(p, Delivery, 0, d)
	if g.botOpen > 0 && r.float() < g.botOpen {
		if b := d + int64(r.float()*g.botWindow); b <= end {
			ln.schedule(p, Open, fBot, b)
		}
	}
	vf := &g.vf[p.vari]
	if !(r.float() < vf.open) {
		return
	}
	o := d + g.open.draw(r)
	if o > end {
		return
	}
	ln.schedule(p, Open, fFirst, o)
	ro := o
	for range maxRepeats {
		if !(g.reopen > 0 && r.float() < g.reopen) {
			break
		}
		if ro += g.open.draw(r); ro > end {
			break
		}
		ln.schedule(p, Open, 0, ro)
	}
	if g.unsub > 0 && r.float() < g.unsub {
		if u := o + g.click.draw(r); u <= end {
			ln.schedule(p, Unsubscribe, 0, u)
		}
	}
	if !(r.float() < vf.click) {
		return
	}
	c := o + g.click.draw(r)
	if c > end {
		return
	}
	ln.schedule(p, Click, fFirst, c)
	rc := c
	for range maxRepeats {
		if !(g.reopen > 0 && r.float() < g.reopen) {
			break
		}
		if rc += g.click.draw(r); rc > end {
			break
		}
		ln.schedule(p, Click, 0, rc)
	}
	if vf.conversion > 0 && r.float() < vf.conversion {
		if cv := c + g.conversion.draw(r); cv <= end {
			ln.schedule(p, Conversion, 0, cv)
		}
	}
}

// schedule queues a follow-up that happens at run-time offset at, with its
// own disorder lag.
func (ln *Lane) schedule(p pending, typ EventType, flags uint8, at int64) {
	lag, late := ln.drawLag()
	if late {
		flags |= fLate
	}
	p.typ = typ
	p.flags = flags
	p.at = at + lag
	p.ts = at
	ln.tl.push(p)
}

// Pending returns how many follow-ups and duplicates wait in the lane.
func (ln *Lane) Pending() int { return ln.tl.len() }

// laneStats is Stats without the maps and names, for the hot path.
type laneStats struct {
	byVariant                                         []VariantStats
	events, late, duplicates, droppedDuplicates, bots int64
}

// Stats returns the lane's realized counts so far (a copy).
func (ln *Lane) Stats() Stats {
	return Stats{
		Variants:          append([]string(nil), ln.g.variants...),
		ByVariant:         append([]VariantStats(nil), ln.st.byVariant...),
		Events:            ln.st.events,
		Late:              ln.st.late,
		Duplicates:        ln.st.duplicates,
		DroppedDuplicates: ln.st.droppedDuplicates,
		Bots:              ln.st.bots,
	}
}

// Stats are realized counts of emitted events: what the job was actually
// sent, to set beside what it measured and beside the configured Truth.
type Stats struct {
	// Variants are the labels ByVariant is aligned with.
	Variants  []string       `json:"variants"`
	ByVariant []VariantStats `json:"by_variant"`
	// Events is every event emitted. Late counts those that lag by
	// LateLag; Duplicates the duplicate opens emitted, DroppedDuplicates
	// those dropped because the schedule's slots came too late for them to
	// stay within MaxDelay (raise the rate, or MaxDelay, if this is large).
	// Bots counts bot opens.
	Events            int64 `json:"events"`
	Late              int64 `json:"late"`
	Duplicates        int64 `json:"duplicates"`
	DroppedDuplicates int64 `json:"dropped_duplicates"`
	Bots              int64 `json:"bots"`
}

// VariantStats are one variant's realized counts. Every emitted event
// counts, late ones included.
type VariantStats struct {
	Sends      int64 `json:"sends"`
	Deliveries int64 `json:"deliveries"`
	Bounces    int64 `json:"bounces"`
	// Opens is every open event (bot, human, re-open, duplicate), as the
	// job's opens count; HumanOpens excludes bot opens and duplicates;
	// UniqueOpens counts sends with at least one human open.
	Opens       int64 `json:"opens"`
	HumanOpens  int64 `json:"human_opens"`
	UniqueOpens int64 `json:"unique_opens"`
	// Clicks includes re-clicks; UniqueClicks counts clicked sends.
	Clicks       int64 `json:"clicks"`
	UniqueClicks int64 `json:"unique_clicks"`
	Conversions  int64 `json:"conversions"`
	Unsubscribes int64 `json:"unsubscribes"`
	// Events is every event of the variant; Late those emitted late (by
	// LateLag), which the job should count as late.
	Events int64 `json:"events"`
	Late   int64 `json:"late"`
}

func (v *VariantStats) add(o VariantStats) {
	v.Events += o.Events
	v.Late += o.Late
	v.Sends += o.Sends
	v.Deliveries += o.Deliveries
	v.Bounces += o.Bounces
	v.Opens += o.Opens
	v.HumanOpens += o.HumanOpens
	v.UniqueOpens += o.UniqueOpens
	v.Clicks += o.Clicks
	v.UniqueClicks += o.UniqueClicks
	v.Conversions += o.Conversions
	v.Unsubscribes += o.Unsubscribes
}

// Merge adds o into s, matching variants by label (so lanes merge in any
// order, and a zero Stats takes o's variants).
func (s *Stats) Merge(o Stats) {
	for i, name := range o.Variants {
		j := s.index(name)
		if j < 0 {
			s.Variants = append(s.Variants, name)
			s.ByVariant = append(s.ByVariant, VariantStats{})
			j = len(s.Variants) - 1
		}
		if i < len(o.ByVariant) {
			s.ByVariant[j].add(o.ByVariant[i])
		}
	}
	s.Events += o.Events
	s.Late += o.Late
	s.Duplicates += o.Duplicates
	s.DroppedDuplicates += o.DroppedDuplicates
	s.Bots += o.Bots
}

func (s *Stats) index(name string) int {
	for i, v := range s.Variants {
		if v == name {
			return i
		}
	}
	return -1
}

// Variant returns the counts of the variant labelled name, nil if none.
func (s *Stats) Variant(name string) *VariantStats {
	if i := s.index(name); i >= 0 && i < len(s.ByVariant) {
		return &s.ByVariant[i]
	}
	return nil
}

// Total returns the counts of all variants added up.
func (s *Stats) Total() VariantStats {
	var t VariantStats
	for _, v := range s.ByVariant {
		t.add(v)
	}
	return t
}
