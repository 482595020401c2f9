package dev.abload.jobs.ab;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The JSON wire format of DESIGN.md ("Wire format (v1, JSON)"), in one place so the job and
 * its tests cannot drift from the contract.
 *
 * <p>Parsing uses Jackson's streaming parser and reads only the known fields (unknown fields
 * are skipped, as the contract requires); output is written with a {@link StringBuilder},
 * which is far cheaper per record than an object mapper. Both sides matter because every
 * input event passes through both.
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
     * Parses one input event value.
     *
     * @throws MalformedEventException if the bytes are not a JSON object, a known field has the
     *     wrong JSON type or is out of range, the type is unknown, or a required field is missing.
     */
    public static EmailEvent parseEvent(byte[] value) throws MalformedEventException {
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
    // Output

    /** One update record for a non-late event: status, type, key and running counts. */
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
