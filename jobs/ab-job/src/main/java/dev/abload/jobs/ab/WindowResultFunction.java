package dev.abload.jobs.ab;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a window's aggregate into the window record: the aggregate alone does not know its key
 * (campaign, variant) or the window bounds, this function does.
 */
public class WindowResultFunction
        extends ProcessWindowFunction<WindowAccumulator, String, Tuple2<Integer, String>, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(
            Tuple2<Integer, String> key,
            Context context,
            Iterable<WindowAccumulator> elements,
            Collector<String> out) {
        TimeWindow w = context.window();
        for (WindowAccumulator acc : elements) {
            StringBuilder sb = new StringBuilder(384);
            WireFormat.appendWindow(sb, key.f0, key.f1, w.getStart(), w.getEnd(), acc);
            out.collect(sb.toString());
        }
    }
}
