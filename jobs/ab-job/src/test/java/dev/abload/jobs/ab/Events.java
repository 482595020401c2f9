package dev.abload.jobs.ab;

/** Test helper: builds events and their input JSON. */
final class Events {
    private Events() {}

    static EmailEvent event(long seq, long eventTimeMs, EventType type, int campaign, String variant, long recipient) {
        return new EmailEvent(seq, 1_000_000L * eventTimeMs + seq, eventTimeMs, type, campaign, variant, recipient, false);
    }

    static EmailEvent flush(long eventTimeMs) {
        EmailEvent e = new EmailEvent();
        e.seq = -1;
        e.eventTimeMs = eventTimeMs;
        e.type = EventType.FLUSH;
        return e;
    }

    /** The input JSON of {@code e} as the harness writes it (DESIGN.md "Input events"). */
    static String json(EmailEvent e) {
        StringBuilder sb = new StringBuilder("{\"seq\":").append(e.seq)
                .append(",\"intended_ns\":").append(e.intendedNs)
                .append(",\"event_time_ms\":").append(e.eventTimeMs)
                .append(",\"type\":\"").append(e.type.wire()).append('"')
                .append(",\"campaign\":").append(e.campaign)
                .append(",\"variant\":");
        WireFormat.appendString(sb, e.variant == null ? "" : e.variant);
        return sb.append(",\"recipient\":").append(e.recipient)
                .append(",\"bot\":").append(e.bot)
                .append('}')
                .toString();
    }
}
