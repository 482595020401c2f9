package dev.abload.jobs.sql;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only table connector {@code 'abload-test'}, standing in for Kafka in tests that run real
 * SQL on a MiniCluster (same JVM, so static maps carry the data):
 *
 * <ul>
 *   <li>source: the records registered under {@code 'data-id'} in {@link #INPUTS}, decoded with
 *       the table's real {@code 'format'} (and its options, e.g. {@code json.ignore-parse-errors})
 *       at planning time (records the format drops, e.g. malformed ones, are left out), then
 *       emitted in order by one rate-limited generator split ({@code 'rows-per-second'}, 0 =
 *       unlimited). Like the Kafka source it takes the table's watermark strategy (watermark
 *       push-down), so one generator in the source makes the watermarks for every branch of
 *       the plan;
 *   <li>sink: insert-only (the planner refuses a query that would retract), every row encoded
 *       with the table's real {@code 'format'} and appended to {@link #OUTPUTS} under {@code
 *       'data-id'}.
 * </ul>
 */
public final class TestTableFactory implements DynamicTableSourceFactory, DynamicTableSinkFactory {
    public static final String IDENTIFIER = "abload-test";

    static final ConfigOption<String> DATA_ID = ConfigOptions.key("data-id").stringType().noDefaultValue();
    static final ConfigOption<Double> ROWS_PER_SECOND =
            ConfigOptions.key("rows-per-second").doubleType().defaultValue(0.0);

    /** Raw input records per data id (set by the test before planning). */
    static final Map<String, List<byte[]>> INPUTS = new ConcurrentHashMap<>();
    /** The decoded input rows per data id (set when the source is planned). */
    static final Map<String, List<RowData>> DECODED = new ConcurrentHashMap<>();
    /** Encoded output records per data id. */
    static final Map<String, List<String>> OUTPUTS = new ConcurrentHashMap<>();

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(DATA_ID, FactoryUtil.FORMAT);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(ROWS_PER_SECOND);
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format =
                helper.discoverDecodingFormat(DeserializationFormatFactory.class, FactoryUtil.FORMAT);
        helper.validate();
        return new TestSource(helper.getOptions().get(DATA_ID), helper.getOptions().get(ROWS_PER_SECOND), format,
                context.getPhysicalRowDataType());
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        EncodingFormat<SerializationSchema<RowData>> format =
                helper.discoverEncodingFormat(SerializationFormatFactory.class, FactoryUtil.FORMAT);
        helper.validate();
        return new TestSink(helper.getOptions().get(DATA_ID), format, context.getPhysicalRowDataType());
    }

    /** The records written under {@code id} so far (a copy). */
    static List<String> outputs(String id) {
        List<String> out = OUTPUTS.get(id);
        if (out == null) {
            return List.of();
        }
        synchronized (out) {
            return new ArrayList<>(out);
        }
    }

    /** Forgets the outputs under {@code id}. */
    static void clear(String id) {
        OUTPUTS.remove(id);
    }

    private static final class Init implements DeserializationSchema.InitializationContext {
        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(TestTableFactory.class.getClassLoader());
        }
    }

    private static final class TestSource implements ScanTableSource, SupportsWatermarkPushDown {
        private final String id;
        private final double rowsPerSecond;
        private final DecodingFormat<DeserializationSchema<RowData>> format;
        private final DataType physicalType;
        private WatermarkStrategy<RowData> watermarks = WatermarkStrategy.noWatermarks();

        TestSource(String id, double rowsPerSecond, DecodingFormat<DeserializationSchema<RowData>> format,
                DataType physicalType) {
            this.id = id;
            this.rowsPerSecond = rowsPerSecond;
            this.format = format;
            this.physicalType = physicalType;
        }

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.insertOnly();
        }

        @Override
        public void applyWatermark(WatermarkStrategy<RowData> watermarkStrategy) {
            this.watermarks = watermarkStrategy;
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext ctx) {
            List<byte[]> records = INPUTS.get(id);
            if (records == null) {
                throw new IllegalStateException("no test input registered under data-id " + id);
            }
            DeserializationSchema<RowData> decoder = format.createRuntimeDecoder(ctx, physicalType);
            List<RowData> rows = new ArrayList<>();
            try {
                decoder.open(new Init());
                ListCollector<RowData> collector = new ListCollector<>(rows);
                for (byte[] r : records) {
                    decoder.deserialize(r, collector);
                }
                rows.removeIf(r -> r == null); // a dropped record may come out as null
            } catch (Exception e) {
                throw new IllegalStateException("decoding the test input " + id, e);
            }
            DECODED.put(id, rows);
            TypeInformation<RowData> type = ctx.createTypeInformation(physicalType);
            DataGeneratorSource<RowData> source = new DataGeneratorSource<>(
                    new Rows(id),
                    rows.size(),
                    rowsPerSecond > 0 ? RateLimiterStrategy.perSecond(rowsPerSecond) : RateLimiterStrategy.noOp(),
                    type);
            WatermarkStrategy<RowData> strategy = new EveryRecord<>(watermarks);
            return new DataStreamScanProvider() {
                @Override
                public DataStream<RowData> produceDataStream(ProviderContext context, StreamExecutionEnvironment env) {
                    return env.fromSource(source, strategy, IDENTIFIER + "-" + id, type);
                }

                @Override
                public boolean isBounded() {
                    return true;
                }
            };
        }

        @Override
        public DynamicTableSource copy() {
            TestSource copy = new TestSource(id, rowsPerSecond, format, physicalType);
            copy.watermarks = watermarks;
            return copy;
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER + "(" + id + ")";
        }
    }

    /**
     * The planner's watermark strategy (the script's WATERMARK clause), its watermark emitted
     * after every record rather than once per auto-watermark interval. The tests' deliberately
     * late rows are then late whatever the machine's load: with periodic emission, a busy machine
     * once delayed the source's 20 ms watermark timer past the padding rows and the late row
     * after them, which the job then took as on time. Emitting more often changes nothing else:
     * on-time rows are never behind the watermark either way.
     */
    private static final class EveryRecord<T> implements WatermarkStrategy<T> {
        private static final long serialVersionUID = 1L;
        private final WatermarkStrategy<T> inner;

        EveryRecord(WatermarkStrategy<T> inner) {
            this.inner = inner;
        }

        @Override
        public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context ctx) {
            WatermarkGenerator<T> g = inner.createWatermarkGenerator(ctx);
            return new WatermarkGenerator<T>() {
                @Override
                public void onEvent(T event, long timestamp, WatermarkOutput out) {
                    g.onEvent(event, timestamp, out);
                    g.onPeriodicEmit(out);
                }

                @Override
                public void onPeriodicEmit(WatermarkOutput out) {
                    g.onPeriodicEmit(out);
                }
            };
        }

        @Override
        public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context ctx) {
            return inner.createTimestampAssigner(ctx);
        }
    }

    private static final class Rows implements GeneratorFunction<Long, RowData> {
        private static final long serialVersionUID = 1L;
        private final String id;

        Rows(String id) {
            this.id = id;
        }

        @Override
        public RowData map(Long index) {
            return DECODED.get(id).get(index.intValue());
        }
    }

    private static final class TestSink implements DynamicTableSink {
        private final String id;
        private final EncodingFormat<SerializationSchema<RowData>> format;
        private final DataType physicalType;

        TestSink(String id, EncodingFormat<SerializationSchema<RowData>> format, DataType physicalType) {
            this.id = id;
            this.format = format;
            this.physicalType = physicalType;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.insertOnly();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context ctx) {
            return SinkV2Provider.of(new CollectingSink(id, format.createRuntimeEncoder(ctx, physicalType)));
        }

        @Override
        public DynamicTableSink copy() {
            return new TestSink(id, format, physicalType);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER + "(" + id + ")";
        }
    }

    private static final class CollectingSink extends LineSink<RowData> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final SerializationSchema<RowData> encoder;

        CollectingSink(String id, SerializationSchema<RowData> encoder) {
            this.id = id;
            this.encoder = encoder;
        }

        @Override
        SinkWriter<RowData> writer(SerializationSchema.InitializationContext context) throws IOException {
            try {
                encoder.open(context);
            } catch (Exception e) {
                throw new IOException(e);
            }
            List<String> out = OUTPUTS.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()));
            return new SinkWriter<>() {
                @Override
                public void write(RowData row, Context ctx) {
                    out.add(new String(encoder.serialize(row), StandardCharsets.UTF_8));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
