package dev.abload.jobs.ab;

import static dev.abload.jobs.ab.KafkaSecrets.assertNoSecret;
import static dev.abload.jobs.ab.KafkaSecrets.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code --kafka-properties}: decoding (every base64 flavour, multi-line PEM values), the
 * allowed keys, redaction in the job parameters, error messages that never echo a secret, and
 * that the Kafka clients accept the settings (real PEM material, SASL_SSL with SCRAM).
 */
class KafkaPropertiesTest {

    private static final String[] BASE = {"--bootstrap-servers", "k:9092", "--input-topic", "in"};

    private static JobConfig parse(String... extra) {
        return JobConfig.parse(Stream.concat(Stream.of(BASE), Stream.of(extra)).toArray(String[]::new));
    }

    /** Parsing with {@code --kafka-properties <base64 of text>} fails; returns the message. */
    private static String failure(String text) {
        return failureOfValue(encode(text));
    }

    private static String failureOfValue(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--kafka-properties", value));
        String m = e.getMessage();
        assertTrue(m.contains("Usage:"), m);
        assertFalse(m.contains(value), "the message echoes the value");
        assertEquals(null, e.getCause(), "a cause's message might quote the value");
        assertNoSecret("the message", m);
        return m;
    }

    private static Map<String, String> asMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    @Test
    void decodesEveryBase64FlavourToTheSameSettings() {
        byte[] utf8 = KafkaSecrets.text().getBytes(StandardCharsets.UTF_8);
        List<String> values = List.of(
                Base64.getEncoder().encodeToString(utf8),
                Base64.getEncoder().withoutPadding().encodeToString(utf8),
                Base64.getUrlEncoder().encodeToString(utf8),
                Base64.getUrlEncoder().withoutPadding().encodeToString(utf8),
                // What `base64` prints: wrapped lines (whitespace is ignored).
                Base64.getMimeEncoder().encodeToString(utf8) + "\n");
        // The text is long enough that its base64 is not padding-free by chance.
        assertTrue(values.get(0).endsWith("="), "fixture: the standard encoding should be padded");
        for (String v : values) {
            JobConfig c = parse("--kafka-properties", v);
            assertEquals(KafkaSecrets.SETTINGS, asMap(c.kafkaProperties()), v.substring(0, 8));
            assertEquals(KafkaSecrets.DESCRIPTION, c.asMap().get("kafka-properties"));
        }
        JobConfig c = parse("--kafka-properties=" + values.get(3));
        // The multi-line values: \n escapes keep the PEM's lines, continuations join them with spaces.
        assertEquals(KafkaSecrets.CERT_PEM, c.kafkaProperties().getProperty("ssl.truststore.certificates"));
        assertTrue(c.kafkaProperties().getProperty("ssl.keystore.key").startsWith("-----BEGIN PRIVATE KEY----- "));
        // A fresh copy each time: a caller cannot change the config's settings.
        c.kafkaProperties().setProperty("security.protocol", "PLAINTEXT");
        assertEquals("SASL_SSL", c.kafkaProperties().getProperty("security.protocol"));
        // A UTF-8 byte-order mark is dropped; non-ASCII values are UTF-8.
        JobConfig bom = parse("--kafka-properties",
                encode("\uFEFFsecurity.protocol=SASL_PLAINTEXT\nsasl.jaas.config=x password=\"pä55\";\n"));
        assertEquals(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.jaas.config", "x password=\"pä55\";"),
                asMap(bom.kafkaProperties()));
    }

    @Test
    void noneByDefault() {
        JobConfig c = parse();
        assertTrue(c.kafkaProperties().isEmpty());
        assertEquals("", c.asMap().get("kafka-properties"));
        assertEquals("", c.kafkaPropertiesDescription());
        assertTrue(AbTestJob.kafkaClientProperties(c).isEmpty());
        assertTrue(parse("--kafka-properties", "").kafkaProperties().isEmpty());
        assertTrue(c.toString().endsWith("kafkaProperties=[]}"), c.toString());
    }

    @Test
    void theJobParametersShowKeysWithRedactedValuesOnly() {
        String value = encode(KafkaSecrets.text());
        JobConfig c = parse("--kafka-properties", value);
        assertEquals(KafkaSecrets.DESCRIPTION, c.asMap().get("kafka-properties"));
        assertEquals(KafkaSecrets.DESCRIPTION, c.kafkaPropertiesDescription());
        for (Map.Entry<String, String> e : c.asMap().entrySet()) {
            assertNoSecret("asMap " + e.getKey(), e.getValue());
            assertNoSecret("asMap key", e.getKey());
        }
        assertNoSecret("toString", c.toString());
        assertTrue(c.toString().contains("kafkaProperties=[" + KafkaSecrets.DESCRIPTION + "]"), c.toString());
        assertNoSecret("usage", JobConfig.usage());

        // Only the listed keys' values show, and only when they are one plain word: a value that
        // swallowed the next line (a continuation by mistake) is redacted too.
        JobConfig merged = parse("--kafka-properties", encode("security.protocol=SASL_SSL\n"
                + "sasl.mechanism=PLAIN \\\n sasl.jaas.config=x password=\"" + KafkaSecrets.PASSWORD + "\";\n"
                + "ssl.truststore.location=/etc/kafka/ca.p12\nssl.truststore.password=" + KafkaSecrets.PASSWORD
                + "\n"));
        assertEquals("security.protocol=SASL_SSL, sasl.mechanism=<redacted>, ssl.truststore.location=<redacted>,"
                + " ssl.truststore.password=<redacted>", merged.asMap().get("kafka-properties"));
        assertNoSecret("asMap", merged.asMap().toString());
    }

    @Test
    void malformedValuesFailWithoutEchoingThem() {
        String good = encode(KafkaSecrets.text());
        // A character outside both alphabets, in the middle of the secret value.
        String m = failureOfValue(good.substring(0, 100) + "*" + good.substring(100));
        assertTrue(m.contains("--kafka-properties is not valid base64"), m);
        // A lone trailing character (no whole byte).
        StringBuilder lone = new StringBuilder(good.replace("=", ""));
        while (lone.length() % 4 != 1) {
            lone.append('A');
        }
        assertTrue(failureOfValue(lone.toString()).contains("not valid base64"));
        // Not UTF-8 (a secret in Latin-1).
        String latin1 = Base64.getEncoder().encodeToString(("sasl.jaas.config=x password=\"p\u00e4"
                + KafkaSecrets.PASSWORD + "\";").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(failureOfValue(latin1).contains("--kafka-properties does not decode to UTF-8 text"));
        // Not a Properties text.
        m = failure("ssl.key.password=" + KafkaSecrets.PASSWORD + "\\u00zz\n");
        assertTrue(m.contains("--kafka-properties is not a valid java.util.Properties text"), m);
        // Nothing in it.
        assertTrue(failure("# only a comment\n\n").contains("--kafka-properties decodes to no properties"));
        // A bad protocol: named, the value not.
        m = failure("security.protocol=" + KafkaSecrets.PASSWORD + "\n");
        assertTrue(m.contains("--kafka-properties: security.protocol must be one of PLAINTEXT | SSL | SASL_PLAINTEXT"
                + " | SASL_SSL"), m);
        assertEquals("sasl_ssl", parse("--kafka-properties", encode("security.protocol=sasl_ssl"))
                .kafkaProperties().getProperty("security.protocol"));
        // Repeated.
        m = failure("ssl.key.password=a\nssl.key.password=" + KafkaSecrets.PASSWORD + "\n");
        assertTrue(m.contains("--kafka-properties: key ssl.key.password is given more than once"), m);
    }

    @Test
    void refusesTheJobsOwnSettings() {
        for (String key : new String[] {"bootstrap.servers", "group.id", "linger.ms", "transaction.timeout.ms",
            "transactional.id", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
            String m = failure(KafkaSecrets.text() + key + "=" + KafkaSecrets.PASSWORD + "\n");
            assertTrue(m.contains("--kafka-properties: key " + key + " is set by the job's own arguments"), m);
        }
    }

    @Test
    void refusesKeysOutsideTheAllowedPrefixesAndTypos() {
        String m = failure(KafkaSecrets.text() + "acks=all\n");
        assertTrue(m.contains("--kafka-properties: key acks is not allowed: only keys starting with security., sasl.,"
                + " ssl. and client.dns.lookup"), m);
        m = failure("security.protocol=SSL\nenable.idempotence=false\n");
        assertTrue(m.contains("key enable.idempotence is not allowed"), m);
        // A typo under an allowed prefix: Kafka would ignore it (with a warning), the job refuses it.
        m = failure("ssl.truststore.certifcates=" + KafkaSecrets.escaped(KafkaSecrets.CERT_PEM) + "\n");
        assertTrue(m.contains("--kafka-properties: key ssl.truststore.certifcates is not a setting of the Kafka"
                + " producer and consumer"), m);
        // A PEM without its line continuations: Properties takes its base64 lines for keys, which
        // are secret material and must not be named.
        m = failure("security.protocol=SSL\nssl.keystore.key=" + KafkaSecrets.KEY_PEM);
        assertTrue(m.contains("--kafka-properties: a key that is not a property name (not shown"), m);
        // A JAAS line of its own: "password" is not dotted, so it is not named either.
        m = failure("sasl.jaas.config=x required\npassword=\"" + KafkaSecrets.PASSWORD + "\";\n");
        assertTrue(m.contains("a key that is not a property name"), m);
        // Every allowed family and client.dns.lookup pass.
        assertEquals(4, parse("--kafka-properties", encode("security.providers=\nsasl.login.connect.timeout.ms=5000\n"
                + "ssl.protocol=TLSv1.3\nclient.dns.lookup=resolve_canonical_bootstrap_servers_only\n"))
                .kafkaProperties().size());
    }

    @Test
    void aStrayTokenIsNotEchoedNextToKafkaProperties() {
        String value = encode(KafkaSecrets.text());
        // The value split in two (e.g. by the shell): the second half is a stray token.
        String first = value.substring(0, value.length() / 2);
        String second = value.substring(value.length() / 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--kafka-properties", first, second));
        assertTrue(e.getMessage().contains("unexpected argument #7 (not shown, as --kafka-properties is given"),
                e.getMessage());
        assertFalse(e.getMessage().contains(second.substring(0, 12)));
        assertNoSecret("the message", e.getMessage());
        // Without --kafka-properties the token still shows, as before.
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("stray")).getMessage()
                .contains("unexpected argument 'stray'"));
        // Given twice: refused, neither value echoed.
        e = assertThrows(IllegalArgumentException.class,
                () -> parse("--kafka-properties", value, "--kafka-properties=" + value));
        assertTrue(e.getMessage().contains("--kafka-properties given more than once"), e.getMessage());
        assertNoSecret("the message", e.getMessage());
    }

    /**
     * The Kafka clients themselves accept the settings: a consumer, an admin client (the
     * source's) and a producer (the sinks') are constructed with SASL_SSL, SCRAM-SHA-512 and PEM
     * stores from real key material, in both multi-line forms. Constructing a client sets up its
     * SSL context (parsing the PEM certificates and the PKCS#8 key) and SASL login; no broker is
     * needed. A PEM that Kafka cannot parse fails the same construction (the control).
     */
    @Test
    void kafkaClientsAcceptTheSettings(@TempDir Path dir) throws Exception {
        String[] material = keyAndCertificate(dir);
        String keyPem = material[0];
        String certPem = material[1];
        String text = "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=" + KafkaSecrets.JAAS + "\n"
                + "ssl.truststore.type=PEM\n"
                + "ssl.truststore.certificates=" + KafkaSecrets.escaped(certPem) + "\n"
                + "ssl.keystore.type=PEM\n"
                + "ssl.keystore.certificate.chain=" + KafkaSecrets.continued(certPem) + "\n"
                + "ssl.keystore.key=" + KafkaSecrets.escaped(keyPem) + "\n"
                + "ssl.endpoint.identification.algorithm=https\n";
        JobConfig c = parse("--kafka-properties", Base64.getUrlEncoder().withoutPadding()
                .encodeToString(text.getBytes(StandardCharsets.UTF_8)));
        construct(AbTestJob.kafkaClientProperties(c));

        // The continuation form of the key works too.
        construct(AbTestJob.kafkaClientProperties(parse("--kafka-properties",
                encode(text.replace(KafkaSecrets.escaped(keyPem), KafkaSecrets.continued(keyPem))))));

        // Control: a certificate whose BEGIN line runs into its body is no PEM to Kafka.
        Properties broken = AbTestJob.kafkaClientProperties(c);
        broken.setProperty("ssl.truststore.certificates", certPem.replace("-----\n", "-----"));
        KafkaException e = assertThrows(KafkaException.class, () -> construct(broken));
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            causes.append(t.getMessage()).append('\n');
        }
        assertTrue(causes.toString().contains("No matching CERTIFICATE entries in PEM"), causes.toString());
    }

    /** Constructs and closes a consumer, an admin client and a producer with {@code security} (no broker needed). */
    private static void construct(Properties security) {
        Properties p = new Properties();
        p.putAll(security);
        p.setProperty("bootstrap.servers", "127.0.0.1:1");
        Properties consumer = new Properties();
        consumer.putAll(p);
        consumer.setProperty("group.id", "g");
        consumer.setProperty("key.deserializer", ByteArrayDeserializer.class.getName());
        consumer.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        new KafkaConsumer<byte[], byte[]>(consumer).close(Duration.ZERO);
        Admin.create(p).close(Duration.ZERO);
        Properties producer = new Properties();
        producer.putAll(p);
        producer.setProperty("key.serializer", ByteArraySerializer.class.getName());
        producer.setProperty("value.serializer", ByteArraySerializer.class.getName());
        new KafkaProducer<byte[], byte[]>(producer).close(Duration.ZERO);
    }

    /** A fresh EC key (PKCS#8 PEM) and its self-signed certificate (PEM), made with the JDK's keytool. */
    private static String[] keyAndCertificate(Path dir) throws Exception {
        Path store = dir.resolve("test.p12");
        char[] pass = "test-store".toCharArray();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "abload", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(pass), "-keypass", new String(pass))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, pass);
        }
        return new String[] {
            KafkaSecrets.pem("PRIVATE KEY", ks.getKey("abload", pass).getEncoded()),
            KafkaSecrets.pem("CERTIFICATE", ks.getCertificate("abload").getEncoded())
        };
    }
}
