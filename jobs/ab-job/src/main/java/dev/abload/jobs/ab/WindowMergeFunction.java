package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The second phase of the salted windows ({@code windows-merge}), keyed by (campaign, variant):
 * merges the {@link WindowPartial}s of all salts of a window into the one window record the
 * unsalted job would emit (same counts, {@code events} and {@code max_intended_ns}).
 *
 * <p>State is the latest partial per (window start, salt) in a {@link MapState}. Timers are
 * event-time timers of this key:
 *
 * <ul>
 *   <li>at the window's max timestamp ({@code end - 1}) the merged record is emitted. The first
 *       phase emits a window's partials when its watermark passes {@code end - 1}, before it
 *       forwards that watermark, so by the time this operator's watermark (the minimum over all
 *       first-phase subtasks) reaches {@code end - 1}, every salt's partial has arrived.
 *   <li>a partial arriving after the window was emitted is a late firing of the first phase
 *       (allowed lateness): it replaces that salt's partial and the merged record is emitted
 *       again at once, with the full updated counts, as the unsalted window's late firing does.
 *   <li>at {@code end - 1 + allowedLateness} (the first phase's cleanup time, after which it
 *       drops the window's events) the window's partials are removed. With no allowed lateness
 *       this is the emission timer itself.
 * </ul>
 *
 * <p>A window is emitted by its timer only if none of its partials arrived after the watermark
 * had passed {@code end - 1}: such a partial means the timer has already fired, and no timer at
 * or before the watermark is ever registered again (a cleanup timer is registered only while it
 * is still ahead of the watermark), so every window goes out exactly once on time plus once per
 * late partial.
 */
public class WindowMergeFunction extends KeyedProcessFunction<Tuple2<Integer, String>, WindowPartial, String> {
    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMs;
    /** Merges accumulators exactly as the unsalted window's aggregate would. */
    private final WindowCountsAggregate aggregate = new WindowCountsAggregate();

    /** (window start, salt) → that salt's latest partial. */
    private transient MapState<Tuple2<Long, Integer>, WindowPartial> partials;
    private transient Counter lateFirings;
    private transient Counter droppedPartials;
    private transient StringBuilder sb;

    /** @param allowedLatenessMs the windows' allowed lateness, >= 0 (the first phase's) */
    public WindowMergeFunction(long allowedLatenessMs) {
        if (allowedLatenessMs < 0) {
            throw new IllegalArgumentException("allowed lateness must be >= 0, got " + allowedLatenessMs);
        }
        this.allowedLatenessMs = allowedLatenessMs;
    }

    @Override
    public void open(OpenContext openContext) {
        partials = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "window-partials", Types.TUPLE(Types.LONG, Types.INT), TypeInformation.of(WindowPartial.class)));
        lateFirings = getRuntimeContext().getMetricGroup().counter("lateWindowFirings");
        droppedPartials = getRuntimeContext().getMetricGroup().counter("droppedWindowPartials");
        sb = new StringBuilder(384);
    }

    /** {@code maxTimestamp + allowedLateness}, saturating at {@link Long#MAX_VALUE}. */
    private long cleanupTime(long maxTimestamp) {
        long t = maxTimestamp + allowedLatenessMs;
        return t >= maxTimestamp ? t : Long.MAX_VALUE;
    }

    @Override
    public void processElement(WindowPartial p, Context ctx, Collector<String> out) throws Exception {
        long maxTimestamp = p.windowEnd - 1;
        long cleanup = cleanupTime(maxTimestamp);
        long watermark = ctx.timerService().currentWatermark();
        if (cleanup <= watermark) {
            // Cannot happen with the first phase's allowed lateness equal to ours (it drops
            // such events); it would be a window already cleaned up here.
            droppedPartials.inc();
            return;
        }
        partials.put(Tuple2.of(p.windowStart, p.salt), p);
        ctx.timerService().registerEventTimeTimer(cleanup);
        if (maxTimestamp > watermark) {
            ctx.timerService().registerEventTimeTimer(maxTimestamp);
        } else {
            // A late firing of the first phase: the merged record already went out; send the update.
            lateFirings.inc();
            WindowAccumulator merged = new WindowAccumulator();
            for (WindowPartial q : partials.values()) {
                if (q.windowStart == p.windowStart && q.windowEnd == p.windowEnd) {
                    merge(merged, q.acc);
                }
            }
            emit(ctx.getCurrentKey(), p.windowStart, p.windowEnd, merged, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) throws Exception {
        // Windows whose max timestamp this is, by (start, end), in start order.
        Map<Long, WindowPartial> due = new TreeMap<>();
        List<Tuple2<Long, Integer>> expired = new ArrayList<>();
        Iterator<Map.Entry<Tuple2<Long, Integer>, WindowPartial>> it = partials.iterator();
        while (it.hasNext()) {
            Map.Entry<Tuple2<Long, Integer>, WindowPartial> e = it.next();
            WindowPartial q = e.getValue();
            long maxTimestamp = q.windowEnd - 1;
            if (maxTimestamp == timestamp) {
                WindowPartial m = due.computeIfAbsent(q.windowStart,
                        s -> new WindowPartial(q.campaign, q.variant, -1, q.windowStart, q.windowEnd,
                                new WindowAccumulator()));
                merge(m.acc, q.acc);
            }
            if (cleanupTime(maxTimestamp) <= timestamp) {
                expired.add(e.getKey());
            }
        }
        for (WindowPartial m : due.values()) {
            emit(ctx.getCurrentKey(), m.windowStart, m.windowEnd, m.acc, out);
        }
        for (Tuple2<Long, Integer> k : expired) {
            partials.remove(k);
        }
    }

    /** Adds {@code b} into {@code a} (a fresh accumulator), leaving the stored {@code b} untouched. */
    private void merge(WindowAccumulator a, WindowAccumulator b) {
        aggregate.merge(a, b);
    }

    private void emit(Tuple2<Integer, String> key, long start, long end, WindowAccumulator acc, Collector<String> out) {
        sb.setLength(0);
        WireFormat.appendWindow(sb, key.f0, key.f1, start, end, acc);
        out.collect(sb.toString());
    }
}
