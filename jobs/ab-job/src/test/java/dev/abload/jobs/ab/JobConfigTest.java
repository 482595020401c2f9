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
