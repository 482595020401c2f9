package dev.abload.examples.passthrough;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads abload's JSON input events and writes {"seq":N,"intended_ns":M} for each (flush records,
 * seq < 0, are skipped). Args: --bootstrap-servers, --input-topic, --updates-topic.
 */
public class PassthroughJob {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        String servers = required(a, "--bootstrap-servers");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(servers)
                .setTopics(required(a, "--input-topic"))
                .setGroupId("passthrough")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        KafkaSink<String> sink = KafkaSink.<String>builder()
                .setBootstrapServers(servers)
                .setRecordSerializer(KafkaRecordSerializationSchema.builder()
                        .setTopic(required(a, "--updates-topic"))
                        .setValueSerializationSchema(new SimpleStringSchema())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "input").flatMap(new ToUpdate()).sinkTo(sink);
        env.execute("passthrough");
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing " + name
                    + " (usage: --bootstrap-servers HOST:PORT --input-topic T --updates-topic T)");
        }
        return v;
    }

    /** {"seq":N,"intended_ns":M} for an event; nothing for a flush or an unreadable record. */
    static final class ToUpdate implements FlatMapFunction<String, String> {
        @Override
        public void flatMap(String json, Collector<String> out) {
            Long seq = field(json, "seq");
            Long intended = field(json, "intended_ns");
            if (seq != null && intended != null && seq >= 0) {
                out.collect("{\"seq\":" + seq + ",\"intended_ns\":" + intended + "}");
            }
        }

        /** The integer value of top-level field {@code name} (abload's flat JSON), or null. */
        static Long field(String json, String name) {
            int i = json.indexOf("\"" + name + "\"");
            if (i < 0) {
                return null;
            }
            i = json.indexOf(':', i + name.length() + 2);
            if (i < 0) {
                return null;
            }
            int j = i + 1;
            while (j < json.length() && Character.isWhitespace(json.charAt(j))) {
                j++;
            }
            int start = j;
            if (j < json.length() && json.charAt(j) == '-') {
                j++;
            }
            while (j < json.length() && Character.isDigit(json.charAt(j))) {
                j++;
            }
            try {
                return Long.parseLong(json.substring(start, j));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
