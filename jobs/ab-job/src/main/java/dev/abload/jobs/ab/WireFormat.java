package dev.abload.jobs.ab;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire formats of DESIGN.md ("Wire format (v1, JSON)" and "Binary input encoding (v1)"),
 * in one place so the job and its tests cannot drift from the contract.
 *
 * <p>An input record is JSON or binary v1, told apart by its first byte ({@link #parseEvent}):
 * {@code 0xAB} is binary, anything else goes to the JSON parser (which accepts an object
 * after optional whitespace and rejects everything else).
 *
 * <p>JSON parsing uses Jackson's streaming parser and reads only the known fields (unknown
 * fields are skipped, as the contract requires). Binary decoding reads the fixed layout
 * straight out of the array (big-endian {@link VarHandle} views, no buffer) and allocates only
 * the event, plus the variant string on a miss of a small shared cache. Output is written
 * with a {@link StringBuilder}, which is far cheaper per record than an object mapper. Both
 * sides matter because every input event passes through both.
 */
public final class WireFormat {

    /** Thrown for a record that is not a valid input event. Stack-less: it is expected input. */
    public static final class MalformedEventException extends Exception {
        private static final long serialVersionUID = 1L;

        public MalformedEventException(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    private static final int F_SEQ = 1;
    private static final int F_INTENDED = 1 << 1;
    private static final int F_EVENT_TIME = 1 << 2;
    private static final int F_TYPE = 1 << 3;
    private static final int F_CAMPAIGN = 1 << 4;
    private static final int F_VARIANT = 1 << 5;
    private static final int F_RECIPIENT = 1 << 6;
    /** Fields every non-control event must carry ({@code bot} is optional, default false). */
    private static final int REQUIRED =
            F_SEQ | F_INTENDED | F_EVENT_TIME | F_TYPE | F_CAMPAIGN | F_VARIANT | F_RECIPIENT;
    /** A {@code flush} control record needs only its type and event time. */
    private static final int REQUIRED_FLUSH = F_TYPE | F_EVENT_TIME;

    private WireFormat() {}

    /**
     * Parses one input event value, JSON or binary v1, chosen by its first byte: {@code 0xAB}
     * ({@link #BINARY_MAGIC}) is binary, anything else JSON.
     *
     * @throws MalformedEventException if the value is null or empty, or {@link #parseJson} or
     *     {@link #parseBinary} rejects it
     */
    public static EmailEvent parseEvent(byte[] value) throws MalformedEventException {
        if (value == null) {
            throw new MalformedEventException("null record value");
        }
        if (value.length > 0 && value[0] == BINARY_MAGIC) {
            return parseBinary(value);
        }
        return parseJson(value);
    }

    /**
     * Parses one JSON input event.
     *
     * @throws MalformedEventException if the bytes are not a JSON object, a known field has the
     *     wrong JSON type or is out of range, the type is unknown, or a required field is missing.
     */
    public static EmailEvent parseJson(byte[] value) throws MalformedEventException {
        if (value == null) {
            throw new MalformedEventException("null record value");
        }
        EmailEvent e = new EmailEvent();
        int seen = 0;
        try (JsonParser p = FACTORY.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedEventException("not a JSON object");
            }
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "seq":
                        e.seq = longValue(p, t, name);
                        seen |= F_SEQ;
                        break;
                    case "intended_ns":
                        e.intendedNs = longValue(p, t, name);
                        seen |= F_INTENDED;
                        break;
                    case "event_time_ms":
                        e.eventTimeMs = longValue(p, t, name);
                        seen |= F_EVENT_TIME;
                        break;
                    case "type":
                        e.type = EventType.fromWire(stringValue(p, t, name));
                        if (e.type == null) {
                            throw new MalformedEventException("unknown type " + p.getText());
                        }
                        seen |= F_TYPE;
                        break;
                    case "campaign":
                        if (t != JsonToken.VALUE_NUMBER_INT) {
                            throw wrongType(name);
                        }
                        e.campaign = p.getIntValue();
                        seen |= F_CAMPAIGN;
                        break;
                    case "variant":
                        e.variant = stringValue(p, t, name);
                        seen |= F_VARIANT;
                        break;
                    case "recipient":
                        e.recipient = longValue(p, t, name);
                        seen |= F_RECIPIENT;
                        break;
                    case "bot":
                        if (t == JsonToken.VALUE_TRUE) {
                            e.bot = true;
                        } else if (t == JsonToken.VALUE_FALSE) {
                            e.bot = false;
                        } else {
                            throw wrongType(name);
                        }
                        break;
                    default:
                        p.skipChildren();
                        break;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new MalformedEventException("unexpected token " + p.currentToken());
            }
        } catch (IOException ex) {
            // JsonParseException, InputCoercionException (number out of range), EOF, ...
            String msg = ex instanceof JsonProcessingException
                    ? ((JsonProcessingException) ex).getOriginalMessage()
                    : ex.getMessage();
            throw new MalformedEventException("invalid JSON: " + msg);
        }
        int required = e.type == EventType.FLUSH ? REQUIRED_FLUSH : REQUIRED;
        if ((seen & required) != required) {
            throw new MalformedEventException("missing field(s): " + missing(required & ~seen));
        }
        return e;
    }

    private static long longValue(JsonParser p, JsonToken t, String name)
            throws IOException, MalformedEventException {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(name);
        }
        return p.getLongValue();
    }

    private static String stringValue(JsonParser p, JsonToken t, String name)
            throws IOException, MalformedEventException {
        if (t != JsonToken.VALUE_STRING) {
            throw wrongType(name);
        }
        return p.getText();
    }

    private static MalformedEventException wrongType(String name) {
        return new MalformedEventException("field " + name + " has the wrong JSON type");
    }

    private static String missing(int bits) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"seq", "intended_ns", "event_time_ms", "type", "campaign", "variant", "recipient"};
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(names[i]);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------
    // Binary input encoding (v1)

    /** First byte of a binary record. */
    public static final byte BINARY_MAGIC = (byte) 0xAB;
    /** Second byte: the only binary version there is. */
    public static final byte BINARY_VERSION = 0x01;
    /** Size of the fixed part; a record is exactly this plus the variant length. */
    public static final int BINARY_HEADER = 41;
    /** Flag bit 0: {@code bot}. Every other flag bit is reserved and must be 0. */
    public static final int FLAG_BOT = 0x01;

    /** Binary type codes, spelled out (not the enum's ordinals, which nothing pins). */
    private static final EventType[] TYPES = {
        EventType.SEND,        // 0
        EventType.DELIVERY,    // 1
        EventType.BOUNCE,      // 2
        EventType.OPEN,        // 3
        EventType.CLICK,       // 4
        EventType.CONVERSION,  // 5
        EventType.UNSUBSCRIBE, // 6
        EventType.FLUSH,       // 7
    };

    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * Decodes one binary v1 input event (DESIGN.md, "Binary input encoding (v1)").
     *
     * @throws MalformedEventException for a wrong magic or version, an unknown type, a set
     *     reserved flag bit, a length other than {@value #BINARY_HEADER} + the variant length, or
     *     a variant that is not valid UTF-8
     */
    public static EmailEvent parseBinary(byte[] b) throws MalformedEventException {
        if (b == null) {
            throw new MalformedEventException("null record value");
        }
        int len = b.length;
        if (len < BINARY_HEADER) {
            throw new MalformedEventException("binary record of " + len + " bytes, shorter than its "
                    + BINARY_HEADER + "-byte header");
        }
        if (b[0] != BINARY_MAGIC) {
            throw new MalformedEventException("binary record with magic 0x" + hexByte(b[0]));
        }
        if (b[1] != BINARY_VERSION) {
            throw new MalformedEventException("binary record of unsupported version " + (b[1] & 0xFF));
        }
        int type = b[2] & 0xFF;
        if (type >= TYPES.length) {
            throw new MalformedEventException("binary record of unknown type " + type);
        }
        int flags = b[3] & 0xFF;
        if ((flags & ~FLAG_BOT) != 0) {
            throw new MalformedEventException("binary record with reserved flag bits set: 0x" + hexByte(b[3]));
        }
        int n = b[40] & 0xFF;
        if (len != BINARY_HEADER + n) {
            throw new MalformedEventException("binary record of " + len + " bytes, but its variant length "
                    + n + " makes " + (BINARY_HEADER + n));
        }
        EmailEvent e = new EmailEvent();
        e.seq = (long) LONG_BE.get(b, 4);
        e.intendedNs = (long) LONG_BE.get(b, 12);
        e.eventTimeMs = (long) LONG_BE.get(b, 20);
        e.type = TYPES[type];
        e.campaign = (int) INT_BE.get(b, 28);
        e.recipient = (long) LONG_BE.get(b, 32);
        e.variant = VariantCache.get(b, BINARY_HEADER, n);
        e.bot = (flags & FLAG_BOT) != 0;
        return e;
    }

    private static String hexByte(byte v) {
        return Integer.toHexString((v & 0xFF) | 0x100).substring(1);
    }

    /**
     * Variant strings by their UTF-8 bytes. A run has a handful of variants ("A", "B", ...), so
     * a small direct-mapped table turns almost every decode into a hash and an array compare
     * instead of a new String. Shared by all decoders of the JVM without locks: entries are
     * immutable (final fields, so safely published through the racy array), and a lost race
     * only costs a miss. Long variants are not cached; colliding ones just evict each other.
     */
    static final class VariantCache {
        private static final int SLOTS = 64;
        static final int MAX_CACHED_BYTES = 32;
        private static final Entry[] TABLE = new Entry[SLOTS];

        private static final class Entry {
            final byte[] bytes;
            final String value;

            Entry(byte[] bytes, String value) {
                this.bytes = bytes;
                this.value = value;
            }
        }

        private VariantCache() {}

        static String get(byte[] b, int off, int n) throws MalformedEventException {
            if (n == 0) {
                return "";
            }
            if (n > MAX_CACHED_BYTES) {
                return decode(b, off, n);
            }
            int h = n;
            for (int i = off, end = off + n; i < end; i++) {
                h = 31 * h + b[i];
            }
            int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
            Entry en = TABLE[slot];
            if (en != null && Arrays.equals(en.bytes, 0, en.bytes.length, b, off, off + n)) {
                return en.value;
            }
            String v = decode(b, off, n);
            TABLE[slot] = new Entry(Arrays.copyOfRange(b, off, off + n), v);
            return v;
        }

        /** Strict UTF-8: a malformed sequence rejects the record (as Jackson does for JSON). */
        private static String decode(byte[] b, int off, int n) throws MalformedEventException {
            boolean ascii = true;
            for (int i = off, end = off + n; i < end; i++) {
                if (b[i] < 0) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                return new String(b, off, n, StandardCharsets.US_ASCII);
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, off, n))
                        .toString();
            } catch (CharacterCodingException ex) {
                throw new MalformedEventException("binary record whose variant is not valid UTF-8");
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Output

    /** One update record for a non-late event: event time, status, type, key and running counts. */
    public static void appendUpdate(StringBuilder sb, EmailEvent e, Counts c) {
        appendUpdateHead(sb, e, e.status());
        sb.append(",\"counts\":");
        appendCounts(sb, c);
        sb.append('}');
    }

    /** One update record for a late event: {@code status} "late" and no {@code counts}. */
    public static void appendLate(StringBuilder sb, EmailEvent e) {
        appendUpdateHead(sb, e, "late");
        sb.append('}');
    }

    /** Convenience for tests: {@link #appendUpdate} into a fresh string. */
    public static String update(EmailEvent e, Counts c) {
        StringBuilder sb = new StringBuilder(320);
        appendUpdate(sb, e, c);
        return sb.toString();
    }

    /** Convenience for tests: {@link #appendLate} into a fresh string. */
    public static String late(EmailEvent e) {
        StringBuilder sb = new StringBuilder(160);
        appendLate(sb, e);
        return sb.toString();
    }

    private static void appendUpdateHead(StringBuilder sb, EmailEvent e, String status) {
        sb.append("{\"seq\":").append(e.seq)
                .append(",\"intended_ns\":").append(e.intendedNs)
                .append(",\"event_time_ms\":").append(e.eventTimeMs)
                .append(",\"status\":\"").append(status)
                .append("\",\"type\":\"").append(e.type.wire())
                .append("\",\"campaign\":").append(e.campaign)
                .append(",\"variant\":");
        appendString(sb, e.variant);
    }

    /** One final window record. */
    public static void appendWindow(
            StringBuilder sb, int campaign, String variant, long startMs, long endMs, WindowAccumulator acc) {
        sb.append("{\"campaign\":").append(campaign).append(",\"variant\":");
        appendString(sb, variant);
        sb.append(",\"window_start_ms\":").append(startMs)
                .append(",\"window_end_ms\":").append(endMs)
                .append(",\"events\":").append(acc.events)
                .append(",\"max_intended_ns\":").append(acc.maxIntendedNs)
                .append(",\"counts\":");
        appendCounts(sb, acc);
        sb.append('}');
    }

    /** The {@code counts} object. */
    public static void appendCounts(StringBuilder sb, Counts c) {
        sb.append("{\"sends\":").append(c.sends)
                .append(",\"deliveries\":").append(c.deliveries)
                .append(",\"bounces\":").append(c.bounces)
                .append(",\"opens\":").append(c.opens)
                .append(",\"bot_opens\":").append(c.botOpens)
                .append(",\"unique_opens\":").append(c.uniqueOpens)
                .append(",\"clicks\":").append(c.clicks)
                .append(",\"unique_clicks\":").append(c.uniqueClicks)
                .append(",\"conversions\":").append(c.conversions)
                .append(",\"unsubscribes\":").append(c.unsubscribes)
                .append('}');
    }

    /** A JSON string literal; variants are short ASCII labels, so the fast path is a plain copy. */
    static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        if (s == null) {
            sb.append('"');
            return;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                switch (ch) {
                    case '\n':
                        sb.append("\\n");
                        break;
                    case '\r':
                        sb.append("\\r");
                        break;
                    case '\t':
                        sb.append("\\t");
                        break;
                    default:
                        sb.append("\\u00");
                        sb.append(Character.forDigit(ch >> 4, 16)).append(Character.forDigit(ch & 0xF, 16));
                        break;
                }
            } else {
                sb.append(ch);
            }
        }
        sb.append('"');
    }
}
