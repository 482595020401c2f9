package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.Events.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.Test;

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
 * The windows path exactly as {@link AbTestJob#windows} builds it (the operators are taken out of
 * the built DataStream and run in operator harnesses), behind the {@link LateEventFilter}:
 * sliding and session windows, allowed lateness, and the salted two-phase path, whose output
 * must equal the unsalted one.
 */
class WindowsTest {

    private static JobConfig config(String... extra) {
        return JobConfig.parse(Stream.concat(
                        Stream.of("--bootstrap-servers", "k:9092", "--input-topic", "in", "--windows-topic", "win"),
                        Arrays.stream(extra))
                .toArray(String[]::new));
    }

    /** The late filter and the windows path of {@code config}, fed event by event. */
    private static final class Run implements AutoCloseable {
        final OneInputStreamOperatorTestHarness<EmailEvent, EmailEvent> filter;
        /** The unsalted windows, or the salted first phase. */
        final KeyedOneInputStreamOperatorTestHarness<?, EmailEvent, ?> windows;
        /** The salted second phase, or null. */
        final KeyedOneInputStreamOperatorTestHarness<Tuple2<Integer, String>, WindowPartial, String> merge;
        final TypeSerializer<WindowPartial> partialSerializer =
                TypeInformation.of(WindowPartial.class).createSerializer(new SerializerConfigImpl());
        final List<String> lateUpdates = new ArrayList<>();
        int partials;

        @SuppressWarnings("unchecked")
        Run(JobConfig config) throws Exception {
            filter = ProcessFunctionTestHarnesses.forProcessFunction(new LateEventFilter(config.allowedLatenessMs));
            StreamExecutionEnvironment env = new StreamExecutionEnvironment();
            DataStream<EmailEvent> in = env.fromSource(
                    new DataGeneratorSource<>(i -> Events.flush(0), 1, TypeInformation.of(EmailEvent.class)),
                    WatermarkStrategy.noWatermarks(), "in");
            SingleOutputStreamOperator<String> out = AbTestJob.windows(in, config);
            OneInputTransformation<?, String> last = (OneInputTransformation<?, String>) out.getTransformation();
            if (!config.salted()) {
                assertEquals("windows", last.getName());
                assertEquals("windows", last.getUid());
                windows = new KeyedOneInputStreamOperatorTestHarness<>(
                        ((OneInputTransformation<EmailEvent, String>) last).getOperator(),
                        new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE);
                merge = null;
            } else {
                assertEquals("windows-merge", last.getName());
                assertEquals("windows-merge", last.getUid());
                Transformation<?> keyBy = last.getInputs().get(0);
                OneInputTransformation<EmailEvent, WindowPartial> phase1 =
                        (OneInputTransformation<EmailEvent, WindowPartial>) keyBy.getInputs().get(0);
                assertEquals("windows", phase1.getName());
                assertEquals("windows", phase1.getUid());
                assertInstanceOf(PojoTypeInfo.class, phase1.getOutputType());
                windows = new KeyedOneInputStreamOperatorTestHarness<>(phase1.getOperator(),
                        new Keys.CampaignVariantSalt(config.salts), Keys.CampaignVariantSalt.TYPE);
                merge = new KeyedOneInputStreamOperatorTestHarness<>(
                        ((OneInputTransformation<WindowPartial, String>) last).getOperator(),
                        new Keys.PartialCampaignVariant(), Keys.PartialCampaignVariant.TYPE);
                merge.open();
            }
            windows.open();
        }

        void event(EmailEvent e) throws Exception {
            filter.processElement(e, e.eventTimeMs);
            forward();
        }

        void watermark(long w) throws Exception {
            filter.processWatermark(w);
            forward();
        }

        /** Filter → windows (→ merge), records and watermarks in order, as the network does. */
        @SuppressWarnings("unchecked")
        private void forward() throws Exception {
            Object o;
            while ((o = filter.getOutput().poll()) != null) {
                if (o instanceof StreamRecord) {
                    windows.processElement((StreamRecord<EmailEvent>) o);
                } else if (o instanceof Watermark) {
                    windows.processWatermark((Watermark) o);
                }
                if (merge != null) {
                    Object p;
                    while ((p = windows.getOutput().poll()) != null) {
                        if (p instanceof StreamRecord) {
                            StreamRecord<WindowPartial> r = (StreamRecord<WindowPartial>) p;
                            // A copy, as the keyed exchange between the phases serializes it.
                            merge.processElement(partialSerializer.copy(r.getValue()), r.getTimestamp());
                            partials++;
                        } else if (p instanceof Watermark) {
                            merge.processWatermark((Watermark) p);
                        }
                    }
                }
            }
            var late = filter.getSideOutput(LateEventFilter.LATE); // null until the first late event
            if (late != null) {
                late.forEach(r -> lateUpdates.add(r.getValue()));
                late.clear();
            }
        }

        @SuppressWarnings("unchecked")
        List<String> output() {
            return merge != null
                    ? merge.extractOutputValues()
                    : ((KeyedOneInputStreamOperatorTestHarness<?, EmailEvent, String>) windows).extractOutputValues();
        }

        @Override
        public void close() throws Exception {
            filter.close();
            windows.close();
            if (merge != null) {
                merge.close();
            }
        }
    }

    /** The window record of {@code events} in [start, end). */
    private static String record(long start, long end, EmailEvent... events) {
        WindowCountsAggregate agg = new WindowCountsAggregate();
        WindowAccumulator acc = agg.createAccumulator();
        for (EmailEvent e : events) {
            agg.add(e, acc);
        }
        StringBuilder sb = new StringBuilder();
        WireFormat.appendWindow(sb, events[0].campaign, events[0].variant, start, end, acc);
        return sb.toString();
    }

    private static List<String> sorted(List<String> records) {
        return records.stream().sorted().collect(Collectors.toList());
    }

    private static EmailEvent copy(EmailEvent e) {
        EmailEvent c = new EmailEvent(e.seq, e.intendedNs, e.eventTimeMs, e.type, e.campaign, e.variant, e.recipient,
                e.bot);
        c.duplicate = e.duplicate;
        return c;
    }

    @Test
    void slidingWindowsCountEachEventInSizeOverSlideWindows() throws Exception {
        long size = 3000;
        long slide = 1000;
        List<EmailEvent> in = List.of(
                event(0, 500, EventType.SEND, 1, "A", 1),
                event(1, 1200, EventType.SEND, 1, "B", 2),
                event(2, 1500, EventType.OPEN, 1, "A", 1),
                event(3, 2500, EventType.CLICK, 1, "A", 1),
                event(4, 4200, EventType.SEND, 1, "A", 3));
        // Reference: every window [s, s + size) with s a multiple of the slide that holds the event.
        Map<String, List<EmailEvent>> model = new TreeMap<>();
        for (EmailEvent e : in) {
            for (long s = e.eventTimeMs - Math.floorMod(e.eventTimeMs, slide); s > e.eventTimeMs - size; s -= slide) {
                model.computeIfAbsent(e.campaign + e.variant + "@" + s, k -> new ArrayList<>()).add(e);
            }
        }
        List<String> expected = new ArrayList<>();
        for (Map.Entry<String, List<EmailEvent>> kv : model.entrySet()) {
            long s = Long.parseLong(kv.getKey().substring(kv.getKey().indexOf('@') + 1));
            expected.add(record(s, s + size, kv.getValue().toArray(new EmailEvent[0])));
        }
        assertEquals(3 * in.size(), model.values().stream().mapToInt(List::size).sum());

        for (String mitigation : new String[] {"none", "salted"}) {
            try (Run run = new Run(config("--window-kind", "sliding", "--window-size-ms", "3000",
                    "--window-slide-ms", "1000", "--skew-mitigation", mitigation, "--salts", "4"))) {
                for (EmailEvent e : in) {
                    run.event(copy(e));
                }
                // Only the windows ending by 2000 have fired.
                run.watermark(1999);
                assertEquals(sorted(List.of(record(-2000, 1000, in.get(0)), record(-1000, 2000, in.get(0), in.get(2)),
                        record(-1000, 2000, in.get(1)))), sorted(run.output()), mitigation);
                run.watermark(Long.MAX_VALUE);
                assertEquals(sorted(expected), sorted(run.output()), mitigation);
                assertEquals(model.size(), run.output().size());
                assertTrue(run.lateUpdates.isEmpty());
            }
        }
    }

    @Test
    void sessionWindowsMergeByGap() throws Exception {
        EmailEvent a0 = event(0, 0, EventType.SEND, 1, "A", 1);
        EmailEvent a1 = event(1, 500, EventType.OPEN, 1, "A", 1);
        EmailEvent a2 = event(2, 1400, EventType.CLICK, 1, "A", 1);  // 900 after a1: same session
        EmailEvent a3 = event(3, 3500, EventType.SEND, 1, "A", 2);   // 2100 after a2: a new session
        EmailEvent b0 = event(4, 700, EventType.SEND, 1, "B", 3);    // other key: its own session
        EmailEvent c0 = event(5, 0, EventType.SEND, 2, "C", 4);
        EmailEvent c1 = event(6, 1800, EventType.SEND, 2, "C", 5);   // two sessions [0, 1000) and [1800, 2800) ...
        EmailEvent c2 = event(7, 900, EventType.OPEN, 2, "C", 4);    // ... bridged by [900, 1900) into one
        try (Run run = new Run(config("--window-kind", "session", "--window-gap-ms", "1000"))) {
            for (EmailEvent e : List.of(a0, a1, a2, a3, b0, c0, c1)) {
                run.event(copy(e));
            }
            run.watermark(899); // c0's session [0, 1000) is still open
            run.event(copy(c2));
            run.watermark(1699);
            assertEquals(List.of(record(700, 1700, b0)), run.output());
            run.watermark(Long.MAX_VALUE);
            assertEquals(sorted(List.of(record(0, 2400, a0, a1, a2), record(3500, 4500, a3), record(700, 1700, b0),
                    record(0, 2800, c0, c2, c1))), sorted(run.output()));
        }
    }

    /** The allowed-lateness scenario; returns the window records and the late updates. */
    private static List<List<String>> latenessScenario(JobConfig config, EmailEvent... in) throws Exception {
        try (Run run = new Run(config)) {
            run.event(copy(in[0]));
            run.event(copy(in[1]));
            run.watermark(999);          // [0, 1000) fires
            run.event(copy(in[2]));      // 399 behind the watermark
            run.event(copy(in[3]));      // next window
            run.watermark(1499);         // [0, 1000)'s allowed lateness is over
            run.event(copy(in[4]));      // 699 behind the watermark: late either way
            run.watermark(Long.MAX_VALUE);
            return List.of(run.output(), run.lateUpdates);
        }
    }

    @Test
    void allowedLatenessTurnsALateUpdateIntoALateFiring() throws Exception {
        EmailEvent e0 = event(0, 100, EventType.SEND, 1, "A", 1);
        EmailEvent e1 = event(1, 200, EventType.OPEN, 1, "A", 1);
        EmailEvent lateWithin = event(2, 600, EventType.CLICK, 1, "A", 1);
        EmailEvent next = event(3, 1100, EventType.SEND, 1, "A", 2);
        EmailEvent lateBeyond = event(4, 800, EventType.OPEN, 1, "A", 3);
        EmailEvent[] in = {e0, e1, lateWithin, next, lateBeyond};

        // No allowed lateness: the click is a late update and its window fires once.
        List<List<String>> strict = latenessScenario(config("--window-size-ms", "1000"), in);
        assertEquals(List.of(record(0, 1000, e0, e1), record(1000, 2000, next)), strict.get(0));
        assertEquals(List.of(WireFormat.late(lateWithin), WireFormat.late(lateBeyond)), strict.get(1));

        // 500 ms allowed lateness: the click passes the filter and its window fires again with the
        // full updated counts; the open 699 ms behind stays a late update.
        for (String mitigation : new String[] {"none", "salted"}) {
            List<List<String>> lenient = latenessScenario(config("--window-size-ms", "1000", "--allowed-lateness-ms", "500",
                    "--skew-mitigation", mitigation, "--salts", "2"), in);
            assertEquals(List.of(record(0, 1000, e0, e1), record(0, 1000, e0, e1, lateWithin),
                    record(1000, 2000, next)), lenient.get(0), mitigation);
            assertEquals(List.of(WireFormat.late(lateBeyond)), lenient.get(1), mitigation);
        }
    }

    /** Random input with a hot key, mild disorder and some events far behind, plus watermarks. */
    private static List<Object> randomScript(long seed) {
        Random rnd = new Random(seed);
        EventType[] types = {EventType.SEND, EventType.DELIVERY, EventType.BOUNCE, EventType.OPEN, EventType.CLICK,
            EventType.CONVERSION, EventType.UNSUBSCRIBE};
        Object[][] coldKeys = {{1, "B"}, {2, "A"}, {2, "B"}, {3, "C"}};
        List<Object> script = new ArrayList<>();
        long maxTs = 1_764_132_000_000L;
        long lastWatermark = Long.MIN_VALUE;
        for (int i = 0; i < 4000; i++) {
            int campaign = 1;
            String variant = "A"; // the hot key: 70% of the events
            if (rnd.nextInt(10) >= 7) {
                Object[] k = coldKeys[rnd.nextInt(coldKeys.length)];
                campaign = (Integer) k[0];
                variant = (String) k[1];
            }
            long ts = rnd.nextInt(10) == 0 ? maxTs - rnd.nextInt(2000) : maxTs + rnd.nextInt(12) - 3;
            maxTs = Math.max(maxTs, ts);
            EmailEvent e = event(i, ts, types[rnd.nextInt(types.length)], campaign, variant, rnd.nextInt(500));
            e.bot = rnd.nextInt(10) == 0;
            e.duplicate = e.type.deduplicated() && !e.bot && rnd.nextBoolean();
            script.add(e);
            if (i % 20 == 19 && maxTs - 100 > lastWatermark) {
                lastWatermark = maxTs - 100;
                script.add(lastWatermark);
            }
        }
        script.add(Long.MAX_VALUE);
        return script;
    }

    private static Run run(JobConfig config, List<Object> script) throws Exception {
        Run run = new Run(config);
        for (Object o : script) {
            if (o instanceof EmailEvent) {
                run.event(copy((EmailEvent) o));
            } else {
                run.watermark((Long) o);
            }
        }
        return run;
    }

    @Test
    void saltedOutputEqualsUnsaltedOutput() throws Exception {
        String[][] windowArgs = {
            {"--window-size-ms", "1000"},
            {"--window-size-ms", "1000", "--allowed-lateness-ms", "700"},
            {"--window-kind", "sliding", "--window-size-ms", "3000", "--window-slide-ms", "1000"},
            {"--window-kind", "sliding", "--window-size-ms", "3000", "--window-slide-ms", "1000",
                "--allowed-lateness-ms", "700"},
        };
        for (String[] args : windowArgs) {
            List<Object> script = randomScript(Arrays.hashCode(args));
            List<String> unsalted;
            List<String> lateUpdates;
            try (Run plain = run(config(args), script)) {
                unsalted = plain.output();
                lateUpdates = plain.lateUpdates;
            }
            assertTrue(unsalted.size() > 20, Arrays.toString(args));
            Set<String> windows = new HashSet<>();
            for (String r : unsalted) {
                windows.add(r.substring(0, r.indexOf(",\"events\"")));
            }
            if (Arrays.asList(args).contains("--allowed-lateness-ms")) {
                assertTrue(unsalted.size() > windows.size(), "no late firings: " + Arrays.toString(args));
            } else {
                assertEquals(windows.size(), unsalted.size(), Arrays.toString(args));
            }
            assertTrue(!lateUpdates.isEmpty(), Arrays.toString(args));
            for (String salts : new String[] {"3", "8"}) {
                String[] saltedArgs = Stream.concat(Arrays.stream(args),
                        Stream.of("--skew-mitigation", "salted", "--salts", salts)).toArray(String[]::new);
                try (Run salted = run(config(saltedArgs), script)) {
                    assertEquals(sorted(unsalted), sorted(salted.output()), Arrays.toString(saltedArgs));
                    assertEquals(lateUpdates, salted.lateUpdates);
                    // The hot key really was split: more partials than merged records.
                    assertTrue(salted.partials > unsalted.size() * 3 / 2,
                            salted.partials + " partials for " + unsalted.size() + " records");
                }
            }
        }
    }

    @Test
    void theSaltedKeyIsDeterministicPerRecipient() {
        Keys.CampaignVariantSalt key = new Keys.CampaignVariantSalt(8);
        EmailEvent open = event(0, 1, EventType.OPEN, 1, "A", 77);
        EmailEvent click = event(1, 99, EventType.CLICK, 1, "A", 77);
        assertEquals(key.getKey(open), key.getKey(click));
        assertEquals(Tuple3.of(1, "A", Keys.salt(77, 8)), key.getKey(open));
    }
}
