package dev.abload.jobs.ab;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Test helper: builds events and their input JSON and binary encodings. */
final class Events {
    private static final EventType[] BINARY_TYPES = {
        EventType.SEND, EventType.DELIVERY, EventType.BOUNCE, EventType.OPEN,
        EventType.CLICK, EventType.CONVERSION, EventType.UNSUBSCRIBE, EventType.FLUSH,
    };

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

    /**
     * The binary v1 encoding of {@code e} (DESIGN.md "Binary input encoding (v1)"), written
     * independently of the decoder; {@link WireVectorsTest} checks it against the shared vectors.
     */
    static byte[] binary(EmailEvent e) {
        byte[] variant = (e.variant == null ? "" : e.variant).getBytes(StandardCharsets.UTF_8);
        if (variant.length > 255) {
            throw new IllegalArgumentException("variant longer than 255 bytes");
        }
        ByteBuffer bb = ByteBuffer.allocate(41 + variant.length); // big-endian by default
        bb.put((byte) 0xAB).put((byte) 1).put((byte) Arrays.asList(BINARY_TYPES).indexOf(e.type))
                .put((byte) (e.bot ? 1 : 0))
                .putLong(e.seq).putLong(e.intendedNs).putLong(e.eventTimeMs)
                .putInt(e.campaign).putLong(e.recipient)
                .put((byte) variant.length).put(variant);
        return bb.array();
    }

    static byte[] unhex(String hex) {
        if (hex.length() % 2 != 0) {
            throw new IllegalArgumentException("odd-length hex string");
        }
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a hex string: " + hex);
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(2 * b.length);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }
}
