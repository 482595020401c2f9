package dev.abload.jobs.ab;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The job's command-line contract, parsed by hand so that an unknown, repeated or malformed
 * argument fails submission with a clear message (ParameterTool silently accepts unknown keys,
 * and a typo in a benchmark parameter would otherwise go unnoticed).
 *
 * <p>Arguments are {@code --key value} or {@code --key=value}. Invalid arguments raise an
 * {@link IllegalArgumentException} carrying the usage text; {@code main} lets it propagate
 * instead of calling {@code System.exit}, which would take down a JobManager running the main
 * method (REST submission / application mode).
 */
public final class JobConfig {

    /** Option name → (default, description), in usage order. A null default means required. */
    private static final Map<String, String[]> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("bootstrap-servers", new String[] {null, "Kafka bootstrap servers (required)"});
        OPTIONS.put("input-topic", new String[] {null, "topic of the input events (required)"});
        OPTIONS.put("updates-topic", new String[] {"", "topic for per-event updates; empty = updates off"});
        OPTIONS.put("windows-topic", new String[] {"", "topic for window results; empty = windows off"});
        OPTIONS.put("group-id", new String[] {"abload-ab-job", "Kafka consumer group id"});
        OPTIONS.put("window-size-ms", new String[] {"10000",
            "event-time window size of tumbling and sliding windows, > 0 (session windows ignore it)"});
        OPTIONS.put("out-of-orderness-ms", new String[] {"2000", "bounded out-of-orderness of the watermarks, >= 0"});
        OPTIONS.put("idleness-ms", new String[] {"5000", "partition idleness timeout, >= 0 (0 = never idle)"});
        OPTIONS.put("dedupe-ttl-ms", new String[] {"3600000", "event-time retention of open/click dedupe state, > 0"});
        OPTIONS.put("checkpoint-interval-ms", new String[] {"0", "checkpoint interval; 0 = checkpointing off, else >= 10"});
        OPTIONS.put("sink-linger-ms", new String[] {"5", "Kafka producer linger.ms of the sinks, >= 0"});
        OPTIONS.put("job-name", new String[] {"abload-ab-job", "Flink job name"});
        OPTIONS.put("checkpoint-mode", new String[] {"exactly_once",
            "exactly_once | at_least_once (barrier alignment); applied only if checkpointing is on"});
        OPTIONS.put("checkpoint-timeout-ms", new String[] {"600000",
            "checkpoint timeout, >= 10; applied only if checkpointing is on"});
        OPTIONS.put("checkpoint-min-pause-ms", new String[] {"0",
            "minimum pause between checkpoints, >= 0; applied only if checkpointing is on"});
        OPTIONS.put("unaligned-checkpoints", new String[] {"false",
            "true | false; needs --checkpoint-mode exactly_once; applied only if checkpointing is on"});
        OPTIONS.put("delivery", new String[] {"at_least_once",
            "Kafka sink guarantee: at_least_once | exactly_once (transactions; needs checkpointing)"});
        OPTIONS.put("state-backend", new String[] {"hashmap", "hashmap | rocksdb | forst (Flink 2.x)"});
        OPTIONS.put("incremental-checkpoints", new String[] {"false", "true | false; true needs --state-backend rocksdb"});
        OPTIONS.put("buffer-timeout-ms", new String[] {"-2",
            "network buffer timeout: -2 = Flink default (100 ms), -1 = flush only when full, 0 = flush every record, > 0 = ms"});
        OPTIONS.put("object-reuse", new String[] {"false", "true | false: Flink object reuse"});
        OPTIONS.put("chaining", new String[] {"true", "true | false: operator chaining"});
        OPTIONS.put("max-parallelism", new String[] {"0", "max parallelism (key groups): 0 = Flink default, else 1..32768"});
        OPTIONS.put("serializer", new String[] {"pojo",
            "pojo | kryo: how Flink serializes the events (and the other POJOs) on the network and in state;"
                + " kryo forces Kryo (pipeline.force-kryo)"});
        OPTIONS.put("window-kind", new String[] {"tumbling", "tumbling | sliding | session: the event-time windows"});
        OPTIONS.put("window-slide-ms", new String[] {"0",
            "slide of sliding windows: > 0 and <= --window-size-ms with --window-kind sliding, else 0"});
        OPTIONS.put("window-gap-ms", new String[] {"0", "session gap: > 0 with --window-kind session, else 0"});
        OPTIONS.put("allowed-lateness-ms", new String[] {"0",
            "allowed lateness of the windows, >= 0: events up to this far behind the watermark still count,"
                + " each as a late firing (another record for its window); 0 with session windows"});
        OPTIONS.put("skew-mitigation", new String[] {"none",
            "none | salted: salted aggregates the windows in two phases, per (campaign, variant, salt)"
                + " and then per (campaign, variant); not with session windows"});
        OPTIONS.put("salts", new String[] {"8", "number of salts of --skew-mitigation salted, 2..1024 (else unused)"});
        OPTIONS.put("parallelism-dedupe", new String[] {"0",
            "parallelism of dedupe: 0 = the job's default parallelism, else 1..32768"});
        OPTIONS.put("parallelism-counts", new String[] {"0",
            "parallelism of counts and the updates sink: 0 = the job's default parallelism, else 1..32768"});
        OPTIONS.put("parallelism-windows", new String[] {"0",
            "parallelism of windows (and windows-merge) and the windows sink: 0 = the job's default parallelism,"
                + " else 1..32768"});
        OPTIONS.put("cost-per-event-us", new String[] {"0",
            "CPU work per de-duplicated event, in microseconds of thread CPU time, 0..1000000: a calibrated"
                + " scoring loop in a 'scoring' operator chained after dedupe (same parallelism); 0 = off"
                + " (no scoring operator)"});
        OPTIONS.put("checkpoint-sync-pause-ms", new String[] {"0",
            "a pause of this many ms in every checkpoint's synchronous phase (the late filter's snapshot, in"
                + " the source's task): a modelled costly snapshot, and a known checkpoint cost for truth"
                + " tests, 0..60000; 0 = none"});
        OPTIONS.put("updates-sample", new String[] {"1",
            "emit the per-event update (counted or late) only of events with seq % N == 0, >= 1;"
                + " 1 = every update; windows are unaffected"});
        OPTIONS.put("kafka-properties", new String[] {"",
            "Kafka client settings for a cluster secured with TLS and/or SASL, applied to the source and both"
                + " sinks: the base64 (standard or URL-safe alphabet, padding optional) of a java.util.Properties"
                + " text in UTF-8 (multi-line values such as PEM with \\n escapes or line continuations);"
                + " only keys starting with security., sasl., ssl. and client.dns.lookup; the job's own settings"
                + " (bootstrap.servers, group.id, linger.ms, ...) are refused; the job parameters show the keys"
                + " with their values redacted; \"\" = none"});
    }

    /** Flink's upper bound for the max parallelism (KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM). */
    static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    /** Flink's bound on the windows per event of sliding windows (SlidingEventTimeWindows.MAX_WINDOW_NUM). */
    static final long MAX_SLIDING_WINDOWS_PER_EVENT = 10_000_000;

    /** Bounds of {@code --salts}. */
    static final int MIN_SALTS = 2;
    static final int MAX_SALTS = 1024;

    public final String bootstrapServers;
    public final String inputTopic;
    /** Empty = updates output off. */
    public final String updatesTopic;
    /** Empty = windows output off. */
    public final String windowsTopic;
    public final String groupId;
    public final long windowSizeMs;
    public final long outOfOrdernessMs;
    public final long idlenessMs;
    public final long dedupeTtlMs;
    public final long checkpointIntervalMs;
    public final long sinkLingerMs;
    public final String jobName;
    /** {@code exactly_once} or {@code at_least_once}. */
    public final String checkpointMode;
    public final long checkpointTimeoutMs;
    public final long checkpointMinPauseMs;
    public final boolean unalignedCheckpoints;
    /** {@code at_least_once} or {@code exactly_once}. */
    public final String delivery;
    /** {@code hashmap}, {@code rocksdb} or {@code forst} (ForSt, Flink 2.x). */
    public final String stateBackend;
    public final boolean incrementalCheckpoints;
    /** -2 = Flink default, -1 = flush only when full, 0 = flush every record, > 0 = timeout in ms. */
    public final long bufferTimeoutMs;
    public final boolean objectReuse;
    public final boolean chaining;
    /** 0 = Flink default. */
    public final int maxParallelism;
    /** {@code pojo} or {@code kryo}. */
    public final String serializer;
    /** {@code tumbling}, {@code sliding} or {@code session}. */
    public final String windowKind;
    /** > 0 for sliding windows, else 0. */
    public final long windowSlideMs;
    /** > 0 for session windows, else 0. */
    public final long windowGapMs;
    /** >= 0; 0 for session windows. */
    public final long allowedLatenessMs;
    /** {@code none} or {@code salted}. */
    public final String skewMitigation;
    /** 2..1024; used only by {@code salted}. */
    public final int salts;
    /** Per-stage parallelism; 0 = the job's default. */
    public final int parallelismDedupe;
    public final int parallelismCounts;
    public final int parallelismWindows;
    /** CPU microseconds of scoring work per de-duplicated event; 0 = off. */
    public final long costPerEventUs;
    /** {@code --checkpoint-sync-pause-ms}: a pause in every checkpoint's synchronous phase. */
    public final long checkpointSyncPauseMs;
    /** >= 1: only updates of events with {@code seq % updatesSample == 0} are emitted. */
    public final long updatesSample;
    /**
     * The decoded {@code --kafka-properties} (empty = none), in the text's order. They carry
     * passwords and private keys: never part of {@link #values} (the job parameters) or
     * {@link #toString}, which show {@link #kafkaPropertiesDescription} instead.
     */
    private final Map<String, String> kafkaProperties;
    /** {@link KafkaProperties#describe} of {@link #kafkaProperties}: keys, values redacted. */
    private final String kafkaPropertiesDescription;
    /** Every argument (given or defaulted) by name without the dashes, in usage order. */
    private final Map<String, String> values;

    private JobConfig(Map<String, String> v) {
        bootstrapServers = v.get("bootstrap-servers");
        inputTopic = v.get("input-topic");
        updatesTopic = v.get("updates-topic");
        windowsTopic = v.get("windows-topic");
        groupId = v.get("group-id");
        windowSizeMs = number(v, "window-size-ms", 1);
        outOfOrdernessMs = number(v, "out-of-orderness-ms", 0);
        idlenessMs = number(v, "idleness-ms", 0);
        dedupeTtlMs = number(v, "dedupe-ttl-ms", 1);
        checkpointIntervalMs = number(v, "checkpoint-interval-ms", 0);
        sinkLingerMs = number(v, "sink-linger-ms", 0);
        jobName = v.get("job-name");
        checkpointMode = choice(v, "checkpoint-mode", "exactly_once", "at_least_once");
        checkpointTimeoutMs = number(v, "checkpoint-timeout-ms", 10);
        checkpointMinPauseMs = number(v, "checkpoint-min-pause-ms", 0);
        unalignedCheckpoints = bool(v, "unaligned-checkpoints");
        delivery = choice(v, "delivery", "at_least_once", "exactly_once");
        stateBackend = choice(v, "state-backend", "hashmap", "rocksdb", "forst");
        incrementalCheckpoints = bool(v, "incremental-checkpoints");
        bufferTimeoutMs = number(v, "buffer-timeout-ms", -2);
        objectReuse = bool(v, "object-reuse");
        chaining = bool(v, "chaining");
        long maxPar = number(v, "max-parallelism", 0);
        if (maxPar > UPPER_BOUND_MAX_PARALLELISM) {
            throw invalid("--max-parallelism must be <= " + UPPER_BOUND_MAX_PARALLELISM + ", got " + maxPar);
        }
        maxParallelism = (int) maxPar;
        serializer = choice(v, "serializer", "pojo", "kryo");
        windowKind = choice(v, "window-kind", "tumbling", "sliding", "session");
        windowSlideMs = number(v, "window-slide-ms", 0);
        windowGapMs = number(v, "window-gap-ms", 0);
        allowedLatenessMs = number(v, "allowed-lateness-ms", 0);
        skewMitigation = choice(v, "skew-mitigation", "none", "salted");
        long s = number(v, "salts", MIN_SALTS);
        if (s > MAX_SALTS) {
            throw invalid("--salts must be <= " + MAX_SALTS + ", got " + s);
        }
        salts = (int) s;
        parallelismDedupe = parallelism(v, "parallelism-dedupe", maxParallelism);
        parallelismCounts = parallelism(v, "parallelism-counts", maxParallelism);
        parallelismWindows = parallelism(v, "parallelism-windows", maxParallelism);
        costPerEventUs = number(v, "cost-per-event-us", 0);
        if (costPerEventUs > ScoringFunction.MAX_COST_PER_EVENT_US) {
            throw invalid("--cost-per-event-us must be <= " + ScoringFunction.MAX_COST_PER_EVENT_US
                    + ", got " + costPerEventUs);
        }
        checkpointSyncPauseMs = number(v, "checkpoint-sync-pause-ms", 0);
        if (checkpointSyncPauseMs > 60_000) {
            throw invalid("--checkpoint-sync-pause-ms must be <= 60000, got " + checkpointSyncPauseMs);
        }
        updatesSample = number(v, "updates-sample", 1);
        try {
            kafkaProperties = KafkaProperties.decode(v.get("kafka-properties"));
        } catch (IllegalArgumentException e) {
            // The message names at most a key; no cause, whose message might quote the value.
            throw invalid(e.getMessage());
        }
        kafkaPropertiesDescription = KafkaProperties.describe(kafkaProperties);
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String key : OPTIONS.keySet()) {
            ordered.put(key, v.get(key));
        }
        // The canonical (lower-case) spellings of the choices.
        ordered.put("checkpoint-mode", checkpointMode);
        ordered.put("unaligned-checkpoints", Boolean.toString(unalignedCheckpoints));
        ordered.put("delivery", delivery);
        ordered.put("state-backend", stateBackend);
        ordered.put("incremental-checkpoints", Boolean.toString(incrementalCheckpoints));
        ordered.put("object-reuse", Boolean.toString(objectReuse));
        ordered.put("chaining", Boolean.toString(chaining));
        ordered.put("serializer", serializer);
        ordered.put("window-kind", windowKind);
        ordered.put("skew-mitigation", skewMitigation);
        // Never the value itself: it carries secrets, and the job parameters show in Flink's web UI.
        ordered.put("kafka-properties", kafkaPropertiesDescription);
        values = Collections.unmodifiableMap(ordered);
        if (bootstrapServers.isBlank()) {
            throw invalid("--bootstrap-servers must not be empty");
        }
        if (inputTopic.isBlank()) {
            throw invalid("--input-topic must not be empty");
        }
        if (groupId.isBlank()) {
            throw invalid("--group-id must not be empty");
        }
        if (jobName.isBlank()) {
            throw invalid("--job-name must not be empty");
        }
        if (checkpointIntervalMs != 0 && checkpointIntervalMs < 10) {
            throw invalid("--checkpoint-interval-ms must be 0 (off) or >= 10, got " + checkpointIntervalMs);
        }
        if (exactlyOnceDelivery() && !checkpointingEnabled()) {
            throw invalid("--delivery exactly_once needs checkpointing (Kafka transactions commit on checkpoints):"
                    + " set --checkpoint-interval-ms > 0");
        }
        if (unalignedCheckpoints && !"exactly_once".equals(checkpointMode)) {
            throw invalid("--unaligned-checkpoints true needs --checkpoint-mode exactly_once");
        }
        if (incrementalCheckpoints && !"rocksdb".equals(stateBackend)) {
            throw invalid("--incremental-checkpoints true needs --state-backend rocksdb"
                    + " (the hashmap backend has no incremental checkpoints)");
        }
        validateWindows();
    }

    /** The cross-field rules of the window arguments. */
    private void validateWindows() {
        if ("sliding".equals(windowKind)) {
            if (windowSlideMs == 0) {
                throw invalid("--window-kind sliding needs --window-slide-ms > 0");
            }
            if (windowSlideMs > windowSizeMs) {
                throw invalid("--window-slide-ms must be <= --window-size-ms (" + windowSizeMs + "), got "
                        + windowSlideMs);
            }
            if (windowSizeMs / windowSlideMs > MAX_SLIDING_WINDOWS_PER_EVENT) {
                throw invalid("--window-size-ms / --window-slide-ms must be <= " + MAX_SLIDING_WINDOWS_PER_EVENT
                        + " (windows per event), got " + windowSizeMs / windowSlideMs);
            }
        } else if (windowSlideMs != 0) {
            throw invalid("--window-slide-ms applies only to --window-kind sliding: it must be 0 with --window-kind "
                    + windowKind + ", got " + windowSlideMs);
        }
        if ("session".equals(windowKind)) {
            if (windowGapMs == 0) {
                throw invalid("--window-kind session needs --window-gap-ms > 0");
            }
            if (allowedLatenessMs != 0) {
                throw invalid("--allowed-lateness-ms must be 0 with --window-kind session, got " + allowedLatenessMs);
            }
            if (salted()) {
                throw invalid("--skew-mitigation salted does not support --window-kind session"
                        + " (sessions are per (campaign, variant) and cannot be split by salt)");
            }
        } else if (windowGapMs != 0) {
            throw invalid("--window-gap-ms applies only to --window-kind session: it must be 0 with --window-kind "
                    + windowKind + ", got " + windowGapMs);
        }
    }

    /** Whether the windows are aggregated in two salted phases ({@code --skew-mitigation salted}). */
    public boolean salted() {
        return "salted".equals(skewMitigation);
    }

    /** Whether Flink is forced to serialize POJOs with Kryo ({@code --serializer kryo}). */
    public boolean forceKryo() {
        return "kryo".equals(serializer);
    }

    /** Whether checkpointing is on ({@code --checkpoint-interval-ms} > 0). */
    public boolean checkpointingEnabled() {
        return checkpointIntervalMs > 0;
    }

    /** Whether the Kafka sinks write transactionally ({@code --delivery exactly_once}). */
    public boolean exactlyOnceDelivery() {
        return "exactly_once".equals(delivery);
    }

    /**
     * Every argument, given or defaulted, by name without the leading dashes, in usage order;
     * {@code kafka-properties} shows only {@link #kafkaPropertiesDescription} (keys, values redacted).
     */
    public Map<String, String> asMap() {
        return values;
    }

    /** The decoded {@code --kafka-properties} (secrets included), a fresh copy; empty if none. */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }

    /** The {@code --kafka-properties} keys with their values redacted ("" if none): safe to show. */
    public String kafkaPropertiesDescription() {
        return kafkaPropertiesDescription;
    }

    /** Whether the per-event updates output is on. */
    public boolean updatesEnabled() {
        return !updatesTopic.isEmpty();
    }

    /** Whether the scoring operator runs ({@code --cost-per-event-us} > 0). */
    public boolean scoringEnabled() {
        return costPerEventUs > 0;
    }

    /** Whether the window output is on. */
    public boolean windowsEnabled() {
        return !windowsTopic.isEmpty();
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException with the problem and the usage text
     */
    public static JobConfig parse(String... args) {
        Map<String, String> given = new HashMap<>();
        // A stray token next to --kafka-properties may be a piece of its (secret) value, e.g. split
        // by the shell: then it is not echoed.
        boolean secretGiven = Arrays.stream(args).anyMatch(a -> a.startsWith("--kafka-properties"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw invalid(secretGiven
                        ? "unexpected argument #" + (i + 1) + " (not shown, as --kafka-properties is given;"
                                + " expected --key value)"
                        : "unexpected argument '" + a + "' (expected --key value)");
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw invalid("missing value for --" + key);
                }
                value = args[++i];
            }
            if (!OPTIONS.containsKey(key)) {
                throw invalid("unknown argument --" + key);
            }
            if (given.put(key, value.trim()) != null) {
                throw invalid("--" + key + " given more than once");
            }
        }
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, String[]> o : OPTIONS.entrySet()) {
            String v = given.getOrDefault(o.getKey(), o.getValue()[0]);
            if (v == null) {
                throw invalid("missing required argument --" + o.getKey());
            }
            values.put(o.getKey(), v);
        }
        return new JobConfig(values);
    }

    private static long number(Map<String, String> v, String key, long min) {
        String s = v.get(key);
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw invalid("--" + key + " must be an integer, got '" + s + "'");
        }
        if (n < min) {
            throw invalid("--" + key + " must be >= " + min + ", got " + n);
        }
        return n;
    }

    /** A per-stage parallelism: 0 (the job's default) or 1..32768, and at most the max parallelism if set. */
    private static int parallelism(Map<String, String> v, String key, int maxParallelism) {
        long p = number(v, key, 0);
        if (p > UPPER_BOUND_MAX_PARALLELISM) {
            throw invalid("--" + key + " must be <= " + UPPER_BOUND_MAX_PARALLELISM + ", got " + p);
        }
        if (maxParallelism > 0 && p > maxParallelism) {
            throw invalid("--" + key + " must be <= --max-parallelism (" + maxParallelism + "), got " + p);
        }
        return (int) p;
    }

    /** A case-insensitive choice among {@code allowed} (lower case), returned in lower case. */
    private static String choice(Map<String, String> v, String key, String... allowed) {
        String s = v.get(key).toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(s)) {
                return a;
            }
        }
        throw invalid("--" + key + " must be one of " + String.join(" | ", allowed) + ", got '" + v.get(key) + "'");
    }

    private static boolean bool(Map<String, String> v, String key) {
        return Boolean.parseBoolean(choice(v, key, "true", "false"));
    }

    private static IllegalArgumentException invalid(String problem) {
        return new IllegalArgumentException("abload-ab-job: " + problem + "\n" + usage());
    }

    /** The usage text listing every argument with its default. */
    public static String usage() {
        StringBuilder sb = new StringBuilder("Usage: AbTestJob --bootstrap-servers HOST:PORT --input-topic TOPIC [options]\n");
        for (Map.Entry<String, String[]> o : OPTIONS.entrySet()) {
            sb.append(String.format("  --%-24s %s", o.getKey(), o.getValue()[1]));
            String def = o.getValue()[0];
            if (def != null) {
                sb.append(" (default: ").append(def.isEmpty() ? "\"\"" : def).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "JobConfig{bootstrapServers=" + bootstrapServers + ", inputTopic=" + inputTopic
                + ", updatesTopic=" + updatesTopic + ", windowsTopic=" + windowsTopic + ", groupId=" + groupId
                + ", windowSizeMs=" + windowSizeMs + ", outOfOrdernessMs=" + outOfOrdernessMs
                + ", idlenessMs=" + idlenessMs + ", dedupeTtlMs=" + dedupeTtlMs
                + ", checkpointIntervalMs=" + checkpointIntervalMs + ", sinkLingerMs=" + sinkLingerMs
                + ", jobName=" + jobName + ", checkpointMode=" + checkpointMode
                + ", checkpointTimeoutMs=" + checkpointTimeoutMs + ", checkpointMinPauseMs=" + checkpointMinPauseMs
                + ", unalignedCheckpoints=" + unalignedCheckpoints + ", delivery=" + delivery
                + ", stateBackend=" + stateBackend + ", incrementalCheckpoints=" + incrementalCheckpoints
                + ", bufferTimeoutMs=" + bufferTimeoutMs + ", objectReuse=" + objectReuse + ", chaining=" + chaining
                + ", maxParallelism=" + maxParallelism + ", serializer=" + serializer + ", windowKind=" + windowKind
                + ", windowSlideMs=" + windowSlideMs + ", windowGapMs=" + windowGapMs
                + ", allowedLatenessMs=" + allowedLatenessMs + ", skewMitigation=" + skewMitigation
                + ", salts=" + salts + ", parallelismDedupe=" + parallelismDedupe
                + ", parallelismCounts=" + parallelismCounts + ", parallelismWindows=" + parallelismWindows
                + ", costPerEventUs=" + costPerEventUs + ", checkpointSyncPauseMs=" + checkpointSyncPauseMs
                + ", updatesSample=" + updatesSample
                + ", kafkaProperties=[" + kafkaPropertiesDescription + "]}";
    }
}
