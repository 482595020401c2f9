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
 * <p>The state is one {@link Counts} per (campaign, variant) and lives for the job's lifetime:
 * a run has few campaigns and variants, so it needs no expiry.
 */
public class CountsFunction extends KeyedProcessFunction<Tuple2<Integer, String>, EmailEvent, String> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Counts> counts;
    private transient StringBuilder sb;

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
        sb.setLength(0);
        WireFormat.appendUpdate(sb, e, c);
        out.collect(sb.toString());
    }
}
