package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Separates late events from on-time ones right after the source, so that every input event
 * gets exactly one update: on-time events flow on to de-duplication and counting, late ones
 * leave through {@link #LATE} as ready-made {@code "late"} update records. {@code flush}
 * control records are dropped here: they exist only to push the watermark forward.
 *
 * <p>An event is late when its timestamp is at or behind this subtask's current watermark
 * ({@code ts <= watermark}). That is Flink's own definition (a watermark {@code W} promises no
 * more elements with {@code ts <= W}) and the condition the window operator uses to drop
 * elements, so an event that passes this filter is never silently dropped by a window later.
 */
public class LateEventFilter extends ProcessFunction<EmailEvent, EmailEvent> {
    private static final long serialVersionUID = 1L;

    /** Late update records, already formatted as JSON. */
    public static final OutputTag<String> LATE = new OutputTag<>("late-updates", Types.STRING);

    private transient Counter lateEvents;
    private transient StringBuilder sb;

    @Override
    public void open(OpenContext openContext) {
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
        sb = new StringBuilder(192);
    }

    @Override
    public void processElement(EmailEvent e, Context ctx, Collector<EmailEvent> out) {
        if (e.type == EventType.FLUSH) {
            return;
        }
        Long ts = ctx.timestamp();
        long t = ts != null ? ts : e.eventTimeMs;
        if (t <= ctx.timerService().currentWatermark()) {
            lateEvents.inc();
            sb.setLength(0);
            WireFormat.appendLate(sb, e);
            ctx.output(LATE, sb.toString());
            return;
        }
        out.collect(e);
    }
}
