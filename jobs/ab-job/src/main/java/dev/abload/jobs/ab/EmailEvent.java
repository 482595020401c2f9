package dev.abload.jobs.ab;

import java.util.Objects;

/**
 * One parsed input event (DESIGN.md, "Input events"). A Flink POJO (public fields, public
 * no-arg constructor) so it travels through the keyed exchanges with Flink's fast POJO
 * serializer instead of Kryo.
 *
 * <p>{@link #duplicate} is not on the wire: {@link DedupeFunction} sets it and the counting
 * and window operators downstream read it.
 */
public class EmailEvent {
    public long seq;
    public long intendedNs;
    public long eventTimeMs;
    public EventType type;
    public int campaign;
    public String variant;
    public long recipient;
    public boolean bot;
    /** Set by {@link DedupeFunction}: an open/click the (campaign, recipient) already had. */
    public boolean duplicate;

    public EmailEvent() {}

    public EmailEvent(
            long seq,
            long intendedNs,
            long eventTimeMs,
            EventType type,
            int campaign,
            String variant,
            long recipient,
            boolean bot) {
        this.seq = seq;
        this.intendedNs = intendedNs;
        this.eventTimeMs = eventTimeMs;
        this.type = type;
        this.campaign = campaign;
        this.variant = variant;
        this.recipient = recipient;
        this.bot = bot;
    }

    /** The output {@code status} of a non-late event. */
    public String status() {
        return duplicate ? "duplicate" : "accepted";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EmailEvent)) {
            return false;
        }
        EmailEvent e = (EmailEvent) o;
        return seq == e.seq
                && intendedNs == e.intendedNs
                && eventTimeMs == e.eventTimeMs
                && type == e.type
                && campaign == e.campaign
                && Objects.equals(variant, e.variant)
                && recipient == e.recipient
                && bot == e.bot
                && duplicate == e.duplicate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, eventTimeMs, type, campaign, variant, recipient);
    }

    @Override
    public String toString() {
        return "EmailEvent{seq=" + seq + ", intendedNs=" + intendedNs + ", eventTimeMs=" + eventTimeMs
                + ", type=" + type + ", campaign=" + campaign + ", variant=" + variant
                + ", recipient=" + recipient + ", bot=" + bot + ", duplicate=" + duplicate + '}';
    }
}
