package dev.abload.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
import java.util.concurrent.TimeUnit;

/**
 * Runs the shipped jobs/sql/ab-job.sql through SqlRunner on a MiniCluster at parallelism 1, with
 * only the connectors swapped (Kafka → the test connector, same JSON format and options), and
 * checks updates (one per event, statuses, late flagging, running counts) and windows (events,
 * max_intended_ns, counts) against a reference model, for tumbling and hopping windows.
 *
 * <p>Determinism as in AbTestJobIT: one ordered split at 50 records/s, the script's watermark
 * emitted after every record (TestTableFactory: a periodic one can fall behind on a busy
 * machine); on-time events are never more than the out-of-orderness behind the maximum so far,
 * and each deliberately late event comes {@value #PADDING}+ records (≈0.3 s) after the event
 * that makes it late.
 */
class AbJobSqlIT {
    private static final long T0 = 1_764_132_000_000L;
    private static final long OOO = 100;
    private static final int PADDING = 14;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] COUNTERS = {
        "sends", "deliveries", "bounces", "opens", "bot_opens", "unique_opens", "clicks", "unique_clicks",
        "conversions", "unsubscribes",
    };

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** One input event; {@code late}: the test expects it to be late. */
    private record Ev(long seq, long intendedNs, long ts, String type, int campaign, String variant, long recipient,
            boolean bot, boolean late) {
        String json() {
            return "{\"seq\":" + seq + ",\"intended_ns\":" + intendedNs + ",\"event_time_ms\":" + ts
                    + ",\"type\":\"" + type + "\",\"campaign\":" + campaign + ",\"variant\":\"" + variant
                    + "\",\"recipient\":" + recipient + ",\"bot\":" + bot + "}";
        }

        boolean flush() {
            return type.equals("flush");
        }

        /** What the event adds to the ten counters, given whether it is a duplicate. */
        long[] counts(boolean duplicate) {
            long[] c = new long[COUNTERS.length];
            switch (type) {
                case "send" -> c[0] = 1;
                case "delivery" -> c[1] = 1;
                case "bounce" -> c[2] = 1;
                case "open" -> {
                    c[3] = 1;
                    c[4] = bot ? 1 : 0;
                    c[5] = !bot && !duplicate ? 1 : 0;
                }
                case "click" -> {
                    c[6] = 1;
                    c[7] = !bot && !duplicate ? 1 : 0;
                }
                case "conversion" -> c[8] = 1;
                case "unsubscribe" -> c[9] = 1;
                default -> throw new IllegalArgumentException(type);
            }
            return c;
        }
    }

    /** The ordered input of the single split. */
    private static final class Script {
        final List<Ev> items = new ArrayList<>();
        long maxTs = Long.MIN_VALUE;

        Script add(String type, int campaign, long recipient, long offsetMs) {
            return add(type, campaign, recipient, offsetMs, false, false);
        }

        Script bot(String type, int campaign, long recipient, long offsetMs) {
            return add(type, campaign, recipient, offsetMs, true, false);
        }

        Script late(String type, int campaign, long recipient, long offsetMs) {
            return add(type, campaign, recipient, offsetMs, false, true);
        }

        private Script add(String type, int campaign, long recipient, long offsetMs, boolean bot, boolean late) {
            long ts = T0 + offsetMs;
            long seq = items.size();
            if (late) {
                long pushedBy = items.get(items.size() - PADDING).ts;
                assertTrue(ts <= pushedBy - OOO - 1, "script error: not late enough");
            } else {
                assertTrue(maxTs == Long.MIN_VALUE || ts > maxTs - OOO - 1, "script error: could be late");
                maxTs = Math.max(maxTs, ts);
            }
            items.add(new Ev(seq, ts * 1_000_000L + (seq * 7919) % 1_000_000, ts, type, campaign,
                    recipient % 2 == 0 ? "A" : "B", recipient, bot, late));
            return this;
        }

        Script flush(long offsetMs) {
            items.add(new Ev(-1, 0, T0 + offsetMs, "flush", 0, "", 0, false, false));
            return this;
        }
    }

    private static Script script() {
        long b = 100;
        Script s = new Script();
        // Window 0.
        for (int k = 0; k < 4; k++) {
            s.add("send", 1, b + k, 10L * k);
        }
        for (int k = 0; k < 4; k++) {
            s.add("delivery", 1, b + k, 100 + 10L * k);
        }
        s.add("bounce", 1, b + 4, 150);
        s.bot("open", 1, b + 1, 290);                  // bot open first: accepted, not unique ...
        for (int k = 0; k < 4; k++) {
            s.add("open", 1, b + k, 300 + 10L * k);     // ... and b+1's human open is still unique
        }
        s.add("open", 1, b, 350)                        // duplicate open
                .add("click", 1, b, 400)                // unique click
                .add("click", 1, b, 410)                // duplicate click
                .add("click", 1, b + 1, 420)            // unique click
                .add("open", 1, b + 2, 360)             // out of order (within bound): duplicate open
                .add("send", 2, b, 500)
                .add("open", 2, b, 510)                 // first open of campaign 2: unique
                .bot("click", 1, b + 3, 520)            // bot click: accepted, not unique
                .add("conversion", 1, b, 600)
                .add("unsubscribe", 1, b + 1, 700)
                .add("open", 1, b + 3, 999);            // duplicate, last ms of window 0
        // Window 1.
        s.add("open", 1, b + 1, 1100)                   // duplicate
                .add("click", 1, b + 2, 1200)
                .add("conversion", 1, b + 2, 1300)
                .add("send", 2, b + 1, 1500)
                .add("open", 2, b, 1600);               // duplicate in campaign 2
        // Window 2: jump ahead, then padding so that a watermark is surely emitted.
        for (int i = 0; i < PADDING; i++) {
            s.add(i % 2 == 0 ? "send" : "delivery", 1 + i % 2, b + 5 + i / 2, 2500 + 10L * i);
        }
        s.late("open", 1, b + 4, 500)                   // late, window 0; would be unique
                .late("click", 1, b + 3, 1900)          // late, window 1
                .late("conversion", 2, b, 2300);        // late although its window 2 is still open
        s.add("open", 1, b, 2700)                       // still a duplicate
                .add("open", 1, b + 4, 2710)            // unique: the late open above did not count
                .add("click", 1, b + 4, 3050)           // window 3
                .add("conversion", 1, b + 4, 3999)
                .flush(10_000);
        return s;
    }

    private static String key(int campaign, String variant) {
        return campaign + "/" + variant;
    }

    private static long[] add(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        return a;
    }

    private static long[] countsOf(JsonNode counts) {
        assertEquals(COUNTERS.length, counts.size(), "counts fields: " + counts);
        long[] c = new long[COUNTERS.length];
        for (int i = 0; i < COUNTERS.length; i++) {
            JsonNode v = counts.get(COUNTERS[i]);
            assertNotNull(v, COUNTERS[i] + " missing in " + counts);
            c[i] = v.asLong();
        }
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "TUMBLE | 1000 | 1000",
        "HOP    | 500  | 1000",
    })
    void computesUpdatesAndWindowsLikeTheDataStreamJob(String function, long slide, long size) throws Exception {
        String args = function.equals("HOP")
                ? AbJobSql.interval(slide) + ", " + AbJobSql.interval(size) : AbJobSql.interval(size);
        String run = "-" + function.toLowerCase();
        Script s = script();

        // Input records: the events as JSON, plus records the job must ignore: malformed JSON and
        // a binary-encoded record (dropped by 'json.ignore-parse-errors'), an unknown type and a
        // record without a recipient (filtered), all early so that they do not move the watermark.
        List<byte[]> records = new ArrayList<>();
        records.add("{\"seq\":".getBytes(StandardCharsets.UTF_8));
        records.add(new byte[] {(byte) 0xAB, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 9});
        records.add(("{\"seq\":900,\"intended_ns\":1,\"event_time_ms\":" + T0 + ",\"type\":\"bogus\","
                + "\"campaign\":1,\"variant\":\"A\",\"recipient\":1,\"bot\":false}").getBytes(StandardCharsets.UTF_8));
        records.add(("{\"seq\":901,\"intended_ns\":1,\"event_time_ms\":" + T0 + ",\"type\":\"send\","
                + "\"campaign\":1,\"variant\":\"A\"}").getBytes(StandardCharsets.UTF_8));
        for (Ev e : s.items) {
            records.add(e.json().getBytes(StandardCharsets.UTF_8));
        }
        TestTableFactory.INPUTS.put("ab_events" + run, records);
        TestTableFactory.clear("ab_updates" + run);
        TestTableFactory.clear("ab_windows" + run);

        // Reference model, in input order.
        Map<Long, Ev> bySeq = new HashMap<>();
        Map<Long, String> expectedStatus = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, long[]> expectedCounts = new TreeMap<>();
        Map<String, Long> expectedEvents = new TreeMap<>();
        Map<String, long[]> expectedWindowCounts = new TreeMap<>();
        Map<String, long[]> expectedWindowEventsMax = new TreeMap<>(); // {events, max intended_ns}
        for (Ev e : s.items) {
            if (e.flush()) {
                continue;
            }
            bySeq.put(e.seq, e);
            if (e.late) {
                expectedStatus.put(e.seq, "late");
                continue;
            }
            boolean duplicate = (e.type.equals("open") || e.type.equals("click")) && !e.bot
                    && !seen.add(e.campaign + "/" + e.recipient + "/" + e.type);
            expectedStatus.put(e.seq, duplicate ? "duplicate" : "accepted");
            String k = key(e.campaign, e.variant);
            long[] c = e.counts(duplicate);
            add(expectedCounts.computeIfAbsent(k, x -> new long[COUNTERS.length]), c);
            expectedEvents.merge(k, 1L, Long::sum);
            long lastStart = e.ts - Math.floorMod(e.ts, slide);
            for (long start = lastStart; start > e.ts - size; start -= slide) {
                String wk = k + "@" + start;
                add(expectedWindowCounts.computeIfAbsent(wk, x -> new long[COUNTERS.length]), c);
                long[] em = expectedWindowEventsMax.computeIfAbsent(wk, x -> new long[] {0, Long.MIN_VALUE});
                em[0]++;
                em[1] = Math.max(em[1], e.intendedNs);
            }
        }

        // The shipped file, placeholders filled in, connectors swapped, run as SqlRunner runs it.
        String script = AbJobSql.withTestConnectors(
                AbJobSql.substitute(AbJobSql.raw(), AbJobSql.values(function, args, "at-least-once", "")),
                run, Map.of("ab_events", Map.of(TestTableFactory.ROWS_PER_SECOND.key(), "50")));
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(20));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.getConfig().setAutoWatermarkInterval(20);
        SqlRunner.run(env, script, "ab-job-sql-it" + run).await(60, TimeUnit.SECONDS);

        // ---- updates: exactly one per input event, with the expected status and fields.
        Map<Long, String> actualStatus = new TreeMap<>();
        Map<String, List<JsonNode>> updatesPerKey = new TreeMap<>();
        for (String json : TestTableFactory.outputs("ab_updates" + run)) {
            JsonNode u = MAPPER.readTree(json);
            long seq = u.get("seq").asLong();
            assertFalse(actualStatus.containsKey(seq), "two updates for seq " + seq);
            actualStatus.put(seq, u.get("status").asText());
            Ev in = bySeq.get(seq);
            assertNotNull(in, "update for unknown seq " + seq + ": " + u);
            List<String> names = new ArrayList<>();
            u.fieldNames().forEachRemaining(names::add);
            assertEquals(List.of("seq", "intended_ns", "event_time_ms", "status", "type", "campaign", "variant"),
                    names.subList(0, 7), "fields of " + u);
            assertEquals(in.intendedNs, u.get("intended_ns").asLong());
            assertEquals(in.ts, u.get("event_time_ms").asLong());
            assertEquals(in.type, u.get("type").asText());
            assertEquals(in.campaign, u.get("campaign").asInt());
            assertEquals(in.variant, u.get("variant").asText());
            if (in.late) {
                assertFalse(u.has("counts"), "late update carries counts: " + u);
            } else {
                updatesPerKey.computeIfAbsent(key(in.campaign, in.variant), x -> new ArrayList<>()).add(u);
            }
        }
        assertEquals(expectedStatus, actualStatus);
        assertEquals(3, actualStatus.values().stream().filter("late"::equals).count());

        // ---- running counts: per key the totals after each update are exactly 1..n, the last
        // equals the model's (the order of a key's updates is the arrival order at the counts).
        assertEquals(expectedCounts.keySet(), updatesPerKey.keySet());
        for (Map.Entry<String, List<JsonNode>> kv : updatesPerKey.entrySet()) {
            Set<Long> totals = new TreeSet<>();
            long[] last = null;
            long lastTotal = -1;
            for (JsonNode u : kv.getValue()) {
                long[] c = countsOf(u.get("counts"));
                long total = c[0] + c[1] + c[2] + c[3] + c[6] + c[8] + c[9];
                totals.add(total);
                if (total > lastTotal) {
                    lastTotal = total;
                    last = c;
                }
            }
            long n = expectedEvents.get(kv.getKey());
            assertEquals(n, kv.getValue().size(), "updates of " + kv.getKey());
            assertEquals(n, totals.size(), "distinct running totals of " + kv.getKey());
            assertEquals(n, lastTotal);
            assertArrayEquals(expectedCounts.get(kv.getKey()), last, "final counts of " + kv.getKey());
        }

        // ---- windows: one final record per (campaign, variant, window), matching the model.
        Map<String, JsonNode> windows = new TreeMap<>();
        for (String json : TestTableFactory.outputs("ab_windows" + run)) {
            JsonNode w = MAPPER.readTree(json);
            String k = key(w.get("campaign").asInt(), w.get("variant").asText()) + "@" + w.get("window_start_ms").asLong();
            assertFalse(windows.containsKey(k), "two results for window " + k);
            windows.put(k, w);
        }
        assertEquals(expectedWindowCounts.keySet(), windows.keySet());
        for (Map.Entry<String, long[]> kv : expectedWindowCounts.entrySet()) {
            JsonNode w = windows.get(kv.getKey());
            long[] em = expectedWindowEventsMax.get(kv.getKey());
            assertEquals(w.get("window_start_ms").asLong() + size, w.get("window_end_ms").asLong(), "end of " + w);
            assertEquals(em[0], w.get("events").asLong(), "events of " + kv.getKey());
            assertEquals(em[1], w.get("max_intended_ns").asLong(), "max_intended_ns of " + kv.getKey());
            assertArrayEquals(kv.getValue(), countsOf(w.get("counts")), "counts of " + kv.getKey() + ": " + w);
        }
    }
}
