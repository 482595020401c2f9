// Package generators owns the email event model, its JSON wire format (see
// DESIGN.md, "Input events"), deterministic event generation, and open-loop
// pacing.
//
// Two rules make runs reproducible and honest:
//
//   - An event is a pure function of (seed, seq): Generator.Fill never reads
//     the clock or shared state, so any seq can be regenerated on its own, in
//     any order, on any goroutine.
//   - A Schedule says when event i is due relative to the run's start, and
//     never looks at the clock either. The sender uses it open loop: an event
//     that is late goes out at once and keeps its intended time, which is
//     what latency is measured from (no coordinated omission).
//
// The current event mix is a flat, memoryless funnel; causal funnels, key
// skew, disorder and rate profiles other than ConstantRate come later.
package generators
