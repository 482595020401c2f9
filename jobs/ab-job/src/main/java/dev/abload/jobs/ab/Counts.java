package dev.abload.jobs.ab;

/**
 * The ten counters of the wire format's {@code counts} object. Used both as the running
 * per-(campaign, variant) state of {@link CountsFunction} and, through {@link WindowAccumulator},
 * as the per-window aggregate. A Flink POJO so state and window accumulators use the POJO
 * serializer.
 */
public class Counts {
    public long sends;
    public long deliveries;
    public long bounces;
    public long opens;
    public long botOpens;
    public long uniqueOpens;
    public long clicks;
    public long uniqueClicks;
    public long conversions;
    public long unsubscribes;

    public Counts() {}

    /**
     * Adds one non-late event. Opens and clicks count duplicates and bot (machine) events too;
     * the unique counters only accepted, human (first-of-kind) ones, because a bot open (a mail
     * client prefetching the tracking pixel) says nothing about the variant.
     */
    public void add(EmailEvent e) {
        switch (e.type) {
            case SEND:
                sends++;
                break;
            case DELIVERY:
                deliveries++;
                break;
            case BOUNCE:
                bounces++;
                break;
            case OPEN:
                opens++;
                if (e.bot) {
                    botOpens++;
                } else if (!e.duplicate) {
                    uniqueOpens++;
                }
                break;
            case CLICK:
                clicks++;
                if (!e.bot && !e.duplicate) {
                    uniqueClicks++;
                }
                break;
            case CONVERSION:
                conversions++;
                break;
            case UNSUBSCRIBE:
                unsubscribes++;
                break;
            default:
                // FLUSH never reaches the counting operators.
                break;
        }
    }

    /** Adds all counters of {@code o} into this one. */
    public void merge(Counts o) {
        sends += o.sends;
        deliveries += o.deliveries;
        bounces += o.bounces;
        opens += o.opens;
        botOpens += o.botOpens;
        uniqueOpens += o.uniqueOpens;
        clicks += o.clicks;
        uniqueClicks += o.uniqueClicks;
        conversions += o.conversions;
        unsubscribes += o.unsubscribes;
    }
}
