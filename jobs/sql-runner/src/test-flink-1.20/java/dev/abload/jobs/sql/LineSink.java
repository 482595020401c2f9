package dev.abload.jobs.sql;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

import java.io.IOException;

/**
 * A Sink v2 for tests, on Flink 1.20: its writer is made from an {@code InitContext} (tests only; the
 * other Flink lines have their own in src/test-flink-&lt;line&gt;).
 */
abstract class LineSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    abstract SinkWriter<T> writer(SerializationSchema.InitializationContext context) throws IOException;

    @Override
    public SinkWriter<T> createWriter(InitContext context) throws IOException {
        return writer(context.asSerializationSchemaInitializationContext());
    }
}
