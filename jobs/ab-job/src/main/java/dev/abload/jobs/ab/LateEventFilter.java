package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Separates late events from on-time ones right after the source, so that every input event
 * gets exactly one update: on-time events flow on to de-duplication and counting, late ones
 * leave through {@link #LATE} as ready-made {@code "late"} update records. {@code flush}
 * control records are dropped here: they exist only to push the watermark forward.
 *
 * <p>An event is late when its timestamp is at or behind this subtask's current watermark minus
 * the windows' allowed lateness ({@code ts <= watermark - allowedLateness}; with no allowed
 * lateness {@code ts <= watermark}). That is Flink's own definition (a watermark {@code W}
 * promises no more elements with {@code ts <= W}) shifted by the allowed lateness, and the
 * condition under which the window operator drops an element (every window of an element ends
 * after its timestamp, and a window drops elements only once {@code window end - 1 +
 * allowedLateness <= watermark}), so an event that passes this filter is never silently
 * dropped by a window later: an event between the two bounds is counted by a late firing.
 *
 * <p>Every late event gets a late update, also with an updates sample {@code N > 1}
 * ({@code --updates-sample}, which thins only the accepted updates): the harness takes each late
 * event out of what the windows path owes, which it could not do for one it never hears of.
 *
 * <p>With a checkpoint sync pause ({@code --checkpoint-sync-pause-ms}) its snapshot, in every
 * checkpoint's synchronous phase, sleeps that long: the source's task stops meanwhile, so the
 * events that arrive then wait that much more — a known checkpoint cost.
 */
public class LateEventFilter extends ProcessFunction<EmailEvent, EmailEvent> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Late update records, already formatted as JSON. */
    public static final OutputTag<String> LATE = new OutputTag<>("late-updates", Types.STRING);

    private final long allowedLatenessMs;
    private final long syncPauseMs;

    private transient Counter lateEvents;
    private transient StringBuilder sb;

    /** A filter for windows without allowed lateness. */
    public LateEventFilter() {
        this(0);
    }

    /** @param allowedLatenessMs the windows' allowed lateness, >= 0 */
    public LateEventFilter(long allowedLatenessMs) {
        this(allowedLatenessMs, 0);
    }

    /**
     * @param allowedLatenessMs the windows' allowed lateness, >= 0
     * @param syncPauseMs a pause in every checkpoint's synchronous phase, >= 0
     */
    public LateEventFilter(long allowedLatenessMs, long syncPauseMs) {
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException("allowed lateness must be >= 0, got " + allowedLatenessMs);
        }
        if (syncPauseMs < 0) {
            throw new IllegalArgumentException("checkpoint sync pause must be >= 0, got " + syncPauseMs);
        }
        this.allowedLatenessMs = allowedLatenessMs;
        this.syncPauseMs = syncPauseMs;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (syncPauseMs > 0) {
            Thread.sleep(syncPauseMs);
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}

    /**
     * Whether an event at {@code ts} is late under {@code watermark} with the given allowed
     * lateness: {@code ts <= watermark - allowedLateness}, without overflow (while the
     * watermark is within the allowed lateness of {@link Long#MIN_VALUE}, nothing is late).
     */
    static boolean isLate(long ts, long watermark, long allowedLatenessMs) {
        if (watermark < Long.MIN_VALUE + allowedLatenessMs) {
            return false;
        }
        return ts <= watermark - allowedLatenessMs;
    }

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
        if (isLate(t, ctx.timerService().currentWatermark(), allowedLatenessMs)) {
            lateEvents.inc();
            sb.setLength(0);
            WireFormat.appendLate(sb, e);
            ctx.output(LATE, sb.toString());
            return;
        }
        out.collect(e);
    }
}
