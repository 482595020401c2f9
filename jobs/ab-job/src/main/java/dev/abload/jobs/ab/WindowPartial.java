package dev.abload.jobs.ab;

/**
 * One salt's share of a window of one (campaign, variant): the output of the first phase of the
 * salted windows ({@code windows}), merged per (campaign, variant) and window by
 * {@link WindowMergeFunction} ({@code windows-merge}). A Flink POJO (public fields, public no-arg
 * constructor) so it travels with the POJO serializer, never as a generic (Kryo) type unless
 * {@code --serializer kryo} forces it.
 */
public class WindowPartial {
    public int campaign;
    public String variant;
    public int salt;
    public long windowStart;
    public long windowEnd;
    /** The aggregate of this salt's events in the window (all of them so far, on a late firing). */
    public WindowAccumulator acc;

    public WindowPartial() {}

    public WindowPartial(int campaign, String variant, int salt, long windowStart, long windowEnd,
            WindowAccumulator acc) {
        this.campaign = campaign;
        this.variant = variant;
        this.salt = salt;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.acc = acc;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("WindowPartial{salt=").append(salt).append(", ");
        if (acc == null) {
            sb.append("campaign=").append(campaign).append(", variant=").append(variant)
                    .append(", windowStart=").append(windowStart).append(", windowEnd=").append(windowEnd);
        } else {
            WireFormat.appendWindow(sb, campaign, variant, windowStart, windowEnd, acc);
        }
        return sb.append('}').toString();
    }
}
