package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkAccess;
import org.apache.flink.connector.kafka.source.KafkaSourceAccess;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.tasks.CheckpointCoordinatorConfiguration;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@link AbTestJob#configure} without a cluster: the environment, and the JobGraph the
 * JobManager would receive, reflect the tuning arguments.
 */
class AbTestJobConfigureTest {

    private static JobConfig config(String... extra) {
        return JobConfig.parse(Stream.concat(
                        Stream.of("--bootstrap-servers", "k:9092", "--input-topic", "in", "--updates-topic", "up",
                                "--windows-topic", "win", "--group-id", "run-42"),
                        Arrays.stream(extra))
                .toArray(String[]::new));
    }

    private static AbTestJob job(JobConfig c) {
        DataGeneratorSource<EmailEvent> source = new DataGeneratorSource<>(
                i -> Events.flush(0), 1, TypeInformation.of(EmailEvent.class));
        return new AbTestJob(c, source, new DiscardingSink<>(), new DiscardingSink<>());
    }

    /** configure + build on a fresh environment, as {@link AbTestJob#execute} does. */
    private static StreamExecutionEnvironment env(JobConfig c) {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment();
        env.setParallelism(2);
        AbTestJob job = job(c);
        job.configure(env);
        job.build(env);
        return env;
    }

    private static JobGraph jobGraph(StreamExecutionEnvironment env) {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("test");
        return graph.getJobGraph();
    }

    @Test
    void defaults() {
        JobConfig c = config();
        StreamExecutionEnvironment env = env(c);
        assertFalse(env.getCheckpointConfig().isCheckpointingEnabled());
        assertEquals("hashmap", env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));
        assertFalse(env.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        assertEquals(100, env.getBufferTimeout()); // Flink's default, untouched
        assertFalse(env.getConfig().isObjectReuseEnabled());
        assertTrue(env.isChainingEnabled());
        assertEquals(c.asMap(), env.getConfig().getGlobalJobParameters().toMap());

        JobGraph jg = jobGraph(env);
        assertFalse(jg.getCheckpointingSettings().getCheckpointCoordinatorConfiguration().isCheckpointingEnabled());
        assertEquals("hashmap", jg.getJobConfiguration().get(StateBackendOptions.STATE_BACKEND));
    }

    @Test
    void everythingOn() {
        JobConfig c = config("--checkpoint-interval-ms", "2000", "--checkpoint-mode", "exactly_once",
                "--checkpoint-timeout-ms", "30000", "--checkpoint-min-pause-ms", "500",
                "--unaligned-checkpoints", "true", "--delivery", "exactly_once", "--state-backend", "rocksdb",
                "--incremental-checkpoints", "true", "--buffer-timeout-ms", "0", "--object-reuse", "true",
                "--chaining", "false", "--max-parallelism", "256");
        StreamExecutionEnvironment env = env(c);

        CheckpointConfig cp = env.getCheckpointConfig();
        assertTrue(cp.isCheckpointingEnabled());
        assertEquals(2000, cp.getCheckpointInterval());
        assertEquals(CheckpointingMode.EXACTLY_ONCE, cp.getCheckpointingConsistencyMode());
        assertEquals(30000, cp.getCheckpointTimeout());
        assertEquals(500, cp.getMinPauseBetweenCheckpoints());
        assertTrue(cp.isUnalignedCheckpointsEnabled());
        assertEquals("rocksdb", env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));
        assertTrue(env.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        assertEquals(0, env.getBufferTimeout());
        assertTrue(env.getConfig().isObjectReuseEnabled());
        assertFalse(env.isChainingEnabled());
        assertEquals(256, env.getMaxParallelism());
        assertEquals("exactly_once", env.getConfig().getGlobalJobParameters().toMap().get("delivery"));
        assertEquals("256", env.getConfig().getGlobalJobParameters().toMap().get("max-parallelism"));
        assertEquals(c.asMap(), env.getConfig().getGlobalJobParameters().toMap());

        // What the JobManager (and so its REST API) sees.
        JobGraph jg = jobGraph(env);
        CheckpointCoordinatorConfiguration cc =
                jg.getCheckpointingSettings().getCheckpointCoordinatorConfiguration();
        assertEquals(2000, cc.getCheckpointInterval());
        assertTrue(cc.isExactlyOnce());
        assertEquals(30000, cc.getCheckpointTimeout());
        assertEquals(500, cc.getMinPauseBetweenCheckpoints());
        assertTrue(cc.isUnalignedCheckpointsEnabled());
        assertEquals("rocksdb", jg.getJobConfiguration().get(StateBackendOptions.STATE_BACKEND));
        assertTrue(jg.getJobConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        for (JobVertex v : jg.getVertices()) {
            assertEquals(256, v.getMaxParallelism(), v.getName());
        }
    }

    @Test
    void atLeastOnceCheckpoints() {
        JobConfig c = config("--checkpoint-interval-ms", "1000", "--checkpoint-mode", "AT_LEAST_ONCE",
                "--buffer-timeout-ms", "25");
        StreamExecutionEnvironment env = env(c);
        assertEquals(CheckpointingMode.AT_LEAST_ONCE, env.getCheckpointConfig().getCheckpointingConsistencyMode());
        assertEquals(600000, env.getCheckpointConfig().getCheckpointTimeout());
        assertEquals(0, env.getCheckpointConfig().getMinPauseBetweenCheckpoints());
        assertFalse(env.getCheckpointConfig().isUnalignedCheckpointsEnabled());
        assertEquals(25, env.getBufferTimeout());
        assertFalse(jobGraph(env).getCheckpointingSettings().getCheckpointCoordinatorConfiguration().isExactlyOnce());
    }

    @Test
    void chainingShowsInTheVertexCount() {
        int chained = jobGraph(env(config())).getNumberOfVertices();
        int unchained = jobGraph(env(config("--chaining", "false"))).getNumberOfVertices();
        assertTrue(unchained > chained, unchained + " vs " + chained);
    }

    @Test
    void kafkaSinks() {
        JobConfig eo = config("--checkpoint-interval-ms", "1000", "--delivery", "exactly_once", "--job-name", "j");
        assertEquals("j-updates-run-42", AbTestJob.transactionalIdPrefix(eo, "updates"));
        assertEquals("j-windows-run-42", AbTestJob.transactionalIdPrefix(eo, "windows"));
        // Both guarantees build (EXACTLY_ONCE fails to build without a transactional-id prefix).
        assertNotNull(AbTestJob.kafkaSink(eo, "up", "updates"));
        assertNotNull(AbTestJob.kafkaSink(config(), "up", "updates"));
    }

    /** The --kafka-properties settings, as the Kafka clients must get them. */
    private static void assertCarries(Map<String, String> expected, Map<String, String> actual, String what) {
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()), what + ": " + e.getKey());
        }
    }

    private static Map<String, String> map(Properties p) {
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    @Test
    void kafkaPropertiesReachTheSourceAndBothSinks() {
        String value = KafkaSecrets.encode(KafkaSecrets.text());
        for (String[] delivery : new String[][] {{}, {"--checkpoint-interval-ms", "1000", "--delivery", "exactly_once"}}) {
            JobConfig c = config(Stream.concat(Stream.of("--kafka-properties", value, "--sink-linger-ms", "7"),
                    Arrays.stream(delivery)).toArray(String[]::new));
            assertEquals(KafkaSecrets.SETTINGS, map(AbTestJob.kafkaClientProperties(c)));

            // The source: its readers' (and enumerator's) client properties.
            Map<String, String> source = KafkaSourceAccess.clientProperties(AbTestJob.kafkaSource(c)).toMap();
            assertCarries(KafkaSecrets.SETTINGS, source, "source");
            assertEquals("k:9092", source.get("bootstrap.servers"));
            assertEquals("run-42", source.get("group.id"));

            // Both sinks, at-least-once and transactional: their producers' properties.
            for (String kind : new String[] {"updates", "windows"}) {
                KafkaSink<String> sink = AbTestJob.kafkaSink(c, kind.equals("updates") ? "up" : "win", kind);
                Map<String, String> producer = map(KafkaSinkAccess.producerConfig(sink));
                assertCarries(KafkaSecrets.SETTINGS, producer, kind + " sink " + c.delivery);
                // The job's own settings stay.
                assertEquals("k:9092", producer.get("bootstrap.servers"));
                assertEquals("7", producer.get("linger.ms"));
                assertEquals(c.exactlyOnceDelivery() ? Long.toString(AbTestJob.TRANSACTION_TIMEOUT_MS) : null,
                        producer.get("transaction.timeout.ms"), kind);
            }
        }
    }

    @Test
    void kafkaPropertiesSecretsStayOutOfTheJobParameters() throws Exception {
        JobConfig c = config("--kafka-properties", KafkaSecrets.encode(KafkaSecrets.text()));
        StreamExecutionEnvironment env = env(c);
        Map<String, String> params = env.getConfig().getGlobalJobParameters().toMap();
        assertEquals(c.asMap(), params);
        assertEquals(KafkaSecrets.DESCRIPTION, params.get("kafka-properties"));
        for (Map.Entry<String, String> e : params.entrySet()) {
            KafkaSecrets.assertNoSecret("job parameter " + e.getKey(), e.getKey() + "=" + e.getValue());
        }
        // What the JobManager gets, and so shows under user-config of GET /jobs/:id/config.
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("test");
        ExecutionConfig shipped = graph.getJobGraph().getSerializedExecutionConfig()
                .deserializeValue(getClass().getClassLoader());
        Map<String, String> shippedParams = shipped.getGlobalJobParameters().toMap();
        assertEquals(KafkaSecrets.DESCRIPTION, shippedParams.get("kafka-properties"));
        KafkaSecrets.assertNoSecret("shipped job parameters", shippedParams.toString());
        KafkaSecrets.assertNoSecret("shipped execution config", shipped.toString());
    }

    @Test
    void noKafkaPropertiesByDefault() {
        JobConfig c = config("--checkpoint-interval-ms", "1000", "--delivery", "exactly_once");
        assertTrue(AbTestJob.kafkaClientProperties(c).isEmpty());
        assertEquals("", env(c).getConfig().getGlobalJobParameters().toMap().get("kafka-properties"));
        Map<String, String> source = KafkaSourceAccess.clientProperties(AbTestJob.kafkaSource(c)).toMap();
        Map<String, String> producer = map(KafkaSinkAccess.producerConfig(AbTestJob.kafkaSink(c, "up", "updates")));
        for (String k : KafkaSecrets.SETTINGS.keySet()) {
            assertFalse(source.containsKey(k), "source " + k);
            assertFalse(producer.containsKey(k), "sink " + k);
        }
        assertEquals("k:9092", producer.get("bootstrap.servers"));
        assertEquals("5", producer.get("linger.ms"));
    }

    @Test
    void stateBackendKeysAreTheFlink2Names() {
        assertEquals("state.backend.type", StateBackendOptions.STATE_BACKEND.key());
        assertEquals("execution.checkpointing.incremental", CheckpointingOptions.INCREMENTAL_CHECKPOINTS.key());
        assertEquals(List.of("hashmap"), List.of(config().stateBackend));
    }

    /** Job vertex name → parallelism (a chained vertex is named after all its operators). */
    private static Map<String, Integer> vertexParallelism(StreamExecutionEnvironment env) {
        Map<String, Integer> m = new TreeMap<>();
        for (JobVertex v : jobGraph(env).getVertices()) {
            m.put(v.getName(), v.getParallelism());
        }
        return m;
    }

    /** Operator name → uid of the StreamGraph's nodes (a sink's writer is "<name>: Writer"). */
    private static Map<String, String> uids(StreamExecutionEnvironment env) {
        Map<String, String> m = new TreeMap<>();
        for (StreamNode n : env.getStreamGraph().getStreamNodes()) {
            m.put(n.getOperatorName(), n.getTransformationUID());
        }
        return m;
    }

    private static StreamNode node(StreamGraph graph, String operatorName) {
        return graph.getStreamNodes().stream()
                .filter(n -> n.getOperatorName().equals(operatorName))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no operator " + operatorName));
    }

    @Test
    void perStageParallelismShowsInTheJobVertices() {
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe", 2, "counts", 2,
                        "updates-sink: Writer", 2, "windows -> windows-sink: Writer", 2),
                vertexParallelism(env(config())));
        // Each sink follows its upstream operator (the windows sink chains to it; the updates
        // sink, fed by a union, is a vertex of its own).
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe", 3, "counts", 1,
                        "updates-sink: Writer", 1, "windows -> windows-sink: Writer", 4),
                vertexParallelism(env(config("--parallelism-dedupe", "3", "--parallelism-counts", "1",
                        "--parallelism-windows", "4"))));
        // Salted: windows-merge follows windows.
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe", 3, "counts", 1,
                        "updates-sink: Writer", 1, "windows", 4, "windows-merge -> windows-sink: Writer", 4),
                vertexParallelism(env(config("--skew-mitigation", "salted", "--parallelism-dedupe", "3",
                        "--parallelism-counts", "1", "--parallelism-windows", "4"))));
        // Only one stage set: the others keep the default.
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe", 2, "counts", 2,
                        "updates-sink: Writer", 2, "windows", 5, "windows-merge -> windows-sink: Writer", 5),
                vertexParallelism(env(config("--skew-mitigation", "salted", "--parallelism-windows", "5"))));
        // Both outputs off: the discarding sink follows dedupe.
        JobConfig c = config("--parallelism-dedupe", "3");
        StreamExecutionEnvironment env = new StreamExecutionEnvironment();
        env.setParallelism(2);
        AbTestJob job = new AbTestJob(c, new DataGeneratorSource<>(
                i -> Events.flush(0), 1, TypeInformation.of(EmailEvent.class)), null, null);
        job.configure(env);
        job.build(env);
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe -> discard-sink: Writer", 3),
                vertexParallelism(env));
    }

    @Test
    void scoringFollowsDedupeOnlyWithACost() {
        // Off by default: the topology has no scoring operator.
        assertFalse(uids(env(config())).containsKey("scoring"));
        // On: chained to dedupe at dedupe's parallelism, before the fork to counts and windows.
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe -> scoring", 2, "counts", 2,
                        "updates-sink: Writer", 2, "windows -> windows-sink: Writer", 2),
                vertexParallelism(env(config("--cost-per-event-us", "200"))));
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe -> scoring", 3, "counts", 1,
                        "updates-sink: Writer", 1, "windows", 4, "windows-merge -> windows-sink: Writer", 4),
                vertexParallelism(env(config("--cost-per-event-us", "200", "--skew-mitigation", "salted",
                        "--parallelism-dedupe", "3", "--parallelism-counts", "1", "--parallelism-windows", "4"))));
        assertEquals("scoring", uids(env(config("--cost-per-event-us", "1"))).get("scoring"));
        // Without chaining it is a vertex of its own, still at dedupe's parallelism.
        Map<String, Integer> unchained = vertexParallelism(env(config("--cost-per-event-us", "200",
                "--chaining", "false", "--parallelism-dedupe", "3")));
        assertEquals(3, unchained.get("dedupe"));
        assertEquals(3, unchained.get("scoring"));
        // Every path downstream of dedupe reads the scored stream: scoring is dedupe's only successor,
        // and it feeds both counts and windows.
        StreamGraph graph = env(config("--cost-per-event-us", "200")).getStreamGraph();
        StreamNode dedupe = node(graph, "dedupe");
        StreamNode scoring = node(graph, "scoring");
        assertEquals(List.of(scoring.getId()),
                dedupe.getOutEdges().stream().map(e -> e.getTargetId()).collect(java.util.stream.Collectors.toList()));
        assertEquals(new java.util.TreeSet<>(List.of(node(graph, "counts").getId(), node(graph, "windows").getId())),
                scoring.getOutEdges().stream().map(e -> e.getTargetId())
                        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)));
        // Both outputs off: scoring still runs, before the discarding sink.
        StreamExecutionEnvironment env = new StreamExecutionEnvironment();
        env.setParallelism(2);
        AbTestJob job = new AbTestJob(config("--cost-per-event-us", "200", "--parallelism-dedupe", "3"),
                new DataGeneratorSource<>(i -> Events.flush(0), 1, TypeInformation.of(EmailEvent.class)), null, null);
        job.configure(env);
        job.build(env);
        assertEquals(Map.of("Source: events-source -> late-filter", 2, "dedupe -> scoring -> discard-sink: Writer", 3),
                vertexParallelism(env));
    }

    @Test
    void connectorUidsArePerRunAndStatefulOperatorUidsFixed() {
        Map<String, String> expected = new TreeMap<>(Map.of(
                "Source: events-source", "events-source-run-42",
                "late-filter", "late-filter",
                "dedupe", "dedupe",
                "counts", "counts",
                "windows", "windows",
                "updates-sink: Writer", "updates-sink-run-42",
                "windows-sink: Writer", "windows-sink-run-42"));
        assertEquals(expected, uids(env(config())));
        expected.put("windows-merge", "windows-merge");
        assertEquals(expected, uids(env(config("--skew-mitigation", "salted", "--window-kind", "sliding",
                "--window-slide-ms", "2000", "--allowed-lateness-ms", "1000"))));
        Map<String, String> otherRun = uids(env(JobConfig.parse("--bootstrap-servers", "k:9092", "--input-topic", "in",
                "--updates-topic", "up", "--windows-topic", "win", "--group-id", "run-43")));
        assertEquals("events-source-run-43", otherRun.get("Source: events-source"));
        assertEquals("updates-sink-run-43", otherRun.get("updates-sink: Writer"));
        assertEquals("windows-sink-run-43", otherRun.get("windows-sink: Writer"));
        assertEquals("dedupe", otherRun.get("dedupe"));
    }

    @Test
    void serializerPojoByDefaultKryoWhenForced() throws Exception {
        for (String serializer : new String[] {"pojo", "kryo"}) {
            boolean kryo = "kryo".equals(serializer);
            Class<?> expected = kryo ? KryoSerializer.class : PojoSerializer.class;
            StreamExecutionEnvironment env = env(config("--serializer", serializer));
            assertEquals(kryo, env.getConfig().getSerializerConfig().isForceKryoEnabled());
            assertInstanceOf(expected, TypeInformation.of(EmailEvent.class)
                    .createSerializer(env.getConfig().getSerializerConfig()));
            // The network exchanges: what the keyed operators deserialize their input with.
            StreamGraph graph = env.getStreamGraph();
            for (String op : new String[] {"dedupe", "counts", "windows"}) {
                assertInstanceOf(expected, node(graph, op).getTypeSerializersIn()[0], serializer + " " + op);
            }
            // What the JobManager and the tasks get (their runtime contexts create serializers from it).
            graph.setJobName("test");
            ExecutionConfig shipped = graph.getJobGraph().getSerializedExecutionConfig()
                    .deserializeValue(getClass().getClassLoader());
            assertEquals(kryo, shipped.getSerializerConfig().isForceKryoEnabled());
            assertInstanceOf(expected, TypeInformation.of(EmailEvent.class)
                    .createSerializer(shipped.getSerializerConfig()));
        }
        // Salted: the partials follow the same setting (they stay a POJO type otherwise).
        StreamGraph salted = env(config("--skew-mitigation", "salted", "--serializer", "kryo")).getStreamGraph();
        assertInstanceOf(KryoSerializer.class, node(salted, "windows-merge").getTypeSerializersIn()[0]);
        assertInstanceOf(PojoSerializer.class,
                node(env(config("--skew-mitigation", "salted")).getStreamGraph(), "windows-merge")
                        .getTypeSerializersIn()[0]);
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(WindowPartial.class));
    }
}
