package dev.abload.jobs.ab;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test fixture of {@code --kafka-properties}: a Properties text with a password and PEM material
 * (multi-line, written both ways a Properties text allows), its encodings, and a check that none
 * of the secrets shows anywhere.
 */
final class KafkaSecrets {
    private KafkaSecrets() {}

    static final String PASSWORD = "s3cr3t-Pa55word!";
    static final String KEY_PASSWORD = "k3y-Pa55word?";
    /** Fake PEM (random bytes): {@link KafkaPropertiesTest} has a real one for Kafka's parser. */
    static final String KEY_PEM = pem("PRIVATE KEY", randomBytes(1, 600));
    static final String CERT_PEM = pem("CERTIFICATE", randomBytes(2, 450));

    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"abload\" password=\"" + PASSWORD + "\";";

    /** The settings of {@link #text()}, as a Kafka client gets them. */
    static final Map<String, String> SETTINGS = orderedMap(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", JAAS,
            "ssl.truststore.type", "PEM",
            "ssl.truststore.certificates", CERT_PEM,
            "ssl.keystore.type", "PEM",
            "ssl.keystore.certificate.chain", continuedValue(CERT_PEM),
            "ssl.keystore.key", continuedValue(KEY_PEM),
            "ssl.key.password", KEY_PASSWORD,
            "ssl.endpoint.identification.algorithm", "",
            "client.dns.lookup", "use_all_dns_ips");

    /** What {@link JobConfig#asMap()} shows for {@link #text()}. */
    static final String DESCRIPTION = "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512,"
            + " sasl.jaas.config=<redacted>, ssl.truststore.type=PEM,"
            + " ssl.truststore.certificates=<" + CERT_PEM.getBytes(StandardCharsets.UTF_8).length + " bytes PEM>,"
            + " ssl.keystore.type=PEM, ssl.keystore.certificate.chain=<redacted>, ssl.keystore.key=<redacted>,"
            + " ssl.key.password=<redacted>, ssl.endpoint.identification.algorithm=,"
            + " client.dns.lookup=use_all_dns_ips";

    /**
     * A Properties text of SASL_SSL with SCRAM-SHA-512 and PEM stores: the truststore's PEM with
     * {@code \n} escapes (as {@link java.util.Properties#store} writes it), the keystore's with
     * line continuations.
     */
    static String text() {
        return "# abload: a SASL_SSL cluster\n"
                + "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=" + JAAS + "\n"
                + "ssl.truststore.type=PEM\n"
                + "ssl.truststore.certificates=" + escaped(CERT_PEM) + "\n"
                + "ssl.keystore.type=PEM\n"
                + "ssl.keystore.certificate.chain=" + continued(CERT_PEM) + "\n"
                + "ssl.keystore.key=" + continued(KEY_PEM) + "\n"
                + "ssl.key.password=" + KEY_PASSWORD + "\n"
                + "ssl.endpoint.identification.algorithm=\n"
                + "client.dns.lookup=use_all_dns_ips\n";
    }

    /** {@code --kafka-properties} of {@code text}: standard base64 with padding. */
    static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The secrets of {@link #text()} and pieces of them that must never show. */
    static List<String> secrets() {
        List<String> s = new ArrayList<>(List.of(PASSWORD, KEY_PASSWORD, encode(text())));
        // The encoded value in pieces too (a prefix, a middle part).
        String encoded = encode(text());
        s.add(encoded.substring(0, 24));
        s.add(encoded.substring(encoded.length() / 2, encoded.length() / 2 + 24));
        for (String pem : new String[] {KEY_PEM, CERT_PEM}) {
            for (String line : pem.split("\n")) {
                if (!line.startsWith("-----")) {
                    s.add(line.substring(0, Math.min(line.length(), 16)));
                }
            }
        }
        return s;
    }

    /** Fails if {@code text} contains any of {@link #secrets()}. */
    static void assertNoSecret(String where, String text) {
        for (String secret : secrets()) {
            assertFalse(text.contains(secret), where + " shows a secret: " + secret.substring(0, 6) + "...");
        }
    }

    /** {@code -----BEGIN type-----}, the body in lines of 64, {@code -----END type-----}, ending in a newline. */
    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A multi-line value with {@code \n} escapes: one Properties line. */
    static String escaped(String multiLine) {
        return multiLine.replace("\n", "\\n");
    }

    /** A multi-line value as Properties continuation lines (a space before each backslash). */
    static String continued(String multiLine) {
        return String.join(" \\\n    ", multiLine.strip().split("\n"));
    }

    /** What Properties makes of {@link #continued}: the lines joined by single spaces. */
    static String continuedValue(String multiLine) {
        return String.join(" ", multiLine.strip().split("\n"));
    }

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
