package dev.abload.jobs.ab;

import org.apache.flink.api.connector.sink2.SinkWriter;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Test sink collecting strings into a static queue per sink name: the MiniCluster runs in
 * this JVM, so the test reads what all sink subtasks wrote once the job has finished.
 */
final class CollectSink extends LineSink<String> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, ConcurrentLinkedQueue<String>> RESULTS = new ConcurrentHashMap<>();

    private final String name;

    CollectSink(String name) {
        this.name = name;
        RESULTS.put(name, new ConcurrentLinkedQueue<>());
    }

    /** Everything written so far, in arrival order (per writer subtask order is preserved). */
    List<String> results() {
        return List.copyOf(RESULTS.get(name));
    }

    @Override
    SinkWriter<String> writer() {
        ConcurrentLinkedQueue<String> queue = RESULTS.get(name);
        return new SinkWriter<>() {
            @Override
            public void write(String element, Context ctx) {
                queue.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
