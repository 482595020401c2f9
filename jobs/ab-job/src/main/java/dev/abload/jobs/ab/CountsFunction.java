package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the running counts of each (campaign, variant) and emits one update record per
 * (non-late) event, carrying the totals after that event. This per-event output is what the
 * harness measures end-to-end latency on, so it is emitted immediately, not batched.
 *
 * <p>With an updates sample {@code N > 1} ({@code --updates-sample}) only the updates of events
 * with {@code seq % N == 0} are emitted; every event still counts, so a sampled update carries the
 * same totals it would have carried unsampled.
 *
 * <p>The state is one {@link Counts} per (campaign, variant) and lives for the job's lifetime:
 * a run has few campaigns and variants, so it needs no expiry.
 */
public class CountsFunction extends KeyedProcessFunction<Tuple2<Integer, String>, EmailEvent, String> {
    private static final long serialVersionUID = 1L;

    private final long updatesSample;

    private transient ValueState<Counts> counts;
    private transient StringBuilder sb;

    /** Emits every update. */
    public CountsFunction() {
        this(1);
    }

    /** @param updatesSample >= 1: emit only the updates of events with {@code seq % updatesSample == 0} */
    public CountsFunction(long updatesSample) {
        if (updatesSample < 1) {
            throw new IllegalArgumentException("updates sample must be >= 1, got " + updatesSample);
        }
        this.updatesSample = updatesSample;
    }

    /** Whether the update of the event with {@code seq} is emitted under {@code updatesSample}. */
    static boolean sampled(long seq, long updatesSample) {
        return seq % updatesSample == 0;
    }

    @Override
    public void open(OpenContext openContext) {
        counts = getRuntimeContext().getState(
                new ValueStateDescriptor<>("counts", TypeInformation.of(Counts.class)));
        sb = new StringBuilder(320);
    }

    @Override
    public void processElement(EmailEvent e, Context ctx, Collector<String> out) throws Exception {
        Counts c = counts.value();
        if (c == null) {
            c = new Counts();
        }
        c.add(e);
        counts.update(c);
        if (!sampled(e.seq, updatesSample)) {
            return;
        }
        sb.setLength(0);
        WireFormat.appendUpdate(sb, e, c);
        out.collect(sb.toString());
    }
}
