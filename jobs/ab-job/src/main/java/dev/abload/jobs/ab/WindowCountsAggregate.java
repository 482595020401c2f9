package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Incremental per-window aggregation: keeps only a {@link WindowAccumulator} per window and
 * key instead of buffering the window's events, so window state stays small however many
 * events a window holds.
 */
public class WindowCountsAggregate implements AggregateFunction<EmailEvent, WindowAccumulator, WindowAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator add(EmailEvent e, WindowAccumulator acc) {
        acc.add(e);
        acc.events++;
        if (e.intendedNs > acc.maxIntendedNs) {
            acc.maxIntendedNs = e.intendedNs;
        }
        return acc;
    }

    @Override
    public WindowAccumulator getResult(WindowAccumulator acc) {
        return acc;
    }

    @Override
    public WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        a.merge(b);
        a.events += b.events;
        a.maxIntendedNs = Math.max(a.maxIntendedNs, b.maxIntendedNs);
        return a;
    }
}
