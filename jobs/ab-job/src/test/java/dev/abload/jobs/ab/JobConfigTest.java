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
        // Every argument, defaults included, for the global job parameters.
        assertEquals("k:9092", c.asMap().get("bootstrap-servers"));
        assertEquals("", c.asMap().get("updates-topic"));
        assertEquals("at_least_once", c.asMap().get("delivery"));
        assertEquals("-2", c.asMap().get("buffer-timeout-ms"));
        assertEquals(23, c.asMap().size());
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
        assertInvalid("--state-backend must be one of hashmap | rocksdb, got 'forst'",
                with.apply(new String[] {"--state-backend", "forst"}));
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

    @Test
    void usageListsTheKnobs() {
        String usage = JobConfig.usage();
        for (String k : new String[] {"checkpoint-mode", "checkpoint-timeout-ms", "checkpoint-min-pause-ms",
            "unaligned-checkpoints", "delivery", "state-backend", "incremental-checkpoints", "buffer-timeout-ms",
            "object-reuse", "chaining", "max-parallelism"}) {
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
