package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.util.List;

/** The second phase of the salted windows: one merged record per window, late re-emits, cleanup. */
class WindowMergeFunctionTest {

    private static KeyedOneInputStreamOperatorTestHarness<Tuple2<Integer, String>, WindowPartial, String> harness(
            long allowedLatenessMs) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new WindowMergeFunction(allowedLatenessMs),
                new Keys.PartialCampaignVariant(), Keys.PartialCampaignVariant.TYPE);
    }

    /** The accumulator of {@code events}, as the window aggregate builds it. */
    private static WindowAccumulator acc(EmailEvent... events) {
        WindowCountsAggregate agg = new WindowCountsAggregate();
        WindowAccumulator a = agg.createAccumulator();
        for (EmailEvent e : events) {
            agg.add(e, a);
        }
        return a;
    }

    private static WindowPartial partial(int salt, long start, long end, EmailEvent... events) {
        return new WindowPartial(events[0].campaign, events[0].variant, salt, start, end, acc(events));
    }

    private static String record(long start, long end, EmailEvent... events) {
        StringBuilder sb = new StringBuilder();
        WireFormat.appendWindow(sb, events[0].campaign, events[0].variant, start, end, acc(events));
        return sb.toString();
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<?, WindowPartial, String> h, WindowPartial p)
            throws Exception {
        h.processElement(p, p.windowEnd - 1);
    }

    @Test
    void emitsOneMergedRecordWhenTheWatermarkPassesTheWindow() throws Exception {
        EmailEvent a0 = event(0, 100, EventType.SEND, 1, "A", 1);
        EmailEvent a1 = event(1, 200, EventType.OPEN, 1, "A", 2);
        EmailEvent a2 = event(2, 900, EventType.CLICK, 1, "A", 3);
        EmailEvent b0 = event(3, 300, EventType.SEND, 1, "B", 4);
        EmailEvent next = event(4, 1500, EventType.SEND, 1, "A", 1);
        try (var h = harness(0)) {
            feed(h, partial(0, 0, 1000, a0, a2));
            feed(h, partial(5, 0, 1000, a1));
            feed(h, partial(3, 0, 1000, b0));
            feed(h, partial(0, 1000, 2000, next));
            h.processWatermark(998);
            assertEquals(List.of(), h.extractOutputValues());
            h.processWatermark(999);
            List<String> out = h.extractOutputValues();
            assertEquals(2, out.size());
            assertTrue(out.containsAll(List.of(record(0, 1000, a0, a1, a2), record(0, 1000, b0))), out.toString());
            // Without allowed lateness the window's state goes with its emission: only 1/A's
            // next window is left.
            assertEquals(1, h.numKeyedStateEntries());
            assertEquals(1, h.numEventTimeTimers());
            h.processWatermark(Long.MAX_VALUE);
            assertEquals(record(1000, 2000, next), h.extractOutputValues().get(2));
            assertEquals(0, h.numKeyedStateEntries());
            assertEquals(0, h.numEventTimeTimers());
        }
    }

    @Test
    void aLatePartialReplacesItsSaltAndReEmitsUntilTheCleanup() throws Exception {
        EmailEvent s0 = event(0, 100, EventType.SEND, 1, "A", 1);
        EmailEvent s1 = event(1, 200, EventType.OPEN, 1, "A", 2);
        EmailEvent late1 = event(2, 300, EventType.CLICK, 1, "A", 2);
        EmailEvent late2 = event(3, 400, EventType.CONVERSION, 1, "A", 9);
        try (var h = harness(500)) {
            feed(h, partial(0, 0, 1000, s0));
            feed(h, partial(1, 0, 1000, s1));
            h.processWatermark(999);
            assertEquals(List.of(record(0, 1000, s0, s1)), h.extractOutputValues());
            // The first phase's late firing of salt 1: all of salt 1's events so far.
            h.processElement(partial(1, 0, 1000, s1, late1), 1200);
            // A salt with no partial before: added.
            h.processElement(partial(6, 0, 1000, late2), 1300);
            assertEquals(List.of(record(0, 1000, s0, s1), record(0, 1000, s0, s1, late1),
                    record(0, 1000, s0, s1, late1, late2)), h.extractOutputValues());
            assertEquals(1, h.numKeyedStateEntries()); // the key's map of (window start, salt) → partial
            // Cleanup at end - 1 + allowed lateness = 1499; no further emission.
            h.processWatermark(1498);
            assertEquals(1, h.numKeyedStateEntries());
            h.processWatermark(1499);
            assertEquals(0, h.numKeyedStateEntries());
            assertEquals(0, h.numEventTimeTimers());
            assertEquals(3, h.extractOutputValues().size());
            // A partial past the cleanup (cannot come from a first phase with the same lateness) is dropped.
            h.processElement(partial(2, 0, 1000, late2), 1500);
            assertEquals(0, h.numKeyedStateEntries());
            assertEquals(3, h.extractOutputValues().size());
        }
    }

    @Test
    void aWindowWhoseFirstPartialIsLateIsEmittedOnceAndCleanedUp() throws Exception {
        EmailEvent e = event(0, 100, EventType.SEND, 2, "C", 1);
        try (var h = harness(500)) {
            h.processWatermark(1200);
            h.processElement(partial(4, 0, 1000, e), 1250);
            assertEquals(List.of(record(0, 1000, e)), h.extractOutputValues());
            assertEquals(1, h.numEventTimeTimers()); // the cleanup timer only
            h.processWatermark(Long.MAX_VALUE);
            assertEquals(1, h.extractOutputValues().size());
            assertEquals(0, h.numKeyedStateEntries());
        }
    }

    @Test
    void saltsAreDeterministicAndSpread() {
        int salts = 8;
        int[] buckets = new int[salts];
        for (long r = 0; r < 80_000; r++) {
            int s = Keys.salt(r, salts);
            assertEquals(s, Keys.salt(r, salts));
            buckets[s]++;
        }
        for (int b : buckets) {
            assertTrue(Math.abs(b - 10_000) < 500, java.util.Arrays.toString(buckets));
        }
        for (long r : new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}) {
            int s = Keys.salt(r, 1024);
            assertTrue(s >= 0 && s < 1024, Long.toString(r));
        }
        EmailEvent e = event(0, 1, EventType.OPEN, 3, "B", 12345);
        assertEquals(org.apache.flink.api.java.tuple.Tuple3.of(3, "B", Keys.salt(12345, 16)),
                new Keys.CampaignVariantSalt(16).getKey(e));
    }
}
