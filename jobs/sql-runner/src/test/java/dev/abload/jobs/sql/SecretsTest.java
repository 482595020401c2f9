package dev.abload.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretsTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"abload\" password=\"hunter2-s3cret\";";

    @Test
    void masksWithOptionValuesOfSensitiveKeys() {
        String with = "WITH ('connector' = 'kafka', 'properties.sasl.jaas.config' = '" + JAAS + "',"
                + " 'properties.ssl.truststore.password'='tspw', 'properties.ssl.keystore.key' = '-----BEGIN KEY-----',"
                + " 'my.SECRET' = 'it''s hidden', 'api-Token' = 'tok', 'topic' = 'events')";
        assertEquals("WITH ('connector' = 'kafka', 'properties.sasl.jaas.config' = '******',"
                + " 'properties.ssl.truststore.password'='******', 'properties.ssl.keystore.key' = '******',"
                + " 'my.SECRET' = '******', 'api-Token' = '******', 'topic' = 'events')", Secrets.mask(with));
    }

    @Test
    void masksJaasJsonAndKeyValueForms() {
        assertEquals("ScramLoginModule required username=\"abload\" password=\"******\";",
                Secrets.mask("ScramLoginModule required username=\"abload\" password=\"hunter2\";"));
        assertEquals("{\"token\": \"******\", \"user\": \"u\"}", Secrets.mask("{\"token\": \"t\\\"x\", \"user\": \"u\"}"));
        assertEquals("password=****** user=u", Secrets.mask("password=pw1 user=u"));
        assertEquals("sasl.jaas.config: ******, next", Secrets.mask("sasl.jaas.config: abc, next"));
    }

    @Test
    void masksFlinksTableOptionsListing() {
        String msg = "Unable to create a sink for writing table 'default_catalog.default_database.ab_updates'.\n\n"
                + "Table options are:\n\n'connector'='kafka'\n'properties.sasl.jaas.config'='" + JAAS + "'\n"
                + "'topic'='u'";
        String masked = Secrets.mask(msg);
        assertFalse(masked.contains("hunter2"), masked);
        assertTrue(masked.contains("'properties.sasl.jaas.config'='******'\n'topic'='u'"), masked);
    }

    @Test
    void aValueCutOpenIsMaskedToTheEnd() {
        assertEquals("'sasl.jaas.config' = '******", Secrets.mask("'sasl.jaas.config' = 'org.apache.kafka.common.sec"));
        assertEquals("password=\"******", Secrets.mask("password=\"abc"));
        assertEquals("'password' = ", Secrets.mask("'password' = "));
    }

    @Test
    void leavesOtherTextAlone() {
        String plain = "CREATE TABLE t (password STRING, token_count INT) WITH ('topic' = 'pass', 'group' = 'secretive-team')";
        // Column names and values of non-sensitive keys stay; no key = value pair names a secret here.
        assertEquals(plain, Secrets.mask(plain));
        assertEquals("", Secrets.mask(""));
        assertEquals(null, Secrets.mask(null));
        assertTrue(Secrets.isSensitiveKey("properties.sasl.jaas.config"));
        assertTrue(Secrets.isSensitiveKey("properties.SSL.KEYSTORE.KEY"));
        assertFalse(Secrets.isSensitiveKey("properties.bootstrap.servers"));
    }

    @Test
    void redactorReplacesTheScriptsSecretsWherever_theyAppear() {
        String script = "CREATE TABLE t (a INT) WITH ('properties.sasl.jaas.config' = '" + JAAS + "', 'x' = 'y');";
        Secrets.Redactor r = Secrets.redactor(script);
        assertEquals(2, r.secretCount()); // the JAAS config and the password inside it
        // An exception that quotes the password without its key is still redacted.
        assertEquals("login failed for hunter: ******", r.redact("login failed for hunter: hunter2-s3cret"));
        RuntimeException sanitized = r.sanitize(new IllegalStateException("outer " + JAAS,
                new IllegalArgumentException("inner hunter2-s3cret")));
        assertEquals("java.lang.IllegalStateException: outer ******", sanitized.getMessage());
        assertEquals("java.lang.IllegalArgumentException: inner ******", sanitized.getCause().getMessage());
        assertEquals(IllegalStateException.class.getName() + ": outer ******", sanitized.toString());
    }
}
