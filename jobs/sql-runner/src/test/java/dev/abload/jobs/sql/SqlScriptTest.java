package dev.abload.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.abload.jobs.sql.SqlScript.Statement;

import org.junit.jupiter.api.Test;

import java.util.List;

class SqlScriptTest {
    private static List<String> texts(String script) {
        return SqlScript.split(script).stream().map(Statement::text).toList();
    }

    @Test
    void splitsOnSemicolonsOutsideQuotesAndComments() {
        String script = String.join("\n",
                "CREATE TABLE t (a STRING) WITH ('k' = 'a;b', 'jaas' = 'x password=\"p;q\";');",
                "INSERT INTO t SELECT 'it''s; fine' FROM \"we;ird\" JOIN `back;tick` ON TRUE;",
                "SELECT 1 -- a comment; with 'a quote",
                ", 2 /* block; comment 'with quote */ FROM x;",
                "INSERT INTO u SELECT '''' ;");
        assertEquals(List.of(
                "CREATE TABLE t (a STRING) WITH ('k' = 'a;b', 'jaas' = 'x password=\"p;q\";')",
                "INSERT INTO t SELECT 'it''s; fine' FROM \"we;ird\" JOIN `back;tick` ON TRUE",
                "SELECT 1 -- a comment; with 'a quote\n, 2 /* block; comment 'with quote */ FROM x",
                "INSERT INTO u SELECT ''''"), texts(script));
    }

    @Test
    void escapedQuotesAtTheEdges() {
        // '' as an empty literal right before the terminator, and doubled quotes in identifiers.
        assertEquals(List.of("SET 'a' = ''", "SELECT \"a\"\"b;\" FROM `c``d;`"),
                texts("SET 'a' = '';SELECT \"a\"\"b;\" FROM `c``d;`;"));
    }

    @Test
    void trailingStatementWithoutSemicolonAndEmptyStatements() {
        List<Statement> s = SqlScript.split(";;  \n-- only a comment;\n;/* and another; */;\nINSERT INTO t\nSELECT 1  \n");
        assertEquals(1, s.size());
        assertEquals("INSERT INTO t\nSELECT 1", s.get(0).text());
        assertEquals(1, s.get(0).number());
        assertEquals(4, s.get(0).line());
    }

    @Test
    void leadingCommentsAreDroppedAndLinesCounted() {
        String script = "-- header\n-- more\n\nSET 'x' = 'y';\n/* a\nblock */ CREATE VIEW v AS\nSELECT 'multi\nline' AS s;"
                + "\n\n  -- trailing comment";
        List<Statement> s = SqlScript.split(script);
        assertEquals(2, s.size());
        assertEquals("SET 'x' = 'y'", s.get(0).text());
        assertEquals(4, s.get(0).line());
        assertEquals("CREATE VIEW v AS\nSELECT 'multi\nline' AS s", s.get(1).text());
        assertEquals(6, s.get(1).line());
        assertEquals(2, s.get(1).number());
        assertEquals("statement 2 (line 6: CREATE VIEW v AS …)", s.get(1).describe());
    }

    @Test
    void hintsStayInTheStatement() {
        assertEquals(List.of("INSERT INTO t /*+ OPTIONS('a'=';') */ SELECT 1"),
                texts("INSERT INTO t /*+ OPTIONS('a'=';') */ SELECT 1;"));
    }

    @Test
    void unterminatedQuotesAndCommentsAreErrorsWithALineAndNoContent() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SqlScript.split("SELECT 1;\nCREATE TABLE t WITH ('password' = 'hunter2);"));
        assertEquals("unterminated string literal (') starting on line 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SqlScript.split("SELECT \"x;"));
        assertThrows(IllegalArgumentException.class, () -> SqlScript.split("SELECT `x;"));
        e = assertThrows(IllegalArgumentException.class, () -> SqlScript.split("SELECT 1;\n\n/* open; "));
        assertEquals("unterminated /* comment starting on line 3", e.getMessage());
    }

    @Test
    void headIsTheFirstLineCutAndMasked() {
        assertEquals("CREATE TABLE t ( …", SqlScript.head("CREATE TABLE t (\n a INT)"));
        assertEquals("SELECT 1", SqlScript.head("  SELECT 1  "));
        String longLine = "INSERT INTO a_table_with_a_long_name SELECT x, y, z FROM another_table_with_a_long_name";
        String head = SqlScript.head(longLine);
        assertEquals(longLine.substring(0, SqlScript.HEAD_CHARS) + " …", head);
        // A secret cut open by the 60 characters is masked to the end.
        String secret = "CREATE TABLE t WITH ('properties.sasl.jaas.config' = 'org.apache.kafka.x password=\"hunter2\";')";
        String masked = SqlScript.head(secret);
        assertFalse(masked.contains("org.apache"), masked);
        assertTrue(masked.startsWith("CREATE TABLE t WITH ('properties.sasl.jaas.config' = '******"), masked);
        // A secret within the first line is masked too.
        assertEquals("SET 'secret.key' = '******'", SqlScript.head("SET 'secret.key' = 'abc'"));
    }

    @Test
    void leadingWordsSkipComments() {
        assertEquals(List.of("EXECUTE", "STATEMENT", "SET", "BEGIN"),
                SqlScript.leadingWords("execute /* c */ statement\n-- x\n set begin insert into t", 4));
        assertEquals(List.of("INSERT", "INTO"), SqlScript.leadingWords("INSERT INTO t(a) VALUES (1)", 2));
        assertEquals(List.of("SET"), SqlScript.leadingWords("SET 'a' = 'b'", 3));
        assertEquals("insert into t", SqlScript.afterWords("execute /* c */ statement\n-- x\n set begin insert into t", 4));
        assertEquals("key = value -- c", SqlScript.afterWords("SET key = value -- c", 1));
        assertEquals("SET 'a;b' = 'c'",
                SqlScript.withoutComments("SET /* x */'a;b' -- y\n= 'c' -- z").replaceAll("\\s+", " "));
        assertEquals("SELECT '--x' /*+ hint */", SqlScript.withoutComments("SELECT '--x' /*+ hint */ /* c */"));
    }
}
