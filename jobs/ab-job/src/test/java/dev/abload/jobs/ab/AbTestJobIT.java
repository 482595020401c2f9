package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs the real {@link AbTestJob} topology at parallelism 2 on a MiniCluster, fed by a bounded,
 * rate-limited in-memory source of input records (JSON and binary v1 alternating, decoded by the
 * real auto-detecting parser) and drained into collecting sinks, and checks statuses, final
 * counts, window results and late flagging against a reference model.
 *
 * <p>Determinism: the generator source gives each of its two readers one contiguous split, so
 * each split is one ordered "partition". Within a split, on-time events are never more than
 * the out-of-orderness behind the maximum so far (so they cannot be late whatever the timing),
 * and the deliberately late events come {@value #PADDING}+ rate-limited records (≈0.5 s) after
 * the event that makes them late, far longer than the 20 ms watermark interval.
 */
class AbTestJobIT {
    private static final long T0 = 1_764_132_000_000L;
    private static final long WINDOW = 1000;
    private static final long OOO = 100;
    private static final int PADDING = 14;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** One scripted input record and whether the test expects it to be late. */
    private record Scripted(EmailEvent event, boolean late) {}

    /** Builds one split's ordered script. */
    private static final class Script {
        final List<Scripted> items = new ArrayList<>();
        final int split;
        long maxTs = Long.MIN_VALUE;

        Script(int split) {
            this.split = split;
        }

        Script add(EventType type, int campaign, long recipient, long offsetMs) {
            return add(type, campaign, recipient, offsetMs, false);
        }

        Script late(EventType type, int campaign, long recipient, long offsetMs) {
            return add(type, campaign, recipient, offsetMs, true);
        }

        private Script add(EventType type, int campaign, long recipient, long offsetMs, boolean late) {
            long ts = T0 + offsetMs;
            long seq = split * 1000L + items.size();
            String variant = recipient % 2 == 0 ? "A" : "B";
            EmailEvent e = new EmailEvent(seq, ts * 1_000_000L + (seq * 7919) % 1_000_000, ts, type, campaign,
                    variant, recipient, recipient % 5 == 0);
            if (late) {
                // The event PADDING+ records back already pushed the watermark past this one.
                long pushedBy = items.get(items.size() - PADDING).event.eventTimeMs;
                assertTrue(ts <= pushedBy - OOO - 1, "script error: not late enough");
            } else {
                assertTrue(maxTs == Long.MIN_VALUE || ts > maxTs - OOO - 1, "script error: could be late");
                maxTs = Math.max(maxTs, ts);
            }
            items.add(new Scripted(e, late));
            return this;
        }

        Script flush(long offsetMs) {
            items.add(new Scripted(Events.flush(T0 + offsetMs), false));
            return this;
        }
    }

    private static Script script(int split) {
        long b = 100L * (split + 1); // recipients of this split: b..b+19
        Script s = new Script(split);
        // Window 0.
        for (int k = 0; k < 4; k++) {
            s.add(EventType.SEND, 1, b + k, 10L * k);
        }
        for (int k = 0; k < 4; k++) {
            s.add(EventType.DELIVERY, 1, b + k, 100 + 10L * k);
        }
        s.add(EventType.BOUNCE, 1, b + 4, 150);
        for (int k = 0; k < 4; k++) {
            s.add(EventType.OPEN, 1, b + k, 300 + 10L * k);
        }
        s.add(EventType.OPEN, 1, b, 350)               // duplicate open
                .add(EventType.CLICK, 1, b, 400)       // unique click
                .add(EventType.CLICK, 1, b, 410)       // duplicate click
                .add(EventType.CLICK, 1, b + 1, 420)   // unique click
                .add(EventType.OPEN, 1, b + 2, 360)    // out of order (within bound) duplicate open
                .add(EventType.SEND, 2, b, 500)
                .add(EventType.OPEN, 2, b, 510)        // first open of campaign 2: unique
                .add(EventType.CONVERSION, 1, b, 600)
                .add(EventType.UNSUBSCRIBE, 1, b + 1, 700)
                .add(EventType.OPEN, 1, b + 3, 999);   // duplicate, last ms of window 0
        // Window 1.
        s.add(EventType.OPEN, 1, b + 1, 1100)          // duplicate
                .add(EventType.CLICK, 1, b + 2, 1200)
                .add(EventType.CONVERSION, 1, b + 2, 1300)
                .add(EventType.SEND, 2, b + 1, 1500)
                .add(EventType.OPEN, 2, b, 1600);      // duplicate in campaign 2
        // Window 2: jump ahead, then padding so a watermark is surely emitted.
        for (int i = 0; i < PADDING; i++) {
            s.add(i % 2 == 0 ? EventType.SEND : EventType.DELIVERY, 1 + i % 2, b + 5 + i / 2, 2500 + 10L * i);
        }
        s.late(EventType.OPEN, 1, b + 4, 500)          // late, window 0 (long closed); would be unique
                .late(EventType.CLICK, 1, b + 3, 1900)  // late, window 1
                .late(EventType.CONVERSION, 2, b, 2300); // late although its window 2 is still open
        s.add(EventType.OPEN, 1, b, 2700)              // still a duplicate: state lives for the TTL
                .add(EventType.OPEN, 1, b + 4, 2710)    // unique: the late open above did not count
                .add(EventType.CLICK, 1, b + 4, 3050)   // window 3
                .add(EventType.CONVERSION, 1, b + 4, 3999)
                .flush(10_000);
        return s;
    }

    /** Maps a generator index to a scripted record: the first half is split 0, the second split 1. */
    private static final class ScriptGenerator implements GeneratorFunction<Long, EmailEvent> {
        private static final long serialVersionUID = 1L;
        private final byte[][] records;

        ScriptGenerator(byte[][] records) {
            this.records = records;
        }

        @Override
        public EmailEvent map(Long index) throws Exception {
            // Through the real auto-detecting parser, as the Kafka deserializer does.
            return WireFormat.parseEvent(records[index.intValue()]);
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String key(int campaign, String variant) {
        return campaign + "/" + variant;
    }

    private static Map<String, Long> countsOf(Counts c) {
        Map<String, Long> m = new TreeMap<>();
        m.put("sends", c.sends);
        m.put("deliveries", c.deliveries);
        m.put("bounces", c.bounces);
        m.put("opens", c.opens);
        m.put("bot_opens", c.botOpens);
        m.put("unique_opens", c.uniqueOpens);
        m.put("clicks", c.clicks);
        m.put("unique_clicks", c.uniqueClicks);
        m.put("conversions", c.conversions);
        m.put("unsubscribes", c.unsubscribes);
        return m;
    }

    private static Map<String, Long> countsOf(JsonNode n) {
        Map<String, Long> m = new TreeMap<>();
        n.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asLong()));
        return m;
    }

    @Test
    void producesOneUpdatePerEventAndFinalWindows() throws Exception {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(EmailEvent.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(Counts.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(WindowAccumulator.class));

        List<Script> scripts = List.of(script(0), script(1));
        assertEquals(scripts.get(0).items.size(), scripts.get(1).items.size(), "splits must be equally long");
        // Alternate the encodings record by record, so both reach the job (flush and late events included).
        List<byte[]> records = new ArrayList<>();
        for (Script s : scripts) {
            for (Scripted it : s.items) {
                records.add(records.size() % 2 == 0
                        ? Events.json(it.event).getBytes(StandardCharsets.UTF_8)
                        : Events.binary(it.event));
            }
        }

        // Reference model: per split in order (each split is one ordered partition).
        Map<Long, String> expectedStatus = new HashMap<>();
        Map<Long, EmailEvent> bySeq = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, Counts> expectedCounts = new TreeMap<>();
        Map<String, Long> expectedEventsPerKey = new TreeMap<>();
        Map<String, WindowAccumulator> expectedWindows = new TreeMap<>();
        for (Script s : scripts) {
            for (Scripted it : s.items) {
                EmailEvent e = it.event;
                if (e.type == EventType.FLUSH) {
                    continue;
                }
                bySeq.put(e.seq, e);
                if (it.late) {
                    expectedStatus.put(e.seq, "late");
                    continue;
                }
                EmailEvent copy = new EmailEvent(e.seq, e.intendedNs, e.eventTimeMs, e.type, e.campaign, e.variant,
                        e.recipient, e.bot);
                copy.duplicate = e.type.deduplicated() && !e.bot && !seen.add(e.campaign + "/" + e.recipient + "/" + e.type);
                expectedStatus.put(e.seq, copy.status());
                String k = key(e.campaign, e.variant);
                expectedCounts.computeIfAbsent(k, x -> new Counts()).add(copy);
                expectedEventsPerKey.merge(k, 1L, Long::sum);
                long start = e.eventTimeMs - Math.floorMod(e.eventTimeMs, WINDOW);
                new WindowCountsAggregate().add(copy, expectedWindows.computeIfAbsent(k + "@" + start,
                        x -> new WindowAccumulator()));
            }
        }

        DataGeneratorSource<EmailEvent> source = new DataGeneratorSource<>(
                new ScriptGenerator(records.toArray(new byte[0][])),
                records.size(),
                RateLimiterStrategy.perSecond(50), // 25 records/s per reader
                TypeInformation.of(EmailEvent.class));
        CollectSink updatesSink = new CollectSink("updates");
        CollectSink windowsSink = new CollectSink("windows");
        JobConfig config = JobConfig.parse(
                "--bootstrap-servers", "unused:9092", "--input-topic", "unused",
                "--updates-topic", "updates", "--windows-topic", "windows",
                "--window-size-ms", Long.toString(WINDOW), "--out-of-orderness-ms", Long.toString(OOO),
                "--job-name", "ab-job-it");

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // fail on any Kryo fallback
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(20));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.getConfig().setAutoWatermarkInterval(20);
        new AbTestJob(config, source, updatesSink, windowsSink).execute(env);

        // ---- updates: exactly one per input event, with the expected status.
        List<JsonNode> updates = new ArrayList<>();
        for (String u : updatesSink.results()) {
            updates.add(MAPPER.readTree(u));
        }
        Map<Long, String> actualStatus = new HashMap<>();
        Map<String, List<JsonNode>> updatesPerKey = new TreeMap<>();
        for (JsonNode u : updates) {
            long seq = u.get("seq").asLong();
            assertFalse(actualStatus.containsKey(seq), "two updates for seq " + seq);
            actualStatus.put(seq, u.get("status").asText());
            EmailEvent in = bySeq.get(seq);
            assertTrue(in != null, "update for unknown seq " + seq + ": " + u);
            assertEquals(in.intendedNs, u.get("intended_ns").asLong());
            assertEquals(in.eventTimeMs, u.get("event_time_ms").asLong(), "event_time_ms of " + u);
            assertEquals(List.of("seq", "intended_ns", "event_time_ms", "status"),
                    fieldNames(u).subList(0, 4), "field order of " + u);
            assertEquals(in.type.wire(), u.get("type").asText());
            assertEquals(in.campaign, u.get("campaign").asInt());
            assertEquals(in.variant, u.get("variant").asText());
            if ("late".equals(u.get("status").asText())) {
                assertFalse(u.has("counts"), "late update carries counts: " + u);
            } else {
                updatesPerKey.computeIfAbsent(key(in.campaign, in.variant), x -> new ArrayList<>()).add(u);
            }
        }
        assertEquals(new TreeMap<>(expectedStatus), new TreeMap<>(actualStatus));
        assertEquals(6, actualStatus.values().stream().filter("late"::equals).count());

        // ---- running counts: per key, the updates' totals are exactly 1..n, and the last equals the model.
        assertEquals(expectedCounts.keySet(), updatesPerKey.keySet());
        for (Map.Entry<String, List<JsonNode>> kv : updatesPerKey.entrySet()) {
            Set<Long> totals = new TreeSet<>();
            JsonNode last = null;
            long lastTotal = -1;
            for (JsonNode u : kv.getValue()) {
                JsonNode c = u.get("counts");
                long total = c.get("sends").asLong() + c.get("deliveries").asLong() + c.get("bounces").asLong()
                        + c.get("opens").asLong() + c.get("clicks").asLong() + c.get("conversions").asLong()
                        + c.get("unsubscribes").asLong();
                totals.add(total);
                if (total > lastTotal) {
                    lastTotal = total;
                    last = u;
                }
            }
            long n = expectedEventsPerKey.get(kv.getKey());
            assertEquals(n, kv.getValue().size(), "updates of " + kv.getKey());
            assertEquals(n, totals.size(), "distinct running totals of " + kv.getKey());
            assertEquals(n, lastTotal);
            assertEquals(countsOf(expectedCounts.get(kv.getKey())), countsOf(last.get("counts")),
                    "final counts of " + kv.getKey());
        }

        // ---- windows: one final record per (campaign, variant, window), matching the model.
        Map<String, JsonNode> windows = new TreeMap<>();
        for (String w : windowsSink.results()) {
            JsonNode n = MAPPER.readTree(w);
            String k = key(n.get("campaign").asInt(), n.get("variant").asText()) + "@" + n.get("window_start_ms").asLong();
            assertFalse(windows.containsKey(k), "two results for window " + k);
            windows.put(k, n);
        }
        assertEquals(expectedWindows.keySet(), windows.keySet());
        for (Map.Entry<String, WindowAccumulator> kv : expectedWindows.entrySet()) {
            JsonNode n = windows.get(kv.getKey());
            WindowAccumulator exp = kv.getValue();
            assertEquals(n.get("window_start_ms").asLong() + WINDOW, n.get("window_end_ms").asLong());
            assertEquals(exp.events, n.get("events").asLong(), "events of " + kv.getKey());
            assertEquals(exp.maxIntendedNs, n.get("max_intended_ns").asLong(), "max_intended_ns of " + kv.getKey());
            assertEquals(countsOf(exp), countsOf(n.get("counts")), "counts of " + kv.getKey());
        }
    }
}
