package dev.abload.jobs.ab;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * De-duplicates opens and clicks per (campaign, recipient): the first open is accepted (it is
 * the unique open), later ones are flagged duplicate; the same for clicks. Every other type is
 * accepted as is. Each event leaves with {@link EmailEvent#duplicate} set.
 *
 * <p>State is one byte per key (bit 0: an open was seen, bit 1: a click was seen), created only
 * by the key's first open or click, so recipients that never open or click cost no state.
 * Creating it registers the key's single event-time timer at that event's time plus the TTL;
 * the timer clears the state, after which the next open/click starts afresh. This bounds state
 * by event time, not by wall clock, so a replay behaves like the original run.
 *
 * <p>Metrics: {@code duplicateEvents} (counter) and {@code eventSerializer} (gauge), the simple
 * class name of the serializer Flink creates for {@link EmailEvent} in this operator's runtime
 * context: {@code PojoSerializer}, or {@code KryoSerializer} with {@code --serializer kryo}
 * (the same serializer the network exchanges and state of the job use for it).
 */
public class DedupeFunction extends KeyedProcessFunction<Tuple2<Integer, Long>, EmailEvent, EmailEvent> {
    private static final long serialVersionUID = 1L;

    private static final byte SEEN_OPEN = 1;
    private static final byte SEEN_CLICK = 2;

    private final long ttlMs;

    private transient ValueState<Byte> seen;
    private transient Counter duplicates;
    private transient String eventSerializer;

    /** @param ttlMs event-time retention of a key's state, counted from its first open/click */
    public DedupeFunction(long ttlMs) {
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("dedupe TTL must be > 0, got " + ttlMs);
        }
        this.ttlMs = ttlMs;
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen-open-click", Types.BYTE));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicateEvents");
        eventSerializer = getRuntimeContext()
                .createSerializer(TypeInformation.of(EmailEvent.class))
                .getClass()
                .getSimpleName();
        getRuntimeContext().getMetricGroup().gauge("eventSerializer", (Gauge<String>) () -> eventSerializer);
    }

    /** The value of the {@code eventSerializer} gauge (set by {@link #open}). */
    String eventSerializer() {
        return eventSerializer;
    }

    @Override
    public void processElement(EmailEvent e, Context ctx, Collector<EmailEvent> out) throws Exception {
        e.duplicate = false;
        // Bot events neither claim nor consume a recipient's first open/click: a prefetching
        // mail client must not turn the human's real first open into a "duplicate".
        if (e.type.deduplicated() && !e.bot) {
            byte bit = e.type == EventType.OPEN ? SEEN_OPEN : SEEN_CLICK;
            Byte flags = seen.value();
            if (flags == null) {
                Long ts = ctx.timestamp();
                long t = ts != null ? ts : e.eventTimeMs;
                long expiry = t > Long.MAX_VALUE - ttlMs ? Long.MAX_VALUE : t + ttlMs;
                ctx.timerService().registerEventTimeTimer(expiry);
                seen.update(bit);
            } else if ((flags & bit) != 0) {
                e.duplicate = true;
                duplicates.inc();
            } else {
                seen.update((byte) (flags | bit));
            }
        }
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EmailEvent> out) {
        seen.clear();
    }
}
