package dev.abload.jobs.sql;

import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;

/**
 * A Sink v2 for tests, on Flink 2.2: its writer is made from a {@code WriterInitContext} (tests only; the
 * other Flink lines have their own in src/test-flink-&lt;line&gt;).
 */
abstract class LineSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    abstract SinkWriter<T> writer(SerializationSchema.InitializationContext context) throws IOException;

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return writer(context.asSerializationSchemaInitializationContext());
    }
}
