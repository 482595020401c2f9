package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

/** Open/click de-duplication per (campaign, recipient) and event-time expiry of its state. */
class DedupeFunctionTest {
    private static final long TTL = 10_000;

    private static KeyedOneInputStreamOperatorTestHarness<Tuple2<Integer, Long>, EmailEvent, EmailEvent> harness()
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new DedupeFunction(TTL), new Keys.CampaignRecipient(), Keys.CampaignRecipient.TYPE);
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<?, EmailEvent, EmailEvent> h, EmailEvent e)
            throws Exception {
        h.processElement(e, e.eventTimeMs);
    }

    private static List<String> statuses(KeyedOneInputStreamOperatorTestHarness<?, EmailEvent, EmailEvent> h) {
        return h.extractOutputValues().stream().map(e -> e.seq + ":" + e.status()).collect(Collectors.toList());
    }

    @Test
    void flagsRepeatedOpensAndClicksPerCampaignAndRecipient() throws Exception {
        try (var h = harness()) {
            feed(h, event(0, 1000, EventType.SEND, 1, "A", 7));
            feed(h, event(1, 1001, EventType.SEND, 1, "A", 7));      // not de-duplicated
            feed(h, event(2, 1002, EventType.OPEN, 1, "A", 7));      // first open
            feed(h, event(3, 1003, EventType.OPEN, 1, "A", 7));      // duplicate
            feed(h, event(4, 1004, EventType.CLICK, 1, "A", 7));     // first click
            feed(h, event(5, 1005, EventType.CLICK, 1, "A", 7));     // duplicate
            feed(h, event(6, 1006, EventType.OPEN, 2, "A", 7));      // other campaign
            feed(h, event(7, 1007, EventType.OPEN, 1, "A", 8));      // other recipient
            feed(h, event(8, 1008, EventType.CONVERSION, 1, "A", 7));
            feed(h, event(9, 1009, EventType.CONVERSION, 1, "A", 7));
            feed(h, event(10, 1010, EventType.OPEN, 1, "A", 7));     // duplicate again
            assertEquals(List.of("0:accepted", "1:accepted", "2:accepted", "3:duplicate", "4:accepted",
                    "5:duplicate", "6:accepted", "7:accepted", "8:accepted", "9:accepted", "10:duplicate"), statuses(h));
            // Only keys that saw an open or click hold state, each with exactly one timer.
            assertEquals(3, h.numKeyedStateEntries());
            assertEquals(3, h.numEventTimeTimers());
        }
    }

    @Test
    void botOpensNeitherClaimNorConsumeTheFirstOpen() throws Exception {
        try (var h = harness()) {
            EmailEvent bot = event(0, 1000, EventType.OPEN, 1, "A", 7);
            bot.bot = true;
            feed(h, bot);                                        // machine prefetch
            feed(h, event(1, 1001, EventType.OPEN, 1, "A", 7));  // the human's first open
            EmailEvent bot2 = event(2, 1002, EventType.OPEN, 1, "A", 7);
            bot2.bot = true;
            feed(h, bot2);                                       // another prefetch: not a duplicate either
            feed(h, event(3, 1003, EventType.OPEN, 1, "A", 7));  // human re-open: duplicate
            assertEquals(List.of("0:accepted", "1:accepted", "2:accepted", "3:duplicate"), statuses(h));
            Counts c = new Counts();
            h.extractOutputValues().forEach(c::add);
            assertEquals(4, c.opens);
            assertEquals(2, c.botOpens);
            assertEquals(1, c.uniqueOpens);
            assertEquals(1, h.numKeyedStateEntries());
        }
    }

    @Test
    void stateAndTimersDrainAfterTheTtl() throws Exception {
        try (var h = harness()) {
            feed(h, event(0, 1000, EventType.OPEN, 1, "A", 7));  // timer at 11000
            feed(h, event(1, 5000, EventType.CLICK, 1, "A", 7)); // same key: no second timer
            feed(h, event(2, 3000, EventType.OPEN, 1, "B", 9));  // timer at 13000
            feed(h, event(3, 4000, EventType.SEND, 1, "B", 10)); // no state, no timer
            assertEquals(2, h.numKeyedStateEntries());
            assertEquals(2, h.numEventTimeTimers());

            h.processWatermark(10_999);
            assertEquals(2, h.numKeyedStateEntries());
            h.processWatermark(11_000);
            assertEquals(1, h.numKeyedStateEntries());
            assertEquals(1, h.numEventTimeTimers());
            h.processWatermark(13_000);
            assertEquals(0, h.numKeyedStateEntries());
            assertEquals(0, h.numEventTimeTimers());

            // After expiry the key starts afresh: the next open is unique again.
            feed(h, event(4, 14_000, EventType.OPEN, 1, "A", 7));
            feed(h, event(5, 14_001, EventType.OPEN, 1, "A", 7));
            assertEquals(List.of("0:accepted", "1:accepted", "2:accepted", "3:accepted", "4:accepted", "5:duplicate"),
                    statuses(h));
            assertEquals(1, h.numEventTimeTimers());
            h.processWatermark(Long.MAX_VALUE);
            assertEquals(0, h.numKeyedStateEntries());
            assertEquals(0, h.numEventTimeTimers());
        }
    }

    /**
     * Opens a dedupe operator whose execution config has {@code pipeline.force-kryo} =
     * {@code forceKryo} and returns its {@code eventSerializer} gauge's value.
     */
    private static Object eventSerializerGauge(boolean forceKryo) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.FORCE_KRYO, forceKryo);
        ExecutionConfig executionConfig = new ExecutionConfig();
        executionConfig.configure(conf, DedupeFunctionTest.class.getClassLoader());
        InterceptingOperatorMetricGroup operatorMetrics = new InterceptingOperatorMetricGroup();
        UnregisteredMetricGroups.UnregisteredTaskMetricGroup taskMetrics = TaskMetrics.intercepting(operatorMetrics);
        DedupeFunction fn = new DedupeFunction(TTL);
        try (MockEnvironment env = new MockEnvironmentBuilder()
                        .setExecutionConfig(executionConfig)
                        .setMetricGroup(taskMetrics)
                        .build();
                KeyedOneInputStreamOperatorTestHarness<Tuple2<Integer, Long>, EmailEvent, EmailEvent> h =
                        new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                                new Keys.CampaignRecipient(), Keys.CampaignRecipient.TYPE, env)) {
            h.open();
            feed(h, event(0, 1000, EventType.OPEN, 1, "A", 7));
            assertEquals(List.of("0:accepted"), statuses(h));
            Object value = ((Gauge<?>) operatorMetrics.get("eventSerializer")).getValue();
            assertEquals(fn.eventSerializer(), value);
            return value;
        }
    }

    @Test
    void eventSerializerGaugeNamesTheSerializerOfTheRuntimeContext() throws Exception {
        assertEquals("PojoSerializer", eventSerializerGauge(false));
        assertEquals("KryoSerializer", eventSerializerGauge(true));
    }
}
