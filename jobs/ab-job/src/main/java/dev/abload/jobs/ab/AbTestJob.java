package dev.abload.jobs.ab;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Properties;

/**
 * The email A/B-test job abload benchmarks (topology and wire format: DESIGN.md).
 *
 * <pre>
 * source (parse, per-partition watermarks) → late filter ─┬→ keyBy(campaign, recipient) dedupe [→ scoring]
 *                                                         │     ├→ keyBy(campaign, variant) counts ──────┐
 *                                                         │     └→ windows path (below) → windows sink   │
 *                                                         └→ late updates ─────────────────── union ─────┴→ updates sink
 *
 * windows path, --skew-mitigation none (default):
 *   keyBy(campaign, variant) windows ─────────────────────────────────────────────────────────→ windows sink
 * windows path, --skew-mitigation salted (two-phase aggregation):
 *   keyBy(campaign, variant, salt) windows ─(one partial per salt and window)→
 *       keyBy(campaign, variant) windows-merge ─(one record per window)─────────────────────────→ windows sink
 * </pre>
 *
 * <p>With {@code --cost-per-event-us N > 0} a stateless {@code scoring} operator ({@link
 * ScoringFunction}) follows dedupe at dedupe's parallelism (so it chains to it) and spends a
 * calibrated N µs of CPU on every de-duplicated event, before the counts and windows paths fork;
 * with N = 0 it is not in the topology at all. {@code --updates-sample N} keeps only the updates
 * (counted and late) of events with {@code seq % N == 0}; the counts still include every event.
 *
 * <p>The windows are event-time tumbling (default), sliding or session windows
 * ({@code --window-kind}) with an optional allowed lateness; every window record has the same
 * format whichever kind and path produced it. {@code --parallelism-dedupe}, {@code -counts} and
 * {@code -windows} set the parallelism of those stages (windows-merge follows windows); each
 * sink takes its upstream operator's parallelism so that it can chain to it (the windows sink
 * does; the updates sink, fed by a union, stays a vertex of its own).
 *
 * <p>The source and sinks are constructor arguments (the flink-training pattern) so that tests
 * run the very same topology on bounded in-memory sources and collecting sinks; {@link #main}
 * wires the Kafka ones. {@code --kafka-properties} (TLS and SASL settings, see {@link
 * KafkaProperties}) applies to the Kafka source and both Kafka sinks; the job parameters show
 * only its keys, with the values redacted.
 *
 * <p><b>Operator uids and savepoints.</b> The stateful operators have fixed uids
 * ({@code late-filter}, {@code dedupe}, {@code counts}, {@code windows}, {@code windows-merge};
 * the stateless {@code scoring} too),
 * so a savepoint of one run restores their state into the next. The Kafka source and the two
 * Kafka sinks instead have uids ending in {@code "-" + group id} ({@code events-source-<group
 * id>}, {@code updates-sink-<group id>}, {@code windows-sink-<group id>}; their names stay
 * {@code events-source}, {@code updates-sink}, {@code windows-sink}): each benchmark run reads
 * and writes new topics with a new group id, so their state (the source's splits and offsets,
 * the sinks' transactions) must never be restored into another run. Restoring a savepoint of
 * an earlier run therefore needs {@code allowNonRestoredState}, which drops exactly the
 * connector state. Restoring across a change of {@code --serializer} (POJO vs Kryo state) or
 * {@code --skew-mitigation} (the {@code windows} key changes from (campaign, variant) to
 * (campaign, variant, salt)) is not state-compatible; across a change of {@code --window-kind}
 * it is not supported either (the new assigner would read the old windows' state).
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
     * Applies the environment settings of the config (checkpointing, state backend, serializer,
     * network buffer timeout, object reuse, chaining, max parallelism) and registers every
     * argument as a global job parameter, so that all of them show under {@code user-config} in
     * the REST API's {@code GET /jobs/:id/config}.
     */
    public void configure(StreamExecutionEnvironment env) {
        // Job-level configuration first: env.configure also re-applies any checkpoint and
        // execution options present in it, which must not override the explicit settings below.
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, config.stateBackend);
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, config.incrementalCheckpoints);
        // --serializer kryo: PojoTypeInfo then creates a KryoSerializer, for the events on every
        // network exchange and for every POJO in state (set explicitly both ways, so a cluster
        // default cannot change what the argument says).
        conf.set(PipelineOptions.FORCE_KRYO, config.forceKryo());
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
                .uid(perRunUid("events-source"))
                .name("events-source");

        SingleOutputStreamOperator<EmailEvent> onTime = events
                .process(new LateEventFilter(config.allowedLatenessMs, config.checkpointSyncPauseMs))
                .uid("late-filter")
                .name("late-filter");

        SingleOutputStreamOperator<EmailEvent> deduped = withParallelism(onTime
                .keyBy(new Keys.CampaignRecipient(), Keys.CampaignRecipient.TYPE)
                .process(new DedupeFunction(config.dedupeTtlMs))
                .uid("dedupe")
                .name("dedupe"), config.parallelismDedupe);
        if (config.scoringEnabled()) {
            // After dedupe and before the fork: every non-late event is scored exactly once,
            // whichever outputs and windows path are on.
            deduped = withParallelism(deduped
                    .map(new ScoringFunction(config.costPerEventUs), TypeInformation.of(EmailEvent.class))
                    .uid("scoring")
                    .name("scoring"), config.parallelismDedupe);
        }

        if (updatesSink != null) {
            DataStream<String> updates = withParallelism(deduped
                    .keyBy(new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE)
                    .process(new CountsFunction(config.updatesSample))
                    .uid("counts")
                    .name("counts"), config.parallelismCounts);
            withParallelism(updates.union(onTime.getSideOutput(LateEventFilter.LATE))
                    .sinkTo(updatesSink)
                    .uid(perRunUid("updates-sink"))
                    .name("updates-sink"), config.parallelismCounts);
        }

        if (windowsSink != null) {
            withParallelism(windows(deduped, config)
                    .sinkTo(windowsSink)
                    .uid(perRunUid("windows-sink"))
                    .name("windows-sink"), config.parallelismWindows);
        }

        if (updatesSink == null && windowsSink == null) {
            // Both outputs off: still run parsing, late filter, dedupe (and scoring): a source-side baseline.
            LOG.warn("Both --updates-topic and --windows-topic are empty: output is discarded");
            withParallelism(deduped.sinkTo(new DiscardingSink<>()).uid("discard-sink").name("discard-sink"),
                    config.parallelismDedupe);
        }
    }

    /** {@code base + "-" + group id}: the uid of a connector whose state belongs to this run only. */
    private String perRunUid(String base) {
        return base + "-" + config.groupId;
    }

    /**
     * The windows path from the de-duplicated events to the window records: one operator
     * ({@code windows}), or with {@code --skew-mitigation salted} two ({@code windows} per
     * (campaign, variant, salt), then {@code windows-merge} per (campaign, variant)). Returns the
     * last operator, with {@code --parallelism-windows} applied.
     */
    static SingleOutputStreamOperator<String> windows(DataStream<EmailEvent> deduped, JobConfig config) {
        if (!config.salted()) {
            WindowedStream<EmailEvent, Tuple2<Integer, String>, TimeWindow> windowed = withLateness(deduped
                    .keyBy(new Keys.CampaignVariant(), Keys.CampaignVariant.TYPE)
                    .window(windowAssigner(config)), config);
            return withParallelism(windowed
                    .aggregate(new WindowCountsAggregate(), new WindowResultFunction())
                    .uid("windows")
                    .name("windows"), config.parallelismWindows);
        }
        // Phase 1: the same windows per (campaign, variant, salt), so a hot (campaign, variant)
        // spreads over up to --salts keys (and subtasks).
        WindowedStream<EmailEvent, Tuple3<Integer, String, Integer>, TimeWindow> salted = withLateness(deduped
                .keyBy(new Keys.CampaignVariantSalt(config.salts), Keys.CampaignVariantSalt.TYPE)
                .window(windowAssigner(config)), config);
        TypeInformation<WindowAccumulator> accType = TypeInformation.of(WindowAccumulator.class);
        SingleOutputStreamOperator<WindowPartial> partials = withParallelism(salted
                .aggregate(new WindowCountsAggregate(), new PartialWindowFunction(),
                        accType, accType, TypeInformation.of(WindowPartial.class))
                .uid("windows")
                .name("windows"), config.parallelismWindows);
        // Phase 2: one record per (campaign, variant) and window, merged from the salts' partials.
        return withParallelism(partials
                .keyBy(new Keys.PartialCampaignVariant(), Keys.PartialCampaignVariant.TYPE)
                .process(new WindowMergeFunction(config.allowedLatenessMs), Types.STRING)
                .uid("windows-merge")
                .name("windows-merge"), config.parallelismWindows);
    }

    /** The event-time window assigner of {@code --window-kind}. */
    static WindowAssigner<Object, TimeWindow> windowAssigner(JobConfig config) {
        switch (config.windowKind) {
            case "sliding":
                return SlidingEventTimeWindows.of(
                        Duration.ofMillis(config.windowSizeMs), Duration.ofMillis(config.windowSlideMs));
            case "session":
                return EventTimeSessionWindows.withGap(Duration.ofMillis(config.windowGapMs));
            default:
                return TumblingEventTimeWindows.of(Duration.ofMillis(config.windowSizeMs));
        }
    }

    private static <K> WindowedStream<EmailEvent, K, TimeWindow> withLateness(
            WindowedStream<EmailEvent, K, TimeWindow> windowed, JobConfig config) {
        return config.allowedLatenessMs > 0
                ? windowed.allowedLateness(Duration.ofMillis(config.allowedLatenessMs))
                : windowed;
    }

    /** Sets {@code parallelism} on {@code op} unless it is 0 (the job's default). */
    private static <T> SingleOutputStreamOperator<T> withParallelism(SingleOutputStreamOperator<T> op, int parallelism) {
        return parallelism > 0 ? op.setParallelism(parallelism) : op;
    }

    private static <T> DataStreamSink<T> withParallelism(DataStreamSink<T> sink, int parallelism) {
        return parallelism > 0 ? sink.setParallelism(parallelism) : sink;
    }

    /**
     * The Kafka client settings of every Kafka client of the job (the source's consumers and
     * admin client, the sinks' producers, transactional or not): {@code --kafka-properties}
     * decoded, a fresh copy (empty by default). They carry secrets: never log them. They cannot
     * collide with the job's own settings ({@link JobConfig} refuses those keys), and are applied
     * first anyway, so the job's settings would win.
     */
    static Properties kafkaClientProperties(JobConfig config) {
        return config.kafkaProperties();
    }

    /** The input: earliest offsets, value-only JSON parsing into {@link EmailEvent}. */
    static KafkaSource<EmailEvent> kafkaSource(JobConfig config) {
        KafkaSourceBuilder<EmailEvent> builder = KafkaSource.<EmailEvent>builder();
        Properties client = kafkaClientProperties(config);
        for (String key : client.stringPropertyNames()) {
            builder.setProperty(key, client.getProperty(key));
        }
        return builder
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
     * fences or aborts the transactions of an earlier one). The {@link #kafkaClientProperties}
     * (TLS, SASL) apply to every producer of the sink, the committers' included.
     *
     * @param kind {@code updates} or {@code windows}, to keep the two sinks' prefixes apart
     */
    static KafkaSink<String> kafkaSink(JobConfig config, String topic, String kind) {
        KafkaSinkBuilder<String> builder = KafkaSink.<String>builder();
        Properties client = kafkaClientProperties(config);
        for (String key : client.stringPropertyNames()) {
            builder.setProperty(key, client.getProperty(key));
        }
        builder.setBootstrapServers(config.bootstrapServers)
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
