package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The JSON contract of DESIGN.md: parsing input events and formatting updates and windows. */
class WireFormatTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static EmailEvent parse(String s) throws Exception {
        return WireFormat.parseEvent(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesTheDesignExample() throws Exception {
        EmailEvent e = parse("{\"seq\":12,\"intended_ns\":1764132000123456789,\"event_time_ms\":1764132000123,\n"
                + " \"type\":\"open\",\"campaign\":3,\"variant\":\"B\",\"recipient\":48213,\"bot\":false}");
        assertEquals(new EmailEvent(12, 1764132000123456789L, 1764132000123L, EventType.OPEN, 3, "B", 48213, false), e);
    }

    @Test
    void ignoresUnknownFieldsOfAnyShapeAndFieldOrder() throws Exception {
        EmailEvent e = parse("{\"x\":{\"a\":[1,{\"b\":2}],\"c\":null},\"bot\":true,\"recipient\":7,\"variant\":\"A\","
                + "\"campaign\":0,\"type\":\"click\",\"event_time_ms\":5,\"intended_ns\":6,\"seq\":0,\"y\":[]}");
        assertEquals(new EmailEvent(0, 6, 5, EventType.CLICK, 0, "A", 7, true), e);
    }

    @Test
    void botIsOptional() throws Exception {
        EmailEvent e = parse("{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"send\","
                + "\"campaign\":4,\"variant\":\"A\",\"recipient\":5}");
        assertFalse(e.bot);
        assertEquals(EventType.SEND, e.type);
    }

    @Test
    void flushNeedsOnlyTypeAndEventTime() throws Exception {
        EmailEvent e = parse("{\"seq\":-1,\"intended_ns\":0,\"event_time_ms\":1764132020000,\"type\":\"flush\"}");
        assertEquals(EventType.FLUSH, e.type);
        assertEquals(-1, e.seq);
        assertEquals(1764132020000L, e.eventTimeMs);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not json",
        "[1,2]",
        "\"open\"",
        "{\"seq\":1,",
        "{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"open\",\"campaign\":4,\"variant\":\"A\"}",
        "{\"seq\":\"1\",\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"open\",\"campaign\":4,\"variant\":\"A\",\"recipient\":5}",
        "{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3.5,\"type\":\"open\",\"campaign\":4,\"variant\":\"A\",\"recipient\":5}",
        "{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"opened\",\"campaign\":4,\"variant\":\"A\",\"recipient\":5}",
        "{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"open\",\"campaign\":99999999999,\"variant\":\"A\",\"recipient\":5}",
        "{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"open\",\"campaign\":4,\"variant\":null,\"recipient\":5}",
        "{\"seq\":1,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"open\",\"campaign\":4,\"variant\":\"A\",\"recipient\":5,\"bot\":\"no\"}",
        "{\"seq\":99999999999999999999,\"intended_ns\":2,\"event_time_ms\":3,\"type\":\"open\",\"campaign\":4,\"variant\":\"A\",\"recipient\":5}",
        "{\"type\":\"flush\"}",
    })
    void rejectsMalformedRecords(String s) {
        assertThrows(WireFormat.MalformedEventException.class, () -> parse(s));
    }

    @Test
    void rejectsNullValue() {
        assertThrows(WireFormat.MalformedEventException.class, () -> WireFormat.parseEvent(null));
    }

    @Test
    void deserializerCountsAndDropsMalformedRecords() throws Exception {
        EmailEventDeserializationSchema schema = new EmailEventDeserializationSchema();
        List<EmailEvent> out = new ArrayList<>();
        Collector<EmailEvent> collector = new Collector<>() {
            @Override
            public void collect(EmailEvent record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
        EmailEvent good = Events.event(1, 1000, EventType.SEND, 1, "A", 10);
        schema.deserialize(Events.json(good).getBytes(StandardCharsets.UTF_8), collector);
        schema.deserialize("{\"seq\":".getBytes(StandardCharsets.UTF_8), collector);
        schema.deserialize(null, collector);
        schema.deserialize(Events.json(Events.flush(2000)).getBytes(StandardCharsets.UTF_8), collector);
        assertEquals(2, out.size());
        assertEquals(good, out.get(0));
        assertEquals(EventType.FLUSH, out.get(1).type);
        assertEquals(2, schema.malformedCounter().getCount());
        assertEquals(null, schema.deserialize("garbage".getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, schema.malformedCounter().getCount());
    }

    @Test
    void formatsUpdateExactly() {
        EmailEvent e = new EmailEvent(12, 1764132000123456789L, 1764132000123L, EventType.OPEN, 3, "B", 48213, false);
        Counts c = new Counts();
        c.sends = 10;
        c.deliveries = 9;
        c.bounces = 1;
        c.opens = 7;
        c.uniqueOpens = 5;
        c.clicks = 2;
        c.uniqueClicks = 2;
        c.conversions = 1;
        assertEquals("{\"seq\":12,\"intended_ns\":1764132000123456789,\"event_time_ms\":1764132000123,"
                + "\"status\":\"accepted\",\"type\":\"open\","
                + "\"campaign\":3,\"variant\":\"B\","
                + "\"counts\":{\"sends\":10,\"deliveries\":9,\"bounces\":1,\"opens\":7,\"bot_opens\":0,\"unique_opens\":5,"
                + "\"clicks\":2,\"unique_clicks\":2,\"conversions\":1,\"unsubscribes\":0}}", WireFormat.update(e, c));
        e.duplicate = true;
        assertTrue(WireFormat.update(e, c).contains("\"status\":\"duplicate\""));
    }

    @Test
    void formatsLateWithoutCounts() {
        EmailEvent e = new EmailEvent(4, 99, 5, EventType.CLICK, 2, "A", 1, false);
        assertEquals("{\"seq\":4,\"intended_ns\":99,\"event_time_ms\":5,\"status\":\"late\",\"type\":\"click\","
                + "\"campaign\":2,\"variant\":\"A\"}",
                WireFormat.late(e));
    }

    @Test
    void formatsWindowExactly() {
        WindowAccumulator acc = new WindowAccumulator();
        acc.events = 1234;
        acc.maxIntendedNs = 1764132009998000000L;
        acc.sends = 1;
        acc.unsubscribes = 2;
        StringBuilder sb = new StringBuilder();
        WireFormat.appendWindow(sb, 3, "B", 1764132000000L, 1764132010000L, acc);
        assertEquals("{\"campaign\":3,\"variant\":\"B\",\"window_start_ms\":1764132000000,\"window_end_ms\":1764132010000,"
                + "\"events\":1234,\"max_intended_ns\":1764132009998000000,"
                + "\"counts\":{\"sends\":1,\"deliveries\":0,\"bounces\":0,\"opens\":0,\"bot_opens\":0,\"unique_opens\":0,"
                + "\"clicks\":0,\"unique_clicks\":0,\"conversions\":0,\"unsubscribes\":2}}", sb.toString());
    }

    /** Input JSON → parse → update JSON → a general-purpose JSON reader sees the same values. */
    @Test
    void roundTripThroughAGenericJsonReader() throws Exception {
        String weird = "v\"\\\n\t\u0001é";
        EmailEvent in = new EmailEvent(Long.MAX_VALUE, Long.MIN_VALUE, 1764132000123L, EventType.UNSUBSCRIBE,
                Integer.MAX_VALUE, weird, Long.MAX_VALUE, true);
        EmailEvent parsed = WireFormat.parseEvent(Events.json(in).getBytes(StandardCharsets.UTF_8));
        assertEquals(in, parsed);

        Counts c = new Counts();
        c.add(parsed);
        JsonNode u = MAPPER.readTree(WireFormat.update(parsed, c));
        assertEquals(Long.MAX_VALUE, u.get("seq").asLong());
        assertEquals(Long.MIN_VALUE, u.get("intended_ns").asLong());
        assertEquals(1764132000123L, u.get("event_time_ms").asLong());
        assertEquals("accepted", u.get("status").asText());
        assertEquals("unsubscribe", u.get("type").asText());
        assertEquals(Integer.MAX_VALUE, u.get("campaign").asInt());
        assertEquals(weird, u.get("variant").asText());
        assertEquals(1, u.get("counts").get("unsubscribes").asLong());
        assertEquals(10, u.get("counts").size());

        JsonNode l = MAPPER.readTree(WireFormat.late(parsed));
        assertEquals("late", l.get("status").asText());
        assertEquals(1764132000123L, l.get("event_time_ms").asLong());
        assertEquals(weird, l.get("variant").asText());
        assertFalse(l.has("counts"));
    }
}
