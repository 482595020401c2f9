package dev.abload.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ExplainDetail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jobs/sql/ab-job.sql as shipped, with the real Kafka connector: the placeholders are the
 * documented ones, and with them filled in (a SASL fragment in every WITH list, exactly-once
 * sinks) Flink plans the whole statement set down to its transformations, which creates the
 * Kafka source and sinks (and fails on any retraction reaching a Kafka sink).
 */
class AbJobSqlPlanTest {
    static final String SASL = ", 'properties.security.protocol' = 'SASL_SSL',"
            + " 'properties.sasl.mechanism' = 'SCRAM-SHA-512',"
            + " 'properties.sasl.jaas.config' = 'org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"abload\" password=\"pl4n-s3cret\";'";

    @Test
    void usesExactlyTheDocumentedPlaceholdersAndNoneInComments() throws Exception {
        String raw = AbJobSql.raw();
        assertEquals(new TreeSet<>(AbJobSql.PLACEHOLDERS), AbJobSql.placeholdersIn(raw));
        for (String line : raw.split("\n")) {
            String comment = line.contains("--") ? line.substring(line.indexOf("--")) : "";
            assertFalse(comment.contains("{{"), "placeholder in a comment: " + line);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "TUMBLE | 0    | 10000 | exactly-once  | TUMBLE(time_col=[rowtime], size=[10 s])",
        "HOP    | 2500 | 10000 | at-least-once | HOP(time_col=[rowtime], size=[10 s], slide=[2500 ms])",
    })
    void plansWithTheKafkaConnector(String function, long slide, long size, String delivery, String windowInPlan)
            throws Exception {
        String args = slide > 0 ? AbJobSql.interval(slide) + ", " + AbJobSql.interval(size) : AbJobSql.interval(size);
        String script = AbJobSql.substitute(AbJobSql.raw(), AbJobSql.values(function, args, delivery, SASL));
        SqlRunner.Plan plan = SqlRunner.prepare(
                SqlRunner.createTableEnvironment(StreamExecutionEnvironment.getExecutionEnvironment()), script);
        assertEquals(2, plan.insertCount());
        String explained = plan.explain(ExplainDetail.JSON_EXECUTION_PLAN);
        int from = explained.indexOf("== Optimized Execution Plan ==");
        int to = explained.indexOf("\n== ", from + 1); // the JSON execution plan follows
        String execution = explained.substring(from, to > 0 ? to : explained.length());
        assertTrue(to > 0 && explained.substring(to).contains("\"nodes\""), "no JSON execution plan: " + explained);

        // One Kafka source, shared by both INSERTs, generating the watermarks itself.
        assertEquals(1, count(execution, "TableSourceScan("), execution);
        assertTrue(execution.contains("ab_events, watermark=["), execution);
        // The dedupe and the running counts (each once: the dedupe is shared by both outputs).
        assertEquals(2, count(execution, "OverAggregate("), execution);
        // The window aggregation (local/global phases).
        assertTrue(count(execution, "WindowAggregate(") >= 1, execution);
        assertTrue(execution.contains(windowInPlan), execution);
        // Only the updates-path OVER aggregations and the window aggregation hold state.
        assertFalse(execution.contains("GroupAggregate("), execution);
        assertFalse(execution.contains("ChangelogNormalize("), execution);
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
