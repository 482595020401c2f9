// Package capacity is the capacity search: it steps the offered rate of a
// running benchmark (a Rig: the open-loop schedule, the collector, the
// monitor, the clock) and finds the highest rate that holds the scenario's
// capacity SLOs. Each step settles, is judged over a window (e2e p99 of the
// events intended in it, the lag's slope, send and consumer delay, the
// producer's backlog, failed checkpoints, restarts), then pauses until the
// backlog drains; the search multiplies the rate by capacity.growth while
// steps pass and bisects between the highest pass and the lowest failure.
// A step the harness or the broker could not offer ends the search with the
// answer known so far. The run starts and stops the Rig's parts; this
// package only sets the rate and reads.
package capacity
