// Package generators owns the email event model and its wire encodings (JSON
// and binary v1, see DESIGN.md), the key distributions (uniform, zipf, hot
// set, moving hot keys), the causal funnel and disorder models, rate
// profiles, and deterministic open-loop event generation.
//
// Three rules make runs reproducible and honest:
//
//   - A Schedule says when event i is due relative to the schedule's origin
//     and never looks at the clock. The sender uses it open loop: an event
//     that is late goes out at once and keeps its intended time, which is
//     what latency is measured from (no coordinated omission).
//   - The stream is split into lanes (slot i belongs to lane i mod Lanes).
//     A Lane is a deterministic state machine seeded by (Seed, lane): given
//     the same slots it emits the same events, whatever the clock, so lanes
//     can be driven by separate goroutines without coordination.
//   - Each lane decides per slot: emit the earliest follow-up that is due,
//     or else start a new send and schedule its funnel (delivery or bounce,
//     opens, clicks, conversion, unsubscribe) with log-normal delays in
//     campaign time, compressed by the funnel's time scale. The rate is the
//     schedule's; the mix of event types follows from the funnel.
//
// Generator.Truth is the configured truth (rates, lifts, key shares) a job's
// measurements are compared with; Lane.Stats the realized counts.
package generators
