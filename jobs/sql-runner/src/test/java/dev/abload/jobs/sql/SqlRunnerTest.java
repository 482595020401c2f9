package dev.abload.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Arguments, script decoding and the statement handling of {@link SqlRunner#prepare} (no cluster). */
class SqlRunnerTest {
    // Multi-byte characters so that the encodings contain '+' / '/' (standard) and '-' / '_' (URL).
    private static final String SCRIPT = "-- Grüße ~~~ ??? ÿÿÿ >>> €\nSELECT 'ä€ß!';";

    @Test
    void argsNeedSqlAndTakeAnOptionalJobName() {
        SqlRunner.Args a = SqlRunner.Args.parse("--sql", "U0VMRUNU", "--job-name", "my job");
        assertEquals("U0VMRUNU", a.sql());
        assertEquals("my job", a.jobName());
        a = SqlRunner.Args.parse("--job-name=n", "--sql=U0VMRUNU==");
        assertEquals("U0VMRUNU==", a.sql());
        assertEquals("n", a.jobName());
        assertNull(SqlRunner.Args.parse("--sql", "x").jobName());
        assertFalse(SqlRunner.Args.parse("--sql", "c2VjcmV0").toString().contains("c2VjcmV0"));

        assertTrue(assertThrows(IllegalArgumentException.class, SqlRunner.Args::parse).getMessage()
                .startsWith("--sql is required\nusage:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.Args.parse("--sql"))
                .getMessage().startsWith("--sql needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.Args.parse("--sql", "a", "--sql", "b"))
                .getMessage().startsWith("--sql given twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.Args.parse("--sql", "a", "--parallelism", "2"))
                .getMessage().startsWith("unknown argument --parallelism"));
        // A stray value is named by its position, never echoed (it could be the script).
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.Args.parse("c2VjcmV0", "--sql", "a"))
                .getMessage().startsWith("unknown argument #1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.Args.parse("--sql", "a", "--job-name", " "))
                .getMessage().startsWith("--job-name is empty"));
    }

    @Test
    void decodesStandardAndUrlBase64WithOrWithoutPadding() {
        byte[] utf8 = SCRIPT.getBytes(StandardCharsets.UTF_8);
        String std = Base64.getEncoder().encodeToString(utf8);
        String url = Base64.getUrlEncoder().encodeToString(utf8);
        assertTrue(std.contains("+") || std.contains("/"), std);
        assertTrue(url.contains("-") || url.contains("_"), url);
        assertTrue(std.endsWith("="), "the test wants a padded encoding: " + std);
        for (String enc : new String[] {std, url, std.replace("=", ""), url.replace("=", ""),
                                        "  " + std.substring(0, 10) + "\n" + std.substring(10) + "\n"}) {
            assertEquals(SCRIPT, SqlRunner.decodeScript(enc), enc);
        }
        // A byte-order mark is dropped.
        byte[] bom = ("\uFEFF" + SCRIPT).getBytes(StandardCharsets.UTF_8);
        assertEquals(SCRIPT, SqlRunner.decodeScript(Base64.getEncoder().encodeToString(bom)));
    }

    @Test
    void refusesWhatIsNotBase64OfUtf8Text() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.decodeScript("SELECT 1;"))
                .getMessage().startsWith("--sql is not base64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SqlRunner.decodeScript("ab=c"))
                .getMessage().startsWith("--sql is not base64"));
        String latin1 = Base64.getEncoder().encodeToString("SELECT 'é'".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("--sql does not decode to UTF-8 text",
                assertThrows(IllegalArgumentException.class, () -> SqlRunner.decodeScript(latin1)).getMessage());
        assertEquals("--sql decodes to an empty script", assertThrows(IllegalArgumentException.class,
                () -> SqlRunner.decodeScript(Base64.getEncoder().encodeToString(" \n".getBytes(StandardCharsets.UTF_8))))
                .getMessage());
    }

    private static TableEnvironment tableEnv() {
        return TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }

    private static final String TABLES = "CREATE TEMPORARY TABLE src (a BIGINT) WITH ('connector' = 'datagen');\n"
            + "CREATE TEMPORARY TABLE dst (a BIGINT) WITH ('connector' = 'blackhole');\n";

    @Test
    void runsSetAndDdlAndCollectsEveryInsertIntoOneStatementSet() {
        TableEnvironment t = tableEnv();
        SqlRunner.Plan plan = SqlRunner.prepare(t, "SET 'table.exec.source.idle-timeout' = '2 s'; -- idle\n"
                + "SET pipeline.name = from_script;\n"
                + TABLES
                + "INSERT INTO dst SELECT a FROM src;\n"
                + "EXECUTE INSERT INTO dst SELECT a + 1 FROM src;\n"
                + "EXECUTE STATEMENT SET BEGIN\n INSERT INTO dst SELECT a + 2 FROM src;\n"
                + " INSERT INTO dst SELECT a + 3 FROM src;\nEND;\n"
                + "BEGIN STATEMENT SET;\nINSERT INTO dst SELECT a + 4 FROM src;\nEND");
        assertEquals(5, plan.insertCount());
        assertEquals("2 s", t.getConfig().getConfiguration().toMap().get("table.exec.source.idle-timeout"));
        assertEquals("from_script", t.getConfig().getConfiguration().toMap().get("pipeline.name"));
        // Planned together: one execution plan, one (reused) source scan, all five INSERTs (the
        // planner even merges INSERTs into the same table into one sink).
        String explained = plan.explain();
        String execution = explained.substring(explained.indexOf("== Optimized Execution Plan =="));
        assertEquals(1, execution.split("TableSourceScan\\(", -1).length - 1, execution);
        for (int i = 1; i <= 4; i++) {
            assertTrue(execution.contains("(a + " + i + ")"), execution);
        }
    }

    @Test
    void refusesScriptsThatWouldNotRunAsOneJob() {
        SqlRunnerException e = assertThrows(SqlRunnerException.class, () -> SqlRunner.prepare(tableEnv(), TABLES));
        assertTrue(e.getMessage().startsWith("the SQL script has no INSERT statement"), e.getMessage());

        e = assertThrows(SqlRunnerException.class,
                () -> SqlRunner.prepare(tableEnv(), TABLES + "SELECT * FROM src;\nINSERT INTO dst SELECT a FROM src;"));
        assertTrue(e.getMessage().startsWith("statement 3 (line 3: SELECT * FROM src): a query outside INSERT INTO"),
                e.getMessage());

        e = assertThrows(SqlRunnerException.class,
                () -> SqlRunner.prepare(tableEnv(), TABLES + "EXECUTE STATEMENT SET BEGIN INSERT INTO dst SELECT a FROM src;"));
        assertTrue(e.getMessage().endsWith("the statement set is not closed with END"), e.getMessage());

        e = assertThrows(SqlRunnerException.class,
                () -> SqlRunner.prepare(tableEnv(), TABLES + "BEGIN STATEMENT SET; CREATE VIEW v AS SELECT 1; END;"));
        assertTrue(e.getMessage().endsWith("only INSERT statements may stand inside a statement set"), e.getMessage());

        e = assertThrows(SqlRunnerException.class, () -> SqlRunner.prepare(tableEnv(), "SET 'a';INSERT INTO x SELECT 1"));
        assertTrue(e.getMessage().endsWith("expected SET 'key' = 'value'"), e.getMessage());
    }

    @Test
    void aFailedStatementIsNamedAndItsSecretsMasked() {
        String script = TABLES
                + "CREATE TEMPORARY TABLE k (a BIGINT) WITH ('connector' = 'kafka', 'properties.sasl.jaas.config' = "
                + "'org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2-s3cret\";',"
                + " 'no-such-option' = 'x', 'topic' = 't', 'properties.bootstrap.servers' = 'localhost:1', 'format' = 'json');\n"
                + "INSERT INTO k SELECT a FROM src;";
        SqlRunner.Plan plan = SqlRunner.prepare(tableEnv(), script); // DDL is only stored; the sink is created when planned
        SqlRunnerException e = assertThrows(SqlRunnerException.class, plan::explain);
        String all = stackTrace(e);
        assertTrue(e.getMessage().startsWith("planning the 1 INSERT statement(s) failed"), e.getMessage());
        assertTrue(all.contains("no-such-option"), all); // Flink's reason survives
        assertFalse(all.contains("hunter2"), all);
        assertFalse(all.contains("PlainLoginModule"), all);

        // A statement that fails while it runs is named by number, line and its (masked) first 60 characters.
        String bad = TABLES + "CREATE TEMPORARY TABLE bad (a BIGINT) WITH ('properties.sasl.jaas.config' = 'PlainLoginModule"
                + " password=\"hunter2-s3cret\";', oops);\nINSERT INTO dst SELECT a FROM src;";
        e = assertThrows(SqlRunnerException.class, () -> SqlRunner.prepare(tableEnv(), bad));
        all = stackTrace(e);
        assertTrue(e.getMessage().startsWith("statement 3 (line 3: CREATE TEMPORARY TABLE bad (a BIGINT) WITH ("
                + "'properties.sasl …) failed: "), e.getMessage());
        assertFalse(all.contains("hunter2"), all);
        assertFalse(all.contains("PlainLoginModule"), all);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
