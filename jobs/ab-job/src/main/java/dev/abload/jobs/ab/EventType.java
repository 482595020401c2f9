package dev.abload.jobs.ab;

/**
 * The {@code type} values of the wire format (DESIGN.md, "Input events"). An enum rather than
 * the raw string so that the per-event switch in the counting operators is cheap and an
 * unknown type is rejected once, at parse time.
 */
public enum EventType {
    SEND("send"),
    DELIVERY("delivery"),
    BOUNCE("bounce"),
    OPEN("open"),
    CLICK("click"),
    CONVERSION("conversion"),
    UNSUBSCRIBE("unsubscribe"),
    /** Control record: only advances watermarks, never produces output. */
    FLUSH("flush");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    /** The name used on the wire. */
    public String wire() {
        return wire;
    }

    /** Whether events of this type are de-duplicated per (campaign, recipient). */
    public boolean deduplicated() {
        return this == OPEN || this == CLICK;
    }

    /** Maps a wire name to its type, or {@code null} when the name is unknown. */
    public static EventType fromWire(String s) {
        switch (s) {
            case "send":
                return SEND;
            case "delivery":
                return DELIVERY;
            case "bounce":
                return BOUNCE;
            case "open":
                return OPEN;
            case "click":
                return CLICK;
            case "conversion":
                return CONVERSION;
            case "unsubscribe":
                return UNSUBSCRIBE;
            case "flush":
                return FLUSH;
            default:
                return null;
        }
    }
}
