package dev.abload.jobs.ab;

/**
 * Accumulator (and result) of the per-window aggregate: the window's own counts, how many
 * non-late events it saw, and the largest {@code intended_ns} among them, which the harness
 * measures window latency from.
 */
public class WindowAccumulator extends Counts {
    public long events;
    public long maxIntendedNs = Long.MIN_VALUE;

    public WindowAccumulator() {}
}
