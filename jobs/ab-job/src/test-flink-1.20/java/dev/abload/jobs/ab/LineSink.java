package dev.abload.jobs.ab;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/** A Sink v2 for tests on Flink 1.20, whose writer is made from an {@code InitContext} (tests only). */
abstract class LineSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    abstract SinkWriter<T> writer();

    @Override
    public SinkWriter<T> createWriter(InitContext context) {
        return writer();
    }
}
