package dev.abload.jobs.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

/**
 * Runs a small script through SqlRunner's execution path on a MiniCluster: 'datagen' into a
 * 'blackhole', a 'print' and a collecting sink, all INSERTs as one job named by --job-name.
 */
class SqlRunnerIT {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final String SCRIPT = String.join("\n",
            "-- A comment; with a semicolon and a 'quote.",
            "SET 'parallelism.default' = '1';",
            "CREATE TEMPORARY TABLE gen (id BIGINT, note STRING) WITH (",
            "  'connector' = 'datagen', 'number-of-rows' = '20',",
            "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20',",
            "  'fields.note.length' = '3');",
            "CREATE TEMPORARY TABLE hole (id BIGINT) WITH ('connector' = 'blackhole');",
            "CREATE TEMPORARY TABLE printed (id BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'sql-runner-it;');",
            "CREATE TEMPORARY TABLE evens (id BIGINT, tag STRING) WITH (",
            "  'connector' = 'abload-test', 'data-id' = 'sql-runner-it', 'format' = 'json');",
            "CREATE TEMPORARY VIEW even_ids AS SELECT id FROM gen WHERE id % 2 = 0;",
            "INSERT INTO hole SELECT id FROM gen;",
            "INSERT INTO printed SELECT id FROM gen WHERE id <= 2;",
            "INSERT INTO evens SELECT id, 'it''s even; really' FROM even_ids");

    @Test
    void runsTheScriptsInsertsAsOneNamedJob(@InjectClusterClient ClusterClient<?> client) throws Exception {
        TestTableFactory.clear("sql-runner-it");
        // As main() does: decode the argument, run on the context environment (the MiniCluster's).
        String arg = Base64.getUrlEncoder().withoutPadding().encodeToString(SCRIPT.getBytes(StandardCharsets.UTF_8));
        SqlRunner.Args args = SqlRunner.Args.parse("--sql", arg, "--job-name", "sql-runner-it");
        TableResult result = SqlRunner.run(StreamExecutionEnvironment.getExecutionEnvironment(),
                SqlRunner.decodeScript(args.sql()), args.jobName());
        result.await(60, TimeUnit.SECONDS);

        JobClient job = result.getJobClient().orElseThrow();
        JobID id = job.getJobID();
        assertEquals(JobStatus.FINISHED, job.getJobStatus().get(10, TimeUnit.SECONDS));
        List<JobStatusMessage> jobs = new ArrayList<>(client.listJobs().get(10, TimeUnit.SECONDS));
        assertEquals(1, jobs.size(), "all INSERTs run as one job: " + jobs);
        assertEquals(id, jobs.get(0).getJobId());
        assertEquals("sql-runner-it", jobs.get(0).getJobName());

        List<String> expected = new ArrayList<>();
        LongStream.rangeClosed(1, 20).filter(i -> i % 2 == 0)
                .forEach(i -> expected.add("{\"id\":" + i + ",\"tag\":\"it's even; really\"}"));
        List<String> actual = new ArrayList<>(TestTableFactory.outputs("sql-runner-it"));
        actual.sort((a, b) -> Long.compare(idOf(a), idOf(b)));
        assertEquals(expected, actual);
    }

    private static long idOf(String json) {
        return Long.parseLong(json.substring(json.indexOf(':') + 1, json.indexOf(',')));
    }
}
