package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Running counts per (campaign, variant), one update per event. */
class CountsFunctionTest {

    private static EmailEvent dup(EmailEvent e) {
        e.duplicate = true;
        return e;
    }

    @Test
    void emitsRunningCountsPerCampaignAndVariant() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Tuple2<Integer, String>, EmailEvent, String> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new CountsFunction(), new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE)) {
            List<EmailEvent> in = List.of(
                    event(0, 1, EventType.SEND, 1, "A", 1),
                    event(1, 2, EventType.DELIVERY, 1, "A", 1),
                    event(2, 3, EventType.OPEN, 1, "A", 1),
                    dup(event(3, 4, EventType.OPEN, 1, "A", 1)),
                    event(4, 5, EventType.SEND, 1, "B", 2),
                    event(5, 6, EventType.CLICK, 1, "A", 1),
                    dup(event(6, 7, EventType.CLICK, 1, "A", 1)),
                    event(7, 8, EventType.BOUNCE, 1, "B", 2),
                    event(8, 9, EventType.CONVERSION, 1, "A", 1),
                    event(9, 10, EventType.UNSUBSCRIBE, 1, "A", 1),
                    event(10, 11, EventType.SEND, 2, "A", 3));
            for (EmailEvent e : in) {
                h.processElement(e, e.eventTimeMs);
            }

            // Reference: an independent running tally per key.
            java.util.Map<String, long[]> tally = new java.util.HashMap<>();
            List<String> expected = new ArrayList<>();
            for (EmailEvent e : in) {
                long[] t = tally.computeIfAbsent(e.campaign + "/" + e.variant, k -> new long[9]);
                int i = java.util.Arrays.asList(EventType.SEND, EventType.DELIVERY, EventType.BOUNCE, EventType.OPEN, null,
                        EventType.CLICK, null, EventType.CONVERSION, EventType.UNSUBSCRIBE).indexOf(e.type);
                t[i]++;
                if (!e.duplicate && e.type == EventType.OPEN) {
                    t[4]++;
                }
                if (!e.duplicate && e.type == EventType.CLICK) {
                    t[6]++;
                }
                expected.add(String.format("{\"seq\":%d,\"intended_ns\":%d,\"event_time_ms\":%d,"
                                + "\"status\":\"%s\",\"type\":\"%s\","
                                + "\"campaign\":%d,\"variant\":\"%s\",\"counts\":{\"sends\":%d,\"deliveries\":%d,"
                                + "\"bounces\":%d,\"opens\":%d,\"bot_opens\":0,\"unique_opens\":%d,\"clicks\":%d,\"unique_clicks\":%d,"
                                + "\"conversions\":%d,\"unsubscribes\":%d}}",
                        e.seq, e.intendedNs, e.eventTimeMs, e.status(), e.type.wire(), e.campaign, e.variant,
                        t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]));
            }
            assertEquals(expected, h.extractOutputValues());
            // The last update of 1/A: 1 send, 1 delivery, 2 opens (1 unique), 2 clicks (1 unique), 1 conv, 1 unsub.
            assertEquals(true, h.extractOutputValues().get(9).endsWith(
                    "{\"sends\":1,\"deliveries\":1,\"bounces\":0,\"opens\":2,\"bot_opens\":0,\"unique_opens\":1,\"clicks\":2,"
                            + "\"unique_clicks\":1,\"conversions\":1,\"unsubscribes\":1}}"));
            assertEquals(3, h.numKeyedStateEntries());
        }
    }

    /** The updates of {@code in} through a CountsFunction with the given sample. */
    private static List<String> updates(long sample, List<EmailEvent> in) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Tuple2<Integer, String>, EmailEvent, String> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new CountsFunction(sample), new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE)) {
            for (EmailEvent e : in) {
                h.processElement(e, e.eventTimeMs);
            }
            return h.extractOutputValues();
        }
    }

    @Test
    void updatesSampleEmitsOnlySeqMultiplesButCountsEveryEvent() throws Exception {
        List<EmailEvent> in = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            in.add(event(i, 1000 + i, i % 3 == 0 ? EventType.SEND : EventType.DELIVERY, 1, i % 2 == 0 ? "A" : "B", i));
        }
        List<String> all = updates(1, in);
        assertEquals(100, all.size());
        assertEquals(all, updates(1, in));
        // Sample 10: exactly the updates of seq 0, 10, ..., 90, identical to the unsampled ones
        // (the running totals still include the events whose update was not emitted).
        List<String> sampled = updates(10, in);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i += 10) {
            expected.add(all.get(i));
        }
        assertEquals(expected, sampled);
        assertEquals(true, sampled.get(9).startsWith("{\"seq\":90,"), sampled.get(9));
        // Seq 90 is the 46th event of variant A (16 sends: seq % 6 == 0): its totals count all 46.
        assertEquals(true, sampled.get(9).contains("\"sends\":16,\"deliveries\":30,"), sampled.get(9));
        // A sample larger than every seq keeps only seq 0.
        assertEquals(List.of(all.get(0)), updates(1000, in));

        assertEquals(true, CountsFunction.sampled(0, 7));
        assertEquals(true, CountsFunction.sampled(-14, 7));
        assertEquals(false, CountsFunction.sampled(13, 7));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> new CountsFunction(0));
        assertEquals("updates sample must be >= 1, got 0", e.getMessage());
    }
}
