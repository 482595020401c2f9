package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The command-line contract: defaults, overrides, and clear failures. */
class JobConfigTest {

    private static void assertInvalid(String expectedFragment, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobConfig.parse(args));
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
        assertTrue(e.getMessage().contains("Usage:"), e.getMessage());
    }

    @Test
    void defaults() {
        JobConfig c = JobConfig.parse("--bootstrap-servers", "k:9092", "--input-topic", "r-events");
        assertEquals("k:9092", c.bootstrapServers);
        assertEquals("r-events", c.inputTopic);
        assertFalse(c.updatesEnabled());
        assertFalse(c.windowsEnabled());
        assertEquals("abload-ab-job", c.groupId);
        assertEquals(10000, c.windowSizeMs);
        assertEquals(2000, c.outOfOrdernessMs);
        assertEquals(5000, c.idlenessMs);
        assertEquals(3600000, c.dedupeTtlMs);
        assertEquals(0, c.checkpointIntervalMs);
        assertEquals(5, c.sinkLingerMs);
        assertEquals("abload-ab-job", c.jobName);
        assertEquals("exactly_once", c.checkpointMode);
        assertEquals(600000, c.checkpointTimeoutMs);
        assertEquals(0, c.checkpointMinPauseMs);
        assertFalse(c.unalignedCheckpoints);
        assertEquals("at_least_once", c.delivery);
        assertFalse(c.exactlyOnceDelivery());
        assertFalse(c.checkpointingEnabled());
        assertEquals("hashmap", c.stateBackend);
        assertFalse(c.incrementalCheckpoints);
        assertEquals(-2, c.bufferTimeoutMs);
        assertFalse(c.objectReuse);
        assertTrue(c.chaining);
        assertEquals(0, c.maxParallelism);
        assertEquals("pojo", c.serializer);
        assertFalse(c.forceKryo());
        assertEquals("tumbling", c.windowKind);
        assertEquals(0, c.windowSlideMs);
        assertEquals(0, c.windowGapMs);
        assertEquals(0, c.allowedLatenessMs);
        assertEquals("none", c.skewMitigation);
        assertFalse(c.salted());
        assertEquals(8, c.salts);
        assertEquals(0, c.parallelismDedupe);
        assertEquals(0, c.parallelismCounts);
        assertEquals(0, c.parallelismWindows);
        assertEquals(0, c.costPerEventUs);
        assertFalse(c.scoringEnabled());
        assertEquals(1, c.updatesSample);
        // Every argument, defaults included, for the global job parameters.
        assertEquals("k:9092", c.asMap().get("bootstrap-servers"));
        assertEquals("", c.asMap().get("updates-topic"));
        assertEquals("at_least_once", c.asMap().get("delivery"));
        assertEquals("-2", c.asMap().get("buffer-timeout-ms"));
        assertEquals("pojo", c.asMap().get("serializer"));
        assertEquals("tumbling", c.asMap().get("window-kind"));
        assertEquals("0", c.asMap().get("allowed-lateness-ms"));
        assertEquals("none", c.asMap().get("skew-mitigation"));
        assertEquals("8", c.asMap().get("salts"));
        assertEquals("0", c.asMap().get("parallelism-windows"));
        assertEquals("0", c.asMap().get("cost-per-event-us"));
        assertEquals("1", c.asMap().get("updates-sample"));
        assertEquals("", c.asMap().get("kafka-properties"));
        assertTrue(c.kafkaProperties().isEmpty());
        assertEquals("0", c.asMap().get("checkpoint-sync-pause-ms"));
        assertEquals(37, c.asMap().size());
    }

    @Test
    void tuningKnobs() {
        JobConfig c = JobConfig.parse("--bootstrap-servers", "k:1", "--input-topic", "in",
                "--checkpoint-interval-ms", "500", "--checkpoint-mode", "AT_LEAST_ONCE",
                "--checkpoint-timeout-ms", "60000", "--checkpoint-min-pause-ms=100", "--unaligned-checkpoints", "false",
                "--delivery", "Exactly_Once", "--state-backend", "rocksdb", "--incremental-checkpoints", "TRUE",
                "--buffer-timeout-ms", "0", "--object-reuse", "true", "--chaining", "false",
                "--max-parallelism", "32768");
        assertEquals("at_least_once", c.checkpointMode);
        assertEquals(60000, c.checkpointTimeoutMs);
        assertEquals(100, c.checkpointMinPauseMs);
        assertFalse(c.unalignedCheckpoints);
        assertEquals("exactly_once", c.delivery);
        assertTrue(c.exactlyOnceDelivery());
        assertEquals("rocksdb", c.stateBackend);
        assertTrue(c.incrementalCheckpoints);
        assertEquals(0, c.bufferTimeoutMs);
        assertTrue(c.objectReuse);
        assertFalse(c.chaining);
        assertEquals(32768, c.maxParallelism);
        // Canonical spellings in the map.
        assertEquals("at_least_once", c.asMap().get("checkpoint-mode"));
        assertEquals("true", c.asMap().get("incremental-checkpoints"));

        assertEquals(-1, JobConfig.parse("--bootstrap-servers", "k:1", "--input-topic", "in",
                "--buffer-timeout-ms", "-1").bufferTimeoutMs);
        assertEquals(250, JobConfig.parse("--bootstrap-servers", "k:1", "--input-topic", "in",
                "--buffer-timeout-ms", "250").bufferTimeoutMs);
        JobConfig unaligned = JobConfig.parse("--bootstrap-servers", "k:1", "--input-topic", "in",
                "--checkpoint-interval-ms", "500", "--unaligned-checkpoints", "true");
        assertTrue(unaligned.unalignedCheckpoints);
        assertEquals("exactly_once", unaligned.checkpointMode);
    }

    @Test
    void tuningKnobFailures() {
        String[] base = {"--bootstrap-servers", "k:1", "--input-topic", "in"};
        java.util.function.Function<String[], String[]> with = extra -> {
            String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
            System.arraycopy(extra, 0, all, base.length, extra.length);
            return all;
        };
        assertInvalid("--checkpoint-mode must be one of exactly_once | at_least_once, got 'once'",
                with.apply(new String[] {"--checkpoint-mode", "once"}));
        assertInvalid("--checkpoint-timeout-ms must be >= 10",
                with.apply(new String[] {"--checkpoint-timeout-ms", "5"}));
        assertInvalid("--checkpoint-timeout-ms must be an integer",
                with.apply(new String[] {"--checkpoint-timeout-ms", "10m"}));
        assertInvalid("--checkpoint-min-pause-ms must be >= 0",
                with.apply(new String[] {"--checkpoint-min-pause-ms", "-1"}));
        assertInvalid("--unaligned-checkpoints must be one of true | false, got 'yes'",
                with.apply(new String[] {"--unaligned-checkpoints", "yes"}));
        assertInvalid("--unaligned-checkpoints true needs --checkpoint-mode exactly_once",
                with.apply(new String[] {"--checkpoint-interval-ms", "100", "--checkpoint-mode", "at_least_once",
                    "--unaligned-checkpoints", "true"}));
        assertInvalid("--delivery must be one of at_least_once | exactly_once",
                with.apply(new String[] {"--delivery", "none"}));
        assertInvalid("--delivery exactly_once needs checkpointing",
                with.apply(new String[] {"--delivery", "exactly_once"}));
        assertInvalid("--delivery exactly_once needs checkpointing",
                with.apply(new String[] {"--delivery", "exactly_once", "--checkpoint-interval-ms", "0"}));
        assertInvalid("--state-backend must be one of hashmap | rocksdb | forst, got 'gemini'",
                with.apply(new String[] {"--state-backend", "gemini"}));
        assertInvalid("--incremental-checkpoints must be one of true | false",
                with.apply(new String[] {"--incremental-checkpoints", "1"}));
        assertInvalid("--incremental-checkpoints true needs --state-backend rocksdb",
                with.apply(new String[] {"--incremental-checkpoints", "true"}));
        assertInvalid("--buffer-timeout-ms must be >= -2",
                with.apply(new String[] {"--buffer-timeout-ms", "-3"}));
        assertInvalid("--object-reuse must be one of true | false",
                with.apply(new String[] {"--object-reuse", "on"}));
        assertInvalid("--chaining must be one of true | false",
                with.apply(new String[] {"--chaining", ""}));
        assertInvalid("--max-parallelism must be >= 0",
                with.apply(new String[] {"--max-parallelism", "-1"}));
        assertInvalid("--max-parallelism must be <= 32768",
                with.apply(new String[] {"--max-parallelism", "32769"}));
    }

    private static JobConfig parse(String... extra) {
        return JobConfig.parse(with(extra));
    }

    private static String[] with(String... extra) {
        String[] base = {"--bootstrap-servers", "k:1", "--input-topic", "in"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void serializer() {
        JobConfig kryo = parse("--serializer", "KRYO");
        assertEquals("kryo", kryo.serializer);
        assertTrue(kryo.forceKryo());
        assertEquals("kryo", kryo.asMap().get("serializer"));
        assertTrue(kryo.toString().contains("serializer=kryo"), kryo.toString());
        assertFalse(parse("--serializer=Pojo").forceKryo());
        assertInvalid("--serializer must be one of pojo | kryo, got 'avro'", with("--serializer", "avro"));
    }

    @Test
    void windowKinds() {
        JobConfig sliding = parse("--window-kind", "Sliding", "--window-size-ms", "6000", "--window-slide-ms", "2000",
                "--allowed-lateness-ms", "500");
        assertEquals("sliding", sliding.windowKind);
        assertEquals("sliding", sliding.asMap().get("window-kind"));
        assertEquals(6000, sliding.windowSizeMs);
        assertEquals(2000, sliding.windowSlideMs);
        assertEquals(500, sliding.allowedLatenessMs);
        assertEquals("500", sliding.asMap().get("allowed-lateness-ms"));
        assertTrue(sliding.toString().contains("windowKind=sliding, windowSlideMs=2000, windowGapMs=0,"
                + " allowedLatenessMs=500"), sliding.toString());
        // slide == size is a tumbling window, but allowed.
        assertEquals(6000, parse("--window-kind", "sliding", "--window-size-ms", "6000", "--window-slide-ms", "6000")
                .windowSlideMs);

        JobConfig session = parse("--window-kind", "SESSION", "--window-gap-ms", "3000");
        assertEquals("session", session.windowKind);
        assertEquals(3000, session.windowGapMs);
        assertEquals(0, session.allowedLatenessMs);
        assertEquals("session", session.asMap().get("window-kind"));

        JobConfig tumbling = parse("--window-kind", "tumbling", "--allowed-lateness-ms", "1000");
        assertEquals("tumbling", tumbling.windowKind);
        assertEquals(1000, tumbling.allowedLatenessMs);
    }

    @Test
    void windowKindFailures() {
        assertInvalid("--window-kind must be one of tumbling | sliding | session, got 'hopping'",
                with("--window-kind", "hopping"));
        assertInvalid("--window-kind sliding needs --window-slide-ms > 0", with("--window-kind", "sliding"));
        assertInvalid("--window-slide-ms must be >= 0", with("--window-kind", "sliding", "--window-slide-ms", "-5"));
        assertInvalid("--window-slide-ms must be <= --window-size-ms (10000), got 10001",
                with("--window-kind", "sliding", "--window-slide-ms", "10001"));
        assertInvalid("--window-size-ms / --window-slide-ms must be <= 10000000",
                with("--window-kind", "sliding", "--window-size-ms", "20000000", "--window-slide-ms", "1"));
        assertInvalid("--window-slide-ms applies only to --window-kind sliding: it must be 0 with --window-kind"
                + " tumbling, got 1000", with("--window-slide-ms", "1000"));
        assertInvalid("--window-slide-ms applies only to --window-kind sliding",
                with("--window-kind", "session", "--window-gap-ms", "10", "--window-slide-ms", "1000"));
        assertInvalid("--window-kind session needs --window-gap-ms > 0", with("--window-kind", "session"));
        assertInvalid("--window-gap-ms must be an integer", with("--window-kind", "session", "--window-gap-ms", "1s"));
        assertInvalid("--window-gap-ms applies only to --window-kind session: it must be 0 with --window-kind"
                + " sliding, got 10",
                with("--window-kind", "sliding", "--window-slide-ms", "1000", "--window-gap-ms", "10"));
        assertInvalid("--window-gap-ms applies only to --window-kind session", with("--window-gap-ms", "10"));
        assertInvalid("--allowed-lateness-ms must be >= 0", with("--allowed-lateness-ms", "-1"));
        assertInvalid("--allowed-lateness-ms must be 0 with --window-kind session, got 100",
                with("--window-kind", "session", "--window-gap-ms", "10", "--allowed-lateness-ms", "100"));
    }

    @Test
    void skewMitigation() {
        JobConfig salted = parse("--skew-mitigation", "Salted", "--salts", "16");
        assertEquals("salted", salted.skewMitigation);
        assertTrue(salted.salted());
        assertEquals(16, salted.salts);
        assertEquals("salted", salted.asMap().get("skew-mitigation"));
        assertEquals("16", salted.asMap().get("salts"));
        assertTrue(salted.toString().contains("skewMitigation=salted, salts=16"), salted.toString());
        assertEquals(2, parse("--skew-mitigation", "salted", "--salts", "2").salts);
        assertEquals(1024, parse("--skew-mitigation", "salted", "--salts", "1024").salts);
        // Salted sliding windows and allowed lateness are fine.
        JobConfig slidingSalted = parse("--skew-mitigation", "salted", "--window-kind", "sliding",
                "--window-slide-ms", "5000", "--allowed-lateness-ms", "2000");
        assertTrue(slidingSalted.salted());
        assertEquals("sliding", slidingSalted.windowKind);
        // --salts without salted is validated but unused.
        assertFalse(parse("--salts", "4").salted());

        assertInvalid("--skew-mitigation must be one of none | salted, got 'split'",
                with("--skew-mitigation", "split"));
        assertInvalid("--salts must be >= 2, got 1", with("--skew-mitigation", "salted", "--salts", "1"));
        assertInvalid("--salts must be <= 1024, got 1025", with("--skew-mitigation", "salted", "--salts", "1025"));
        assertInvalid("--salts must be an integer", with("--salts", "many"));
        assertInvalid("--skew-mitigation salted does not support --window-kind session",
                with("--skew-mitigation", "salted", "--window-kind", "session", "--window-gap-ms", "1000"));
    }

    @Test
    void perStageParallelism() {
        JobConfig c = parse("--parallelism-dedupe", "3", "--parallelism-counts", "1", "--parallelism-windows=32768");
        assertEquals(3, c.parallelismDedupe);
        assertEquals(1, c.parallelismCounts);
        assertEquals(32768, c.parallelismWindows);
        assertEquals("3", c.asMap().get("parallelism-dedupe"));
        assertEquals("1", c.asMap().get("parallelism-counts"));
        assertEquals("32768", c.asMap().get("parallelism-windows"));
        assertTrue(c.toString().contains("parallelismDedupe=3, parallelismCounts=1, parallelismWindows=32768"),
                c.toString());
        JobConfig bounded = parse("--max-parallelism", "128", "--parallelism-windows", "128");
        assertEquals(128, bounded.parallelismWindows);

        for (String k : new String[] {"parallelism-dedupe", "parallelism-counts", "parallelism-windows"}) {
            assertInvalid("--" + k + " must be >= 0, got -1", with("--" + k, "-1"));
            assertInvalid("--" + k + " must be <= 32768, got 32769", with("--" + k, "32769"));
            assertInvalid("--" + k + " must be an integer", with("--" + k, "2x"));
            assertInvalid("--" + k + " must be <= --max-parallelism (16), got 17",
                    with("--max-parallelism", "16", "--" + k, "17"));
        }
    }

    @Test
    void costPerEventAndUpdatesSample() {
        JobConfig c = parse("--cost-per-event-us", "200", "--updates-sample=10");
        assertEquals(200, c.costPerEventUs);
        assertTrue(c.scoringEnabled());
        assertEquals(10, c.updatesSample);
        assertEquals("200", c.asMap().get("cost-per-event-us"));
        assertEquals("10", c.asMap().get("updates-sample"));
        assertTrue(c.toString().contains("costPerEventUs=200, checkpointSyncPauseMs=0, updatesSample=10"), c.toString());
        assertEquals(300, parse("--checkpoint-sync-pause-ms", "300").checkpointSyncPauseMs);
        assertThrows(IllegalArgumentException.class, () -> parse("--checkpoint-sync-pause-ms", "60001"));
        assertEquals(1_000_000, parse("--cost-per-event-us", "1000000").costPerEventUs);
        assertFalse(parse("--cost-per-event-us", "0").scoringEnabled());
        assertEquals(1, parse("--updates-sample", "1").updatesSample);

        assertInvalid("--cost-per-event-us must be >= 0, got -1", with("--cost-per-event-us", "-1"));
        assertInvalid("--cost-per-event-us must be <= 1000000, got 1000001", with("--cost-per-event-us", "1000001"));
        assertInvalid("--cost-per-event-us must be an integer, got '0.5'", with("--cost-per-event-us", "0.5"));
        assertInvalid("--updates-sample must be >= 1, got 0", with("--updates-sample", "0"));
        assertInvalid("--updates-sample must be >= 1, got -10", with("--updates-sample", "-10"));
        assertInvalid("--updates-sample must be an integer, got '1%'", with("--updates-sample", "1%"));
    }

    @Test
    void usageListsTheKnobs() {
        String usage = JobConfig.usage();
        for (String k : new String[] {"checkpoint-mode", "checkpoint-timeout-ms", "checkpoint-min-pause-ms",
            "unaligned-checkpoints", "delivery", "state-backend", "incremental-checkpoints", "buffer-timeout-ms",
            "object-reuse", "chaining", "max-parallelism", "serializer", "window-kind", "window-slide-ms",
            "window-gap-ms", "allowed-lateness-ms", "skew-mitigation", "salts", "parallelism-dedupe",
            "parallelism-counts", "parallelism-windows", "cost-per-event-us", "updates-sample", "kafka-properties"}) {
            assertTrue(usage.contains("--" + k + " "), k);
        }
    }

    @Test
    void everything() {
        JobConfig c = JobConfig.parse("--bootstrap-servers", "a:1,b:2", "--input-topic", "in",
                "--updates-topic", "up", "--windows-topic=win", "--group-id", "g", "--window-size-ms", "5000",
                "--out-of-orderness-ms", "0", "--idleness-ms", "0", "--dedupe-ttl-ms", "60000",
                "--checkpoint-interval-ms", "1000", "--sink-linger-ms", "0", "--job-name", "run-7");
        assertEquals("up", c.updatesTopic);
        assertTrue(c.updatesEnabled());
        assertEquals("win", c.windowsTopic);
        assertTrue(c.windowsEnabled());
        assertEquals("g", c.groupId);
        assertEquals(5000, c.windowSizeMs);
        assertEquals(0, c.outOfOrdernessMs);
        assertEquals(0, c.idlenessMs);
        assertEquals(60000, c.dedupeTtlMs);
        assertEquals(1000, c.checkpointIntervalMs);
        assertEquals(0, c.sinkLingerMs);
        assertEquals("run-7", c.jobName);
    }

    @Test
    void emptyTopicMeansOff() {
        JobConfig c = JobConfig.parse("--bootstrap-servers", "k:9092", "--input-topic", "in",
                "--updates-topic", "", "--windows-topic", "w");
        assertFalse(c.updatesEnabled());
        assertTrue(c.windowsEnabled());
    }

    @Test
    void failures() {
        assertInvalid("missing required argument --bootstrap-servers", "--input-topic", "in");
        assertInvalid("missing required argument --input-topic", "--bootstrap-servers", "k:1");
        assertInvalid("unknown argument --windowsize", "--bootstrap-servers", "k:1", "--input-topic", "in",
                "--windowsize", "5");
        assertInvalid("missing value for --input-topic", "--bootstrap-servers", "k:1", "--input-topic");
        assertInvalid("missing value for --updates-topic", "--bootstrap-servers", "k:1", "--updates-topic",
                "--input-topic", "in");
        assertInvalid("unexpected argument 'stray'", "stray", "--bootstrap-servers", "k:1");
        assertInvalid("given more than once", "--bootstrap-servers", "k:1", "--input-topic", "a",
                "--input-topic", "b");
        assertInvalid("--window-size-ms must be an integer", "--bootstrap-servers", "k:1", "--input-topic", "in",
                "--window-size-ms", "10s");
        assertInvalid("--window-size-ms must be >= 1", "--bootstrap-servers", "k:1", "--input-topic", "in",
                "--window-size-ms", "0");
        assertInvalid("--dedupe-ttl-ms must be >= 1", "--bootstrap-servers", "k:1", "--input-topic", "in",
                "--dedupe-ttl-ms", "0");
        assertInvalid("--idleness-ms must be >= 0", "--bootstrap-servers", "k:1", "--input-topic", "in",
                "--idleness-ms", "-1");
        assertInvalid("--checkpoint-interval-ms must be 0 (off) or >= 10", "--bootstrap-servers", "k:1",
                "--input-topic", "in", "--checkpoint-interval-ms", "5");
        assertInvalid("--bootstrap-servers must not be empty", "--bootstrap-servers", "", "--input-topic", "in");
    }
}
