package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.util.Collector;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The shared wire test vectors ({@code generators/testdata/wire-vectors.json}, also read by the
 * Go side): for every vector, the deserializer the job uses decodes both its exact JSON encoding
 * and its binary encoding to exactly the vector's event fields. The file is required: a missing
 * or empty one fails the test rather than skipping it.
 */
class WireVectorsTest {
    /** Relative to the module directory (surefire's working directory and {@code basedir}). */
    static final String VECTORS = "../../generators/testdata/wire-vectors.json";

    private static final String[] FIELDS =
            {"seq", "intended_ns", "event_time_ms", "type", "campaign", "variant", "recipient", "bot"};

    static Path vectorsPath() {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        return Path.of(base).resolve(VECTORS).toAbsolutePath().normalize();
    }

    @TestFactory
    List<DynamicTest> everyVectorDecodesInBothEncodings() throws Exception {
        Path path = vectorsPath();
        if (!Files.isRegularFile(path)) {
            fail("shared wire test vectors missing: " + path + " (DESIGN.md, \"Binary input encoding (v1)\"; "
                    + "they are written on the generators side and must exist for this test)");
        }
        JsonNode root = new ObjectMapper().readTree(path.toFile());
        assertTrue(root != null && root.isArray(), path + ": not a JSON array");
        assertFalse(root.isEmpty(), path + ": no vectors");

        List<DynamicTest> tests = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode v = root.get(i);
            String name = v.hasNonNull("name") ? v.get("name").asText() : "#" + i;
            assertTrue(names.add(name), path + ": duplicate vector name " + name);
            tests.add(DynamicTest.dynamicTest(name, () -> check(name, v)));
        }
        return tests;
    }

    private static void check(String name, JsonNode v) throws Exception {
        JsonNode ev = v.get("event");
        assertNotNull(ev, name + ": no \"event\"");
        assertTrue(v.path("json").isTextual(), name + ": no \"json\" string");
        assertTrue(v.path("binary_hex").isTextual(), name + ": no \"binary_hex\" string");
        EmailEvent expected = expectedEvent(name, ev);

        byte[] json = v.get("json").asText().getBytes(StandardCharsets.UTF_8);
        byte[] binary = Events.unhex(v.get("binary_hex").asText());
        assertEquals(WireFormat.BINARY_MAGIC, binary[0], name + ": binary_hex does not start with the magic");

        assertFields(name + " (json)", expected, decode(name + " (json)", json));
        assertFields(name + " (binary)", expected, decode(name + " (binary)", binary));
        // The test helper's encoder (used by the other tests) agrees with the shared bytes.
        assertEquals(v.get("binary_hex").asText(), Events.hex(Events.binary(expected)),
                name + ": Events.binary disagrees with binary_hex");
    }

    /** Through the job's deserializer, which picks the encoding by the first byte. */
    private static EmailEvent decode(String what, byte[] value) {
        EmailEventDeserializationSchema schema = new EmailEventDeserializationSchema();
        List<EmailEvent> out = new ArrayList<>();
        schema.deserialize(value, new Collector<>() {
            @Override
            public void collect(EmailEvent record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        assertEquals(0, schema.malformedCounter().getCount(), what + ": rejected as malformed");
        assertEquals(1, out.size(), what + ": records out");
        return out.get(0);
    }

    private static EmailEvent expectedEvent(String name, JsonNode ev) {
        for (String f : FIELDS) {
            assertTrue(ev.has(f), name + ": event lacks " + f);
        }
        EmailEvent e = new EmailEvent();
        e.seq = longField(name, ev, "seq");
        e.intendedNs = longField(name, ev, "intended_ns");
        e.eventTimeMs = longField(name, ev, "event_time_ms");
        e.type = EventType.fromWire(ev.get("type").asText());
        assertNotNull(e.type, name + ": unknown type " + ev.get("type"));
        long campaign = longField(name, ev, "campaign");
        assertEquals((int) campaign, campaign, name + ": campaign out of int32 range");
        e.campaign = (int) campaign;
        assertTrue(ev.get("variant").isTextual(), name + ": variant is not a string");
        e.variant = ev.get("variant").asText();
        e.recipient = longField(name, ev, "recipient");
        assertTrue(ev.get("bot").isBoolean(), name + ": bot is not a boolean");
        e.bot = ev.get("bot").asBoolean();
        return e;
    }

    private static long longField(String name, JsonNode ev, String f) {
        JsonNode n = ev.get(f);
        assertTrue(n.isIntegralNumber() && n.canConvertToLong(), name + ": " + f + " is not an int64: " + n);
        return n.longValue();
    }

    private static void assertFields(String what, EmailEvent exp, EmailEvent got) {
        assertAll(what,
                () -> assertEquals(exp.seq, got.seq, "seq"),
                () -> assertEquals(exp.intendedNs, got.intendedNs, "intended_ns"),
                () -> assertEquals(exp.eventTimeMs, got.eventTimeMs, "event_time_ms"),
                () -> assertEquals(exp.type, got.type, "type"),
                () -> assertEquals(exp.campaign, got.campaign, "campaign"),
                () -> assertEquals(exp.variant, got.variant, "variant"),
                () -> assertEquals(exp.recipient, got.recipient, "recipient"),
                () -> assertEquals(exp.bot, got.bot, "bot"),
                () -> assertFalse(got.duplicate, "duplicate"));
    }
}
