package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The binary input encoding v1 of DESIGN.md: decoding, auto-detection, strict rejection. */
class BinaryWireFormatTest {

    /** The DESIGN.md example event, encoded by hand from the layout table. */
    private static final String DESIGN_EXAMPLE_HEX = "ab" + "01" + "03" + "00"
            + "000000000000000c"  // seq 12
            + "187b74b514420d15"  // intended_ns 1764132000123456789
            + "0000019abe76117b"  // event_time_ms 1764132000123
            + "00000003"          // campaign 3
            + "000000000000bc55"  // recipient 48213
            + "01" + "42";        // variant "B"

    private static final EmailEvent DESIGN_EXAMPLE =
            new EmailEvent(12, 1764132000123456789L, 1764132000123L, EventType.OPEN, 3, "B", 48213, false);

    private static final class ListCollector implements Collector<EmailEvent> {
        final List<EmailEvent> out = new ArrayList<>();

        @Override
        public void collect(EmailEvent record) {
            out.add(record);
        }

        @Override
        public void close() {}
    }

    @Test
    void decodesTheDesignExample() throws Exception {
        byte[] b = Events.unhex(DESIGN_EXAMPLE_HEX);
        assertEquals(41 + 1, b.length);
        assertEquals(DESIGN_EXAMPLE, WireFormat.parseBinary(b));
        assertEquals(DESIGN_EXAMPLE, WireFormat.parseEvent(b));
        assertEquals(DESIGN_EXAMPLE_HEX, Events.hex(Events.binary(DESIGN_EXAMPLE)));
    }

    @Test
    void everyTypeCodeAndTheBotFlag() throws Exception {
        EventType[] byCode = {EventType.SEND, EventType.DELIVERY, EventType.BOUNCE, EventType.OPEN,
            EventType.CLICK, EventType.CONVERSION, EventType.UNSUBSCRIBE, EventType.FLUSH};
        for (int code = 0; code < byCode.length; code++) {
            for (int bot = 0; bot <= 1; bot++) {
                byte[] b = Events.unhex(DESIGN_EXAMPLE_HEX);
                b[2] = (byte) code;
                b[3] = (byte) bot;
                EmailEvent e = WireFormat.parseEvent(b);
                assertEquals(byCode[code], e.type, "type code " + code);
                assertEquals(bot == 1, e.bot);
            }
        }
    }

    @Test
    void roundTripsExtremesAndVariants() throws Exception {
        List<EmailEvent> events = List.of(
                new EmailEvent(Long.MAX_VALUE, Long.MIN_VALUE, -1, EventType.UNSUBSCRIBE, Integer.MAX_VALUE,
                        "contrôle ✓ 🙂", Long.MAX_VALUE, true),
                new EmailEvent(0, 0, 0, EventType.SEND, Integer.MIN_VALUE, "", 0, false),
                new EmailEvent(-1, 0, 1764132020000L, EventType.FLUSH, 0, "", 0, false),
                new EmailEvent(1, 2, 3, EventType.CLICK, 4, "x".repeat(255), 5, false),            // longest
                new EmailEvent(1, 2, 3, EventType.CLICK, 4, "y".repeat(WireFormat.VariantCache.MAX_CACHED_BYTES + 1), 5,
                        false),                                                                    // not cached
                new EmailEvent(6, 7, 8, EventType.OPEN, 9, "A", 10, true),
                new EmailEvent(6, 7, 8, EventType.OPEN, 9, "B", 10, true));
        for (int round = 0; round < 2; round++) { // the second round decodes through the variant cache
            for (EmailEvent e : events) {
                assertEquals(e, WireFormat.parseEvent(Events.binary(e)));
            }
        }
    }

    @Test
    void variantStringsAreCachedButNeverConfused() throws Exception {
        EmailEvent a = WireFormat.parseBinary(Events.binary(Events.event(1, 1, EventType.SEND, 1, "ctl", 1)));
        EmailEvent b = WireFormat.parseBinary(Events.binary(Events.event(2, 1, EventType.SEND, 1, "ctl", 1)));
        assertSame(a.variant, b.variant);
        // Many distinct variants of equal length, colliding slots included: each decodes to itself.
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 500; i++) {
                String v = String.format("v%03d", i);
                assertEquals(v, WireFormat.parseBinary(Events.binary(Events.event(i, 1, EventType.SEND, 1, v, 1))).variant);
            }
        }
    }

    @Test
    void firstByteChoosesTheEncoding() throws Exception {
        String json = Events.json(DESIGN_EXAMPLE);
        for (String ws : List.of("", " ", "\n", "\t", "\r\n  ")) {
            assertEquals(DESIGN_EXAMPLE, WireFormat.parseEvent((ws + json).getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(DESIGN_EXAMPLE, WireFormat.parseEvent(Events.unhex(DESIGN_EXAMPLE_HEX)));
    }

    /** Named malformed binary records; each must be rejected, counted and dropped. */
    private static Map<String, byte[]> malformed() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        byte[] ok = Events.unhex(DESIGN_EXAMPLE_HEX);
        m.put("magic only", new byte[] {(byte) 0xAB});
        m.put("short: header minus one byte", Arrays.copyOf(ok, 40));
        m.put("short: header without variant", Arrays.copyOf(ok, 41));
        m.put("wrong magic", with(ok, 0, 0xAC));
        m.put("wrong magic 0x00", with(ok, 0, 0x00));
        m.put("version 0", with(ok, 1, 0x00));
        m.put("version 2", with(ok, 1, 0x02));
        m.put("version 0xff", with(ok, 1, 0xFF));
        m.put("type 8", with(ok, 2, 8));
        m.put("type 0xff", with(ok, 2, 0xFF));
        for (int bit = 1; bit < 8; bit++) {
            m.put("reserved flag bit " + bit, with(ok, 3, 1 << bit));
        }
        m.put("reserved flag bit with bot", with(ok, 3, 0x03));
        m.put("variant length overflow by 1", with(ok, 40, 2));
        m.put("variant length overflow 255", with(ok, 40, 255));
        m.put("trailing byte", Arrays.copyOf(ok, ok.length + 1));
        m.put("variant length 0 with a variant byte", with(ok, 40, 0));
        m.put("variant not UTF-8", with(ok, 41, 0xC3)); // a lone lead byte
        return m;
    }

    private static byte[] with(byte[] b, int offset, int value) {
        byte[] c = b.clone();
        c[offset] = (byte) value;
        return c;
    }

    @Test
    void rejectsMalformedBinaryRecords() {
        for (Map.Entry<String, byte[]> kv : malformed().entrySet()) {
            assertThrows(WireFormat.MalformedEventException.class, () -> WireFormat.parseEvent(kv.getValue()),
                    kv.getKey());
            assertThrows(WireFormat.MalformedEventException.class, () -> WireFormat.parseBinary(kv.getValue()),
                    kv.getKey());
        }
    }

    @Test
    void deserializerDropsAndCountsMalformedBinaryRecords() throws Exception {
        EmailEventDeserializationSchema schema = new EmailEventDeserializationSchema();
        ListCollector c = new ListCollector();
        Map<String, byte[]> bad = malformed();
        EmailEvent good = Events.event(7, 1000, EventType.CLICK, 2, "A", 11);
        schema.deserialize(Events.binary(good), c);
        for (byte[] b : bad.values()) {
            schema.deserialize(b, c);
            schema.deserialize(Events.unhex(DESIGN_EXAMPLE_HEX), c); // good records around bad ones still pass
        }
        schema.deserialize(new byte[0], c);
        assertEquals(bad.size() + 1, schema.malformedCounter().getCount());
        assertEquals(1 + bad.size(), c.out.size());
        assertEquals(good, c.out.get(0));
        assertTrue(c.out.subList(1, c.out.size()).stream().allMatch(DESIGN_EXAMPLE::equals));

        // The single-record variant counts too.
        assertEquals(null, schema.deserialize(bad.get("reserved flag bit 7")));
        assertEquals(bad.size() + 2, schema.malformedCounter().getCount());
    }
}
