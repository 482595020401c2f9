package session

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/abload/abload/harness/warmup"
	"github.com/abload/abload/reports"
)

// warmupWatch feeds an auto warmup's Settler once a second (from the
// ticker) and signals the run once it has settled.
type warmupWatch struct {
	settler *warmup.Settler
	active  atomic.Bool   // judging: the warmup is on
	settled chan struct{} // closed once the Settler says settled
	once    sync.Once
	mu      sync.Mutex
	lastTS  float64 // the monitor's samples up to here were observed
	done    bool    // finished: observe no more (under mu)
	ok      bool    // the Settler said settled (under mu)
}

func newWarmupWatch() *warmupWatch {
	return &warmupWatch{settler: warmup.New(warmup.Default), settled: make(chan struct{})}
}

// observe judges one timeline second with the JIT readings taken since
// the last one.
func (w *warmupWatch) observe(pt reports.TimePoint, after func(ts float64) map[string][]reports.ResourceSample) {
	if w == nil || !w.active.Load() {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done || w.ok {
		return
	}
	sec := warmup.Second{AtS: pt.TS, P99Ms: pt.E2EP99Ms, JIT: map[string][]warmup.Reading{}}
	if after != nil {
		last := w.lastTS
		for name, smps := range after(w.lastTS) {
			if !warmup.Watched(name) {
				continue // not on the data path
			}
			for _, smp := range smps {
				last = max(last, smp.TS)
				if smp.JITPct != nil {
					sec.JIT[name] = append(sec.JIT[name], warmup.Reading{TS: smp.TS, Pct: *smp.JITPct})
				}
			}
		}
		w.lastTS = last
	}
	if w.settler.Observe(sec) {
		w.ok = true
		w.active.Store(false)
		w.once.Do(func() { close(w.settled) })
	}
}

// stop ends the judging (an error ends the warmup).
func (w *warmupWatch) stop() {
	if w != nil {
		w.finish()
	}
}

// finish ends the judging and returns the Settler's record: settled if it
// said so before now, whatever a tick still in flight finds.
func (w *warmupWatch) finish() reports.WarmupDecision {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	w.active.Store(false)
	return w.settler.Decision(w.ok)
}

// decide is the Settler's record as settled or not, after finish (capacity:
// a settle after the load's planned end does not count).
func (w *warmupWatch) decide(settled bool) reports.WarmupDecision {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.settler.Decision(settled && w.ok)
}

// observeWarmup hands the tick's point to an auto warmup being judged.
func (r *rig) observeWarmup(pt reports.TimePoint) {
	w := r.warmWatch.Load()
	if w == nil || !w.active.Load() {
		return
	}
	var after func(float64) map[string][]reports.ResourceSample
	if r.mon != nil {
		after = r.mon.ResourcesAfter
	}
	w.observe(pt, after)
}

// fixedWarmup is the record of a fixed warmup.
func fixedWarmup(d time.Duration, firstSeq int64) *reports.WarmupDecision {
	return &reports.WarmupDecision{Mode: "fixed", WarmupS: d.Seconds(), MeasureFirstSeq: firstSeq}
}
