package dev.abload.jobs.ab;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The email A/B-test job abload benchmarks (topology and wire format: DESIGN.md).
 *
 * <pre>
 * source (parse, per-partition watermarks) → late filter ─┬→ keyBy(campaign, recipient) dedupe
 *                                                         │     ├→ keyBy(campaign, variant) counts ─┐
 *                                                         │     └→ keyBy(campaign, variant) windows → windows sink
 *                                                         └→ late updates ─────────────── union ───┴→ updates sink
 * </pre>
 *
 * <p>The source and sinks are constructor arguments (the flink-training pattern) so that tests
 * run the very same topology on bounded in-memory sources and collecting sinks; {@link #main}
 * wires the Kafka ones. Every operator has a fixed {@code uid} so savepoints stay compatible.
 */
public class AbTestJob {
    private static final Logger LOG = LoggerFactory.getLogger(AbTestJob.class);

    /** Kafka producer transaction timeout of exactly-once sinks; must not exceed the broker's
     *  {@code transaction.max.timeout.ms} (15 min by default). */
    static final long TRANSACTION_TIMEOUT_MS = 600_000;

    private final JobConfig config;
    private final Source<EmailEvent, ?, ?> source;
    private final Sink<String> updatesSink;
    private final Sink<String> windowsSink;

    /**
     * @param config parsed arguments (only the non-Kafka ones matter here)
     * @param source the input events, already parsed
     * @param updatesSink per-event update records, or {@code null} for no updates output
     * @param windowsSink window records, or {@code null} for no windows output
     */
    public AbTestJob(
            JobConfig config, Source<EmailEvent, ?, ?> source, Sink<String> updatesSink, Sink<String> windowsSink) {
        this.config = config;
        this.source = source;
        this.updatesSink = updatesSink;
        this.windowsSink = windowsSink;
    }

    public static void main(String[] args) throws Exception {
        JobConfig config = JobConfig.parse(args);
        LOG.info("Starting with {}", config);
        new AbTestJob(
                        config,
                        kafkaSource(config),
                        config.updatesEnabled() ? kafkaSink(config, config.updatesTopic, "updates") : null,
                        config.windowsEnabled() ? kafkaSink(config, config.windowsTopic, "windows") : null)
                .execute(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    /** Applies the environment settings of the config, builds the topology and runs it. */
    public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
        configure(env);
        build(env);
        return env.execute(config.jobName);
    }

    /**
     * Applies the environment settings of the config (checkpointing, state backend, network
     * buffer timeout, object reuse, chaining, max parallelism) and registers every argument as
     * a global job parameter, so that all of them show under {@code user-config} in the REST
     * API's {@code GET /jobs/:id/config}.
     */
    public void configure(StreamExecutionEnvironment env) {
        // Job-level configuration first: env.configure also re-applies any checkpoint and
        // execution options present in it, which must not override the explicit settings below.
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, config.stateBackend);
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, config.incrementalCheckpoints);
        env.configure(conf);

        if (config.checkpointingEnabled()) {
            env.enableCheckpointing(config.checkpointIntervalMs);
            CheckpointConfig checkpoints = env.getCheckpointConfig();
            checkpoints.setCheckpointingConsistencyMode("exactly_once".equals(config.checkpointMode)
                    ? CheckpointingMode.EXACTLY_ONCE
                    : CheckpointingMode.AT_LEAST_ONCE);
            checkpoints.setCheckpointTimeout(config.checkpointTimeoutMs);
            checkpoints.setMinPauseBetweenCheckpoints(config.checkpointMinPauseMs);
            checkpoints.enableUnalignedCheckpoints(config.unalignedCheckpoints);
        }
        if (config.bufferTimeoutMs != -2) {
            env.setBufferTimeout(config.bufferTimeoutMs);
        }
        if (config.objectReuse) {
            env.getConfig().enableObjectReuse();
        } else {
            env.getConfig().disableObjectReuse();
        }
        if (!config.chaining) {
            env.disableOperatorChaining();
        }
        if (config.maxParallelism > 0) {
            env.setMaxParallelism(config.maxParallelism);
        }
        env.getConfig().setGlobalJobParameters(Configuration.fromMap(config.asMap()));
    }

    /** Adds the job's topology to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        WatermarkStrategy<EmailEvent> watermarks = WatermarkStrategy
                .<EmailEvent>forBoundedOutOfOrderness(Duration.ofMillis(config.outOfOrdernessMs))
                .withTimestampAssigner((e, recordTs) -> e.eventTimeMs);
        if (config.idlenessMs > 0) {
            watermarks = watermarks.withIdleness(Duration.ofMillis(config.idlenessMs));
        }

        // Giving the strategy to fromSource (not assignTimestampsAndWatermarks) keeps
        // watermarks per Kafka partition inside the source.
        DataStream<EmailEvent> events = env
                .fromSource(source, watermarks, "events-source", TypeInformation.of(EmailEvent.class))
                .uid("events-source")
                .name("events-source");

        SingleOutputStreamOperator<EmailEvent> onTime = events
                .process(new LateEventFilter())
                .uid("late-filter")
                .name("late-filter");

        SingleOutputStreamOperator<EmailEvent> deduped = onTime
                .keyBy(new Keys.CampaignRecipient(), Keys.CampaignRecipient.TYPE)
                .process(new DedupeFunction(config.dedupeTtlMs))
                .uid("dedupe")
                .name("dedupe");

        if (updatesSink != null) {
            DataStream<String> updates = deduped
                    .keyBy(new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE)
                    .process(new CountsFunction())
                    .uid("counts")
                    .name("counts");
            updates.union(onTime.getSideOutput(LateEventFilter.LATE))
                    .sinkTo(updatesSink)
                    .uid("updates-sink")
                    .name("updates-sink");
        }

        if (windowsSink != null) {
            deduped.keyBy(new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE)
                    .window(TumblingEventTimeWindows.of(Duration.ofMillis(config.windowSizeMs)))
                    .aggregate(new WindowCountsAggregate(), new WindowResultFunction())
                    .uid("windows")
                    .name("windows")
                    .sinkTo(windowsSink)
                    .uid("windows-sink")
                    .name("windows-sink");
        }

        if (updatesSink == null && windowsSink == null) {
            // Both outputs off: still run parsing, late filter and dedupe (a source-side baseline).
            LOG.warn("Both --updates-topic and --windows-topic are empty: output is discarded");
            deduped.sinkTo(new DiscardingSink<>()).uid("discard-sink").name("discard-sink");
        }
    }

    /** The input: earliest offsets, value-only JSON parsing into {@link EmailEvent}. */
    static KafkaSource<EmailEvent> kafkaSource(JobConfig config) {
        return KafkaSource.<EmailEvent>builder()
                .setBootstrapServers(config.bootstrapServers)
                .setTopics(config.inputTopic)
                .setGroupId(config.groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new EmailEventDeserializationSchema())
                .build();
    }

    /**
     * A string sink to {@code topic}; records get the producer's default timestamp. At-least-once,
     * or with {@code --delivery exactly_once} transactional, with the transactional-id prefix
     * {@code <job-name>-<kind>-<group-id>} (the group id is unique per run, so a new run never
     * fences or aborts the transactions of an earlier one).
     *
     * @param kind {@code updates} or {@code windows}, to keep the two sinks' prefixes apart
     */
    static KafkaSink<String> kafkaSink(JobConfig config, String topic, String kind) {
        KafkaSinkBuilder<String> builder = KafkaSink.<String>builder()
                .setBootstrapServers(config.bootstrapServers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<String>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setProperty("linger.ms", Long.toString(config.sinkLingerMs));
        if (config.exactlyOnceDelivery()) {
            builder.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix(transactionalIdPrefix(config, kind))
                    .setProperty("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT_MS));
        } else {
            builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return builder.build();
    }

    /** {@code <job-name>-<kind>-<group-id>}. */
    static String transactionalIdPrefix(JobConfig config, String kind) {
        return config.jobName + "-" + kind + "-" + config.groupId;
    }
}
