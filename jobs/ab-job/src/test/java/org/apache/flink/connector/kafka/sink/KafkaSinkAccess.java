package org.apache.flink.connector.kafka.sink;

import java.util.Properties;

/**
 * Test-only: the producer properties of a built {@link KafkaSink} (its writers' and committers'
 * producers; protected {@code getKafkaProducerConfig()}, reached from the same package, no
 * reflection).
 */
public final class KafkaSinkAccess {
    private KafkaSinkAccess() {}

    public static Properties producerConfig(KafkaSink<?> sink) {
        return sink.getKafkaProducerConfig();
    }
}
