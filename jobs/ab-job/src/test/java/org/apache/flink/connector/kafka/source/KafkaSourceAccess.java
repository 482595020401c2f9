package org.apache.flink.connector.kafka.source;

import org.apache.flink.configuration.Configuration;

/**
 * Test-only: the Kafka client properties a built {@link KafkaSource} hands to its readers
 * (package-private {@code getConfiguration()}, reached from the same package, no reflection).
 */
public final class KafkaSourceAccess {
    private KafkaSourceAccess() {}

    public static Configuration clientProperties(KafkaSource<?> source) {
        return source.getConfiguration();
    }
}
