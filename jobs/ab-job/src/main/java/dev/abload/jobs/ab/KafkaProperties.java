package dev.abload.jobs.ab;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code --kafka-properties}: the Kafka client settings (TLS, SASL) that reach a secured cluster,
 * passed as the base64 of a {@link Properties} text so that multi-line values (PEM certificates
 * and keys) travel as one program argument.
 *
 * <p>The value carries passwords and private keys, so nothing here ever puts it, or any decoded
 * value, into an exception message: errors name at most a key, and only a key that is a Kafka
 * setting or looks like one (dotted; a base64 line of a PEM, which {@link Properties#load} would
 * take for a key when a line continuation is missing, has no dot). {@link #describe} is the only view of the
 * decoded settings meant to be shown (job parameters, logs): keys with their values redacted.
 */
final class KafkaProperties {

    /** The option, for messages. */
    static final String OPTION = "--kafka-properties";

    /** Keys a Kafka client setting must start with (or equal {@link #DNS_LOOKUP}) to be accepted. */
    static final List<String> ALLOWED_PREFIXES = List.of("security.", "sasl.", "ssl.");
    static final String DNS_LOOKUP = "client.dns.lookup";

    /** Settings the job makes itself, from its own arguments: refused with a message saying so. */
    static final Set<String> JOB_OWNED = Set.of(
            "bootstrap.servers", "group.id", "linger.ms", "transaction.timeout.ms", "transactional.id",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

    /** The only keys whose values {@link #describe} shows (if they look like a plain word). */
    static final Set<String> SHOWN = Set.of(
            "security.protocol", "sasl.mechanism", "ssl.endpoint.identification.algorithm",
            "ssl.truststore.type", "ssl.keystore.type", DNS_LOOKUP);

    /** Shown as its size only. */
    static final String TRUSTSTORE_CERTIFICATES = "ssl.truststore.certificates";

    static final String REDACTED = "<redacted>";

    private static final List<String> SECURITY_PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /** A value {@link #describe} may show even of a {@link #SHOWN} key: one short word (SASL_SSL, SCRAM-SHA-512, https, PEM). */
    private static final Pattern PLAIN_VALUE = Pattern.compile("[A-Za-z0-9_.+-]{0,64}");

    /** A key that may appear in a message: dotted words, as every Kafka client setting is. */
    private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+");

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private KafkaProperties() {}

    /**
     * Decodes and checks a {@code --kafka-properties} value: "" = none (an empty map); else the
     * base64 (standard or URL-safe alphabet, padding optional; whitespace such as the line breaks
     * of {@code base64}'s wrapping is ignored) of a UTF-8 {@link Properties} text.
     *
     * @return the settings in the text's order, unmodifiable
     * @throws IllegalArgumentException naming the problem, and at most a key, never a value
     */
    static Map<String, String> decode(String value) {
        if (value.isEmpty()) {
            return Collections.emptyMap();
        }
        String base64 = WHITESPACE.matcher(value).replaceAll("").replace('-', '+').replace('_', '/');
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            // Not e.getMessage(): it quotes the offending character.
            throw new IllegalArgumentException(OPTION + " is not valid base64 (standard or URL-safe alphabet,"
                    + " padding optional); the value is not shown");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(OPTION + " does not decode to UTF-8 text; the value is not shown");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        List<String> repeated = new ArrayList<>();
        Properties reader = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object k, Object v) {
                if (ordered.put((String) k, (String) v) != null) {
                    repeated.add((String) k);
                }
                return super.put(k, v);
            }
        };
        try {
            reader.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(OPTION + " is not a valid java.util.Properties text"
                    + " (e.g. a malformed \\uXXXX escape); the value is not shown");
        }
        if (ordered.isEmpty()) {
            throw new IllegalArgumentException(OPTION + " decodes to no properties (give \"\" for none)");
        }
        for (String key : ordered.keySet()) {
            check(key);
        }
        if (!repeated.isEmpty()) {
            throw new IllegalArgumentException(OPTION + ": key " + repeated.get(0) + " is given more than once");
        }
        String protocol = ordered.get("security.protocol");
        if (protocol != null && !SECURITY_PROTOCOLS.contains(protocol.trim().toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException(OPTION + ": security.protocol must be one of "
                    + String.join(" | ", SECURITY_PROTOCOLS) + " (the value is not shown)");
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** Refuses a job-owned key, a key outside the allowed prefixes, and a key no Kafka client knows. */
    private static void check(String key) {
        if (JOB_OWNED.contains(key)) {
            throw new IllegalArgumentException(OPTION + ": key " + key + " is set by the job's own arguments");
        }
        boolean allowed = DNS_LOOKUP.equals(key) || ALLOWED_PREFIXES.stream().anyMatch(key::startsWith);
        if (!allowed) {
            String named = nameable(key)
                    ? "key " + key
                    : "a key that is not a property name (not shown: it may be part of a secret; does a multi-line"
                            + " value lack its line continuations?)";
            throw new IllegalArgumentException(OPTION + ": " + named + " is not allowed: only keys starting with "
                    + String.join(", ", ALLOWED_PREFIXES) + " and " + DNS_LOOKUP
                    + " (the clients' TLS and SASL settings)");
        }
        // Every setting reaches the source's consumer (and admin client) and the sinks' producers.
        if (!ProducerConfig.configNames().contains(key) || !ConsumerConfig.configNames().contains(key)) {
            throw new IllegalArgumentException(OPTION + ": key " + key
                    + " is not a setting of the Kafka producer and consumer (a typo?)");
        }
    }

    /**
     * Whether {@code key} may appear in a message: a Kafka client setting (public names such as
     * {@code acks}), or dotted words. A base64 line of a PEM has no dot, and a JAAS option
     * ({@code password="..."}) on a line of its own is no Kafka setting.
     */
    private static boolean nameable(String key) {
        return ProducerConfig.configNames().contains(key) || ConsumerConfig.configNames().contains(key)
                || (PROPERTY_NAME.matcher(key).matches() && key.length() <= 128);
    }

    /**
     * The settings with their values redacted, for the job parameters and logs: {@code key=value}
     * joined by {@code ", "} in the text's order, where only the values of {@link #SHOWN} keys
     * appear (and only if they are one plain word), {@code ssl.truststore.certificates} shows as
     * {@code <N bytes PEM>}, and every other value as {@code <redacted>}. "" for none.
     */
    static String describe(Map<String, String> settings) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append('=');
            String v = e.getValue();
            if (TRUSTSTORE_CERTIFICATES.equals(e.getKey())) {
                sb.append('<').append(v.getBytes(StandardCharsets.UTF_8).length).append(" bytes PEM>");
            } else if (SHOWN.contains(e.getKey()) && PLAIN_VALUE.matcher(v).matches()) {
                sb.append(v);
            } else {
                sb.append(REDACTED);
            }
        }
        return sb.toString();
    }
}
