package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The per-window aggregate: counts, event count, max intended_ns, and merging. */
class WindowCountsAggregateTest {

    @Test
    void aggregatesAndMerges() {
        WindowCountsAggregate agg = new WindowCountsAggregate();
        WindowAccumulator a = agg.createAccumulator();
        EmailEvent open = event(1, 10, EventType.OPEN, 1, "A", 1);
        EmailEvent dupOpen = event(2, 11, EventType.OPEN, 1, "A", 1);
        dupOpen.duplicate = true;
        agg.add(open, a);
        agg.add(dupOpen, a);
        WindowAccumulator b = agg.add(event(3, 5, EventType.SEND, 1, "A", 2), agg.createAccumulator());
        WindowAccumulator m = agg.getResult(agg.merge(a, b));
        assertEquals(3, m.events);
        assertEquals(2, m.opens);
        assertEquals(1, m.uniqueOpens);
        assertEquals(1, m.sends);
        assertEquals(dupOpen.intendedNs, m.maxIntendedNs);
    }
}
