package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The job's variants on a MiniCluster: {@code --serializer} (read back from the running job's
 * {@code eventSerializer} gauge), salted vs unsalted windows, sliding windows with allowed
 * lateness and per-stage parallelism, each checked against a reference model of the window
 * records on input with a hot (campaign, variant).
 *
 * <p>Determinism: the generator source cuts the input into two contiguous splits, each read in
 * order and handed out first to last, but which reader reads which, and when, depends on
 * timing: a reader still waiting for its split is idle meanwhile (its watermark does not hold
 * the other's back), and a fast reader may take both splits, one after the other. So event
 * times never decrease across the whole input (the second split is all later than the first),
 * and a reader with a split never goes idle ({@code --idleness-ms 0}): no event is ever late,
 * whichever reader reads it when
 * (CI 40: with two splits of the same 7.5 s of event time, one reader ran ahead while the other
 * waited for its split, and the other's events came late). The splits have disjoint recipients,
 * so de-duplication does not depend on how they interleave. The window records are then fully
 * determined by the input.
 */
class AbTestJobVariantsIT {
    private static final long T0 = 1_764_132_000_000L;
    private static final int PER_SPLIT = 600;
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    /** Serialized input records, parsed by the real parser (EmailEvent is not Serializable). */
    private static final class Generator implements GeneratorFunction<Long, EmailEvent> {
        private static final long serialVersionUID = 1L;
        private final byte[][] records;

        Generator(byte[][] records) {
            this.records = records;
        }

        @Override
        public EmailEvent map(Long index) throws Exception {
            return WireFormat.parseEvent(records[index.intValue()]);
        }
    }

    /** Two splits of events, in event-time order across both; 70% of them on the hot key (1, "A"). */
    private static List<EmailEvent> input() {
        Random rnd = new Random(7);
        EventType[] types = {EventType.SEND, EventType.DELIVERY, EventType.BOUNCE, EventType.OPEN, EventType.CLICK,
            EventType.CONVERSION, EventType.UNSUBSCRIBE};
        Object[][] cold = {{1, "B"}, {2, "A"}, {3, "C"}};
        List<EmailEvent> events = new ArrayList<>();
        long ts = T0;
        for (int split = 0; split < 2; split++) {
            for (int i = 0; i < PER_SPLIT; i++) {
                ts += rnd.nextInt(13); // non-decreasing over both splits: ~7.5 s of event time in all
                int campaign = 1;
                String variant = "A";
                if (rnd.nextInt(10) >= 7) {
                    Object[] k = cold[rnd.nextInt(cold.length)];
                    campaign = (Integer) k[0];
                    variant = (String) k[1];
                }
                long seq = split * 10_000L + i;
                EmailEvent e = new EmailEvent(seq, ts * 1_000_000L + seq, ts, types[rnd.nextInt(types.length)],
                        campaign, variant, split * 1000L + rnd.nextInt(200), rnd.nextInt(10) == 0);
                events.add(e);
            }
        }
        return events;
    }

    /** The window records of {@code events} in windows of {@code size} every {@code slide}, as the job counts them. */
    private static List<String> model(List<EmailEvent> events, long size, long slide) {
        Set<String> seen = new HashSet<>();
        Map<String, WindowAccumulator> windows = new TreeMap<>();
        Map<String, EmailEvent> keyOf = new TreeMap<>();
        WindowCountsAggregate agg = new WindowCountsAggregate();
        for (EmailEvent in : events) {
            EmailEvent e = new EmailEvent(in.seq, in.intendedNs, in.eventTimeMs, in.type, in.campaign, in.variant,
                    in.recipient, in.bot);
            e.duplicate = e.type.deduplicated() && !e.bot && !seen.add(e.campaign + "/" + e.recipient + "/" + e.type);
            for (long s = e.eventTimeMs - Math.floorMod(e.eventTimeMs, slide); s > e.eventTimeMs - size; s -= slide) {
                String k = e.campaign + "/" + e.variant + "@" + s;
                agg.add(e, windows.computeIfAbsent(k, x -> new WindowAccumulator()));
                keyOf.put(k, e);
            }
        }
        List<String> records = new ArrayList<>();
        for (Map.Entry<String, WindowAccumulator> kv : windows.entrySet()) {
            EmailEvent e = keyOf.get(kv.getKey());
            long s = Long.parseLong(kv.getKey().substring(kv.getKey().indexOf('@') + 1));
            StringBuilder sb = new StringBuilder();
            WireFormat.appendWindow(sb, e.campaign, e.variant, s, s + size, kv.getValue());
            records.add(sb.toString());
        }
        return records.stream().sorted().collect(Collectors.toList());
    }

    /** What one run produced. */
    private record Result(
            JobID jobId, List<String> windows, List<String> updates, Map<Integer, Object> eventSerializer) {}

    private static Result run(String name, List<EmailEvent> events, String... args) throws Exception {
        byte[][] records = events.stream()
                .map(e -> Events.json(e).getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
        DataGeneratorSource<EmailEvent> source = new DataGeneratorSource<>(
                new Generator(records), records.length, TypeInformation.of(EmailEvent.class));
        CollectSink updates = new CollectSink(name + "-updates");
        CollectSink windows = new CollectSink(name + "-windows");
        JobConfig config = JobConfig.parse(Stream.concat(Stream.of(
                        "--bootstrap-servers", "unused:9092", "--input-topic", "unused",
                        "--updates-topic", "updates", "--windows-topic", "windows", "--group-id", name,
                        "--out-of-orderness-ms", "50", "--idleness-ms", "0", "--job-name", name),
                Arrays.stream(args)).toArray(String[]::new));
        Configuration conf = new Configuration();
        if (!config.forceKryo()) {
            conf.set(PipelineOptions.GENERIC_TYPES, false); // fail on any Kryo fallback
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        JobExecutionResult result = new AbTestJob(config, source, updates, windows).execute(env);

        Map<Integer, Object> serializers = new TreeMap<>();
        for (OperatorMetricGroup g : REPORTER.findOperatorMetricGroups(result.getJobID(), "dedupe")) {
            Metric m = REPORTER.getMetricsByGroup(g).get("eventSerializer");
            serializers.put(serializers.size(), ((Gauge<?>) m).getValue());
        }
        return new Result(result.getJobID(), windows.results().stream().sorted().collect(Collectors.toList()),
                updates.results(), serializers);
    }

    @Test
    void kryoAndSaltedWindowsWithPerStageParallelismGiveTheSameWindows() throws Exception {
        List<EmailEvent> in = input();
        List<String> expected = model(in, 1000, 1000);
        assertTrue(expected.size() > 20, expected.size() + " windows");

        Result plain = run("plain", in, "--window-size-ms", "1000");
        assertEquals(expected, plain.windows());
        assertEquals(in.size(), plain.updates().size());
        assertEquals(Map.of(0, "PojoSerializer", 1, "PojoSerializer"), plain.eventSerializer());

        Result salted = run("salted-kryo", in, "--window-size-ms", "1000", "--serializer", "kryo", "--skew-mitigation", "salted", "--salts", "4",
                "--parallelism-dedupe", "3", "--parallelism-counts", "1", "--parallelism-windows", "3");
        assertEquals(expected, salted.windows());
        assertEquals(in.size(), salted.updates().size());
        // One gauge per dedupe subtask (--parallelism-dedupe 3), all Kryo.
        assertEquals(Map.of(0, "KryoSerializer", 1, "KryoSerializer", 2, "KryoSerializer"), salted.eventSerializer());
    }

    /** The values of {@code metric} of every subtask of {@code operator} in the job. */
    private static List<Object> metricValues(JobID job, String operator, String metric) {
        List<Object> values = new ArrayList<>();
        for (OperatorMetricGroup g : REPORTER.findOperatorMetricGroups(job, operator)) {
            Metric m = REPORTER.getMetricsByGroup(g).get(metric);
            assertTrue(m != null, operator + " has no metric " + metric);
            values.add(m instanceof Gauge ? ((Gauge<?>) m).getValue() : ((Counter) m).getCount());
        }
        return values;
    }

    @Test
    void scoringCostAndUpdatesSample() throws Exception {
        List<EmailEvent> in = input();
        List<String> expected = model(in, 1000, 1000);
        Result r = run("scored-sampled", in, "--window-size-ms", "1000", "--cost-per-event-us", "100",
                "--updates-sample", "10", "--skew-mitigation", "salted", "--parallelism-dedupe", "3");
        // Windows are unaffected by both.
        assertEquals(expected, r.windows());
        // Updates: exactly those of the events with seq % 10 == 0 (none of this input is late).
        List<Long> expectedSeqs = in.stream().map(e -> e.seq).filter(q -> q % 10 == 0).sorted()
                .collect(Collectors.toList());
        List<Long> seqs = r.updates().stream()
                .map(u -> Long.parseLong(u.substring("{\"seq\":".length(), u.indexOf(','))))
                .sorted().collect(Collectors.toList());
        assertEquals(expectedSeqs, seqs);
        // The scoring operator: one calibration per subtask (at dedupe's parallelism), readable as
        // a gauge, and every event scored exactly once.
        List<Object> iterations = metricValues(r.jobId(), "scoring", "costIterationsPerEvent");
        assertEquals(3, iterations.size(), iterations.toString());
        for (Object it : iterations) {
            assertTrue((Long) it > 0, iterations.toString());
        }
        for (Object ns : metricValues(r.jobId(), "scoring", "costNanosPerIteration")) {
            assertTrue((Double) ns > 0, ns.toString());
        }
        long scored = metricValues(r.jobId(), "scoring", "numRecordsIn").stream().mapToLong(x -> (Long) x).sum();
        assertEquals(in.size(), scored);

        // Without a cost there is no scoring operator; sample 1 emits every update.
        Result plain = run("unscored", in, "--window-size-ms", "1000");
        assertEquals(List.of(), REPORTER.findOperatorMetricGroups(plain.jobId(), "scoring"));
        assertEquals(in.size(), plain.updates().size());
    }

    @Test
    void slidingWindowsWithAllowedLatenessSaltedAndUnsalted() throws Exception {
        List<EmailEvent> in = input();
        List<String> expected = model(in, 3000, 1000);
        String[] sliding = {"--window-kind", "sliding", "--window-size-ms", "3000", "--window-slide-ms", "1000",
            "--allowed-lateness-ms", "500"};
        assertEquals(expected, run("sliding", in, sliding).windows());
        String[] salted = Stream.concat(Arrays.stream(sliding),
                Stream.of("--skew-mitigation", "salted", "--parallelism-windows", "1")).toArray(String[]::new);
        assertEquals(expected, run("sliding-salted", in, salted).windows());
    }
}
