// Package clockcheck reads the broker's clock against abload's: it
// produces Probes records one at a time to a LogAppendTime topic, noting
// the local clock before each send and after its acknowledgement, reads
// back the broker's append times, and takes the probe with the shortest
// round trip (offset = append − midpoint, ± half the round trip). e2e
// latency is measured across the two clocks, so a run whose check finds
// them further apart than env.max_clock_offset is invalid.
package clockcheck
