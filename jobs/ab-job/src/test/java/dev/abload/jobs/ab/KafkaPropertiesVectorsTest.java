package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared {@code --kafka-properties} vectors ({@code harness/env/external/testdata/kafka-properties-vectors.json},
 * written and checked by the Go harness's tests): for every vector, the job decodes the argument the
 * harness passes to exactly the vector's properties, in order. The file is required: a missing or
 * empty one fails the test rather than skipping it.
 */
class KafkaPropertiesVectorsTest {
    /** Relative to the module directory (surefire's working directory and {@code basedir}). */
    static final String VECTORS = "../../harness/env/external/testdata/kafka-properties-vectors.json";

    @TestFactory
    List<DynamicTest> everyVectorDecodesToItsProperties() throws Exception {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        Path path = Path.of(base).resolve(VECTORS).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            fail("shared --kafka-properties vectors missing: " + path
                    + " (written by the harness's TestKafkaPropertiesVectors; they must exist for this test)");
        }
        JsonNode root = new ObjectMapper().readTree(path.toFile());
        assertTrue(root != null && root.isArray() && root.size() >= 5, path + ": not an array of at least 5 vectors");
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode v : root) {
            String name = v.get("name").asText();
            assertTrue(names.add(name), path + ": duplicate vector name " + name);
            Map<String, String> want = new LinkedHashMap<>();
            for (JsonNode kv : v.get("properties")) {
                assertEquals(2, kv.size(), name + ": a property is a [key, value] pair");
                want.put(kv.get(0).asText(), kv.get(1).asText());
            }
            String arg = v.get("arg").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Map<String, String> got = KafkaProperties.decode(arg);
                assertEquals(new ArrayList<>(want.entrySet()), new ArrayList<>(got.entrySet()), name);
                // The same argument passes the job's whole command line.
                JobConfig c = JobConfig.parse(new String[] {"--bootstrap-servers", "k:9092", "--input-topic", "in",
                        "--kafka-properties", arg});
                assertEquals(want, new LinkedHashMap<>(c.kafkaProperties()), name);
            }));
        }
        return tests;
    }
}
