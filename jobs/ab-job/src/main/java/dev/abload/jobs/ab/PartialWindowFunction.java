package dev.abload.jobs.ab;

import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The first phase of the salted windows: turns one (campaign, variant, salt)'s window aggregate
 * into a {@link WindowPartial} carrying the key and the window bounds, for
 * {@link WindowMergeFunction} to merge per (campaign, variant).
 */
public class PartialWindowFunction
        extends ProcessWindowFunction<WindowAccumulator, WindowPartial, Tuple3<Integer, String, Integer>, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
            Tuple3<Integer, String, Integer> key,
            Context context,
            Iterable<WindowAccumulator> elements,
            Collector<WindowPartial> out) {
        TimeWindow w = context.window();
        for (WindowAccumulator acc : elements) {
            out.collect(new WindowPartial(key.f0, key.f1, key.f2, w.getStart(), w.getEnd(), acc));
        }
    }
}
