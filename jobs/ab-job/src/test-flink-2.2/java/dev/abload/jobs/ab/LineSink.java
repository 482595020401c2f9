package dev.abload.jobs.ab;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/** A Sink v2 for tests on Flink 2.2, whose writer is made from a {@code WriterInitContext} (tests only). */
abstract class LineSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    abstract SinkWriter<T> writer();

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return writer();
    }
}
