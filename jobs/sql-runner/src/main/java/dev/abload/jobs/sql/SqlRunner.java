package dev.abload.jobs.sql;

import dev.abload.jobs.sql.SqlScript.Statement;

import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a Flink SQL script as one streaming job.
 *
 * <p>Arguments: {@code --sql <base64>} (required): the script, UTF-8, base64 in the standard or
 * the URL-safe alphabet, padding optional; {@code --job-name NAME} (optional): the job's name
 * ({@code pipeline.name}; it wins over a {@code SET 'pipeline.name'} in the script).
 *
 * <p>The script is split into statements ({@link SqlScript}) and run in order on a streaming
 * {@link StreamTableEnvironment} created on the {@link StreamExecutionEnvironment} of the cluster
 * context, so the configuration Flink hands the job (checkpointing, parallelism, ...) applies:
 *
 * <ul>
 *   <li>{@code SET 'key' = 'value'} sets the key in the table configuration;
 *   <li>{@code INSERT INTO ...} (also {@code EXECUTE INSERT ...} and the INSERTs of an {@code
 *       EXECUTE STATEMENT SET BEGIN ... END} or {@code BEGIN STATEMENT SET; ... END;} block) is
 *       added to one {@link StatementSet}, which is executed after the last statement: all the
 *       script's INSERTs form one job;
 *   <li>a query on its own ({@code SELECT}, {@code WITH}, {@code VALUES}, {@code TABLE}) or
 *       {@code EXECUTE PLAN}/{@code EXECUTE STATEMENT SET} outside the forms above is refused
 *       (it would start a job of its own);
 *   <li>everything else (CREATE TABLE/VIEW/FUNCTION, DROP, USE, ...) goes to {@link
 *       TableEnvironment#executeSql}.
 * </ul>
 *
 * A script without any INSERT is refused before anything runs. {@link #main} returns once the
 * job is submitted.
 *
 * <p><b>Secrets.</b> A script may carry credentials in its WITH options. Nothing here logs or
 * echoes more of a statement than its first {@value SqlScript#HEAD_CHARS} characters, and every
 * printed text (those heads, error messages, the messages of the exception chain) goes through
 * {@link Secrets}: values of keys containing password, jaas, secret, token or ssl.keystore.key are
 * masked, and every such value found in the script is also replaced wherever else it appears.
 */
public final class SqlRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SqlRunner.class);

    public static final String USAGE = "usage: sql-runner.jar --sql <base64 (standard or URL alphabet, padding"
            + " optional) of a UTF-8 SQL script> [--job-name NAME]";

    /** {@code SET 'key' = 'value'}; unquoted key or value also accepted. */
    private static final Pattern SET = Pattern.compile(
            "(?is)SET\\s+(?:'((?:[^']|'')*)'|([^\\s='`\"]+))\\s*=\\s*(?:'((?:[^']|'')*)'|([^'\\s][^']*?))\\s*");

    private SqlRunner() {}

    public static void main(String[] args) {
        Args parsed = Args.parse(args);
        String script = decodeScript(parsed.sql());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        TableResult result = run(env, script, parsed.jobName());
        result.getJobClient().ifPresent(c -> LOG.info("SqlRunner: submitted job {}", c.getJobID()));
    }

    /** The command line: {@code --sql} (required) and {@code --job-name} (optional). */
    public record Args(String sql, String jobName) {
        /** Parses {@code --key value} or {@code --key=value} pairs; never echoes the script. */
        public static Args parse(String... args) {
            String sql = null;
            String jobName = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String key = a;
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 2) {
                    key = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (!key.equals("--sql") && !key.equals("--job-name")) {
                    throw new IllegalArgumentException("unknown argument " + (a.startsWith("--") ? key : "#" + (i + 1))
                            + "\n" + USAGE);
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
                    }
                    value = args[++i];
                }
                if (key.equals("--sql")) {
                    if (sql != null) {
                        throw new IllegalArgumentException("--sql given twice\n" + USAGE);
                    }
                    sql = value;
                } else {
                    if (jobName != null) {
                        throw new IllegalArgumentException("--job-name given twice\n" + USAGE);
                    }
                    if (value.isBlank()) {
                        throw new IllegalArgumentException("--job-name is empty\n" + USAGE);
                    }
                    jobName = value;
                }
            }
            if (sql == null) {
                throw new IllegalArgumentException("--sql is required\n" + USAGE);
            }
            return new Args(sql, jobName);
        }

        @Override
        public String toString() {
            return "Args[sql=<" + sql.length() + " base64 characters>, jobName=" + jobName + "]";
        }
    }

    /**
     * Decodes {@code --sql}: base64 in the standard or URL-safe alphabet (even mixed), padding
     * optional, whitespace ignored; the bytes must be UTF-8 (a leading BOM is dropped).
     */
    public static String decodeScript(String encoded) {
        String s = encoded.replaceAll("\\s+", "").replace('-', '+').replace('_', '/');
        int pad = s.indexOf('=');
        if (pad >= 0) {
            if (!s.substring(pad).matches("={1,2}")) {
                throw new IllegalArgumentException("--sql is not base64: '=' may only pad its end");
            }
            s = s.substring(0, pad);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(s); // accepts a missing padding
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sql is not base64 (standard or URL alphabet): " + e.getMessage());
        }
        String script;
        try {
            script = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("--sql does not decode to UTF-8 text");
        }
        if (script.startsWith("\uFEFF")) {
            script = script.substring(1);
        }
        if (script.isBlank()) {
            throw new IllegalArgumentException("--sql decodes to an empty script");
        }
        return script;
    }

    /** A streaming table environment on {@code env} (whose configuration it inherits). */
    public static StreamTableEnvironment createTableEnvironment(StreamExecutionEnvironment env) {
        return StreamTableEnvironment.create(env, EnvironmentSettings.newInstance().inStreamingMode().build());
    }

    /**
     * Runs {@code script} on {@code env}: {@link #prepare} on a new streaming table environment,
     * then executes the INSERTs as one job named {@code jobName} (null: the script's
     * {@code pipeline.name} or Flink's default). Returns once the job is submitted.
     */
    public static TableResult run(StreamExecutionEnvironment env, String script, String jobName) {
        return prepare(createTableEnvironment(env), script).execute(jobName);
    }

    /**
     * Runs every statement of {@code script} except the INSERTs (SET, DDL, ...), in order, and
     * collects the INSERTs into one statement set, not yet executed.
     *
     * @throws SqlRunnerException naming the failed statement (redacted), or when the script has
     *     no INSERT, a stand-alone query or an unbalanced statement set (then nothing has run)
     * @throws IllegalArgumentException when the script cannot be split (an unterminated quote)
     */
    public static Plan prepare(TableEnvironment tEnv, String script) {
        Secrets.Redactor redactor = Secrets.redactor(script);
        List<Statement> statements = SqlScript.split(script);
        List<Action> actions = classify(statements, redactor);
        long inserts = actions.stream().filter(a -> a.kind == Kind.INSERT).count();
        LOG.info("SqlRunner: {} statements ({} INSERT into one job), {} secret values masked in what is printed",
                statements.size(), inserts, redactor.secretCount());

        StatementSet set = tEnv.createStatementSet();
        for (Action a : actions) {
            String name = redactor.redact(a.statement.describe());
            LOG.info("SqlRunner: {} [{}]", name, a.kind);
            try {
                switch (a.kind) {
                    case SET:
                        tEnv.getConfig().set(a.key, a.value);
                        break;
                    case INSERT:
                        set.addInsertSql(a.sql);
                        break;
                    default:
                        tEnv.executeSql(a.sql);
                        break;
                }
            } catch (RuntimeException e) {
                throw failure(redactor, name + " failed", e);
            }
        }
        return new Plan(tEnv, set, (int) inserts, redactor);
    }

    /** The INSERTs of a prepared script: one statement set, to explain or execute. */
    public static final class Plan {
        private final TableEnvironment tEnv;
        private final StatementSet statements;
        private final int inserts;
        private final Secrets.Redactor redactor;

        private Plan(TableEnvironment tEnv, StatementSet statements, int inserts, Secrets.Redactor redactor) {
            this.tEnv = tEnv;
            this.statements = statements;
            this.inserts = inserts;
            this.redactor = redactor;
        }

        public TableEnvironment tableEnvironment() {
            return tEnv;
        }

        public StatementSet statementSet() {
            return statements;
        }

        public int insertCount() {
            return inserts;
        }

        /** The statement set's plan (planning creates every source and sink, as execution does). */
        public String explain(ExplainDetail... details) {
            try {
                return statements.explain(details);
            } catch (RuntimeException e) {
                throw failure(redactor, "planning the " + inserts + " INSERT statement(s) failed", e);
            }
        }

        /** Executes the INSERTs as one job ({@code jobName}: its name, null to keep the default). */
        public TableResult execute(String jobName) {
            if (jobName != null) {
                tEnv.getConfig().set(PipelineOptions.NAME, jobName);
            }
            try {
                TableResult result = statements.execute();
                LOG.info("SqlRunner: {} INSERT statement(s) submitted as one job", inserts);
                return result;
            } catch (RuntimeException e) {
                throw failure(redactor, "submitting the job of the " + inserts + " INSERT statement(s) failed", e);
            }
        }
    }

    private enum Kind { SET, INSERT, OTHER }

    private static final class Action {
        final Kind kind;
        final Statement statement;
        final String sql;
        final String key;
        final String value;

        Action(Kind kind, Statement statement, String sql, String key, String value) {
            this.kind = kind;
            this.statement = statement;
            this.sql = sql;
            this.key = key;
            this.value = value;
        }
    }

    /** First pass: what each statement is; refuses scripts that cannot run as one job. */
    private static List<Action> classify(List<Statement> statements, Secrets.Redactor redactor) {
        List<Action> actions = new ArrayList<>();
        Statement openSet = null;
        for (Statement s : statements) {
            List<String> w = SqlScript.leadingWords(s.text(), 4);
            String w0 = w.isEmpty() ? "" : w.get(0);
            String w1 = w.size() > 1 ? w.get(1) : "";
            if (w.size() >= 4 && w0.equals("EXECUTE") && w1.equals("STATEMENT") && w.get(2).equals("SET")
                    && w.get(3).equals("BEGIN")) {
                if (openSet != null) {
                    throw refuse(redactor, s, "a statement set is already open (" + openSet.describe() + ")");
                }
                openSet = s;
                String rest = SqlScript.afterWords(s.text(), 4);
                if (!rest.isEmpty()) {
                    actions.add(insideSet(redactor, s, rest));
                }
                continue;
            }
            if (w.size() == 3 && w0.equals("BEGIN") && w1.equals("STATEMENT") && w.get(2).equals("SET")
                    && SqlScript.afterWords(s.text(), 3).isEmpty()) {
                if (openSet != null) {
                    throw refuse(redactor, s, "a statement set is already open (" + openSet.describe() + ")");
                }
                openSet = s;
                continue;
            }
            if (w.size() == 1 && w0.equals("END") && SqlScript.afterWords(s.text(), 1).isEmpty()) {
                if (openSet == null) {
                    throw refuse(redactor, s, "END without an open statement set");
                }
                openSet = null;
                continue;
            }
            if (openSet != null) {
                actions.add(insideSet(redactor, s, s.text()));
                continue;
            }
            switch (w0) {
                case "SET":
                    actions.add(set(redactor, s));
                    break;
                case "INSERT":
                    actions.add(new Action(Kind.INSERT, s, s.text(), null, null));
                    break;
                case "EXECUTE":
                    if (w1.equals("INSERT")) {
                        actions.add(new Action(Kind.INSERT, s, SqlScript.afterWords(s.text(), 1), null, null));
                        break;
                    }
                    throw refuse(redactor, s, "EXECUTE " + w1 + " would run a job of its own; SqlRunner runs the"
                            + " script's INSERT statements as one job");
                case "SELECT":
                case "WITH":
                case "VALUES":
                case "TABLE":
                    throw refuse(redactor, s, "a query outside INSERT INTO would run a job of its own; SqlRunner runs"
                            + " the script's INSERT statements as one job");
                default:
                    actions.add(new Action(Kind.OTHER, s, s.text(), null, null));
                    break;
            }
        }
        if (openSet != null) {
            throw refuse(redactor, openSet, "the statement set is not closed with END");
        }
        if (actions.stream().noneMatch(a -> a.kind == Kind.INSERT)) {
            throw new SqlRunnerException("the SQL script has no INSERT statement, so it would run no job: SqlRunner"
                    + " submits the script's INSERT INTO statements (also those inside EXECUTE STATEMENT SET) as one"
                    + " job (" + statements.size() + " statements read)");
        }
        return actions;
    }

    private static Action insideSet(Secrets.Redactor redactor, Statement s, String sql) {
        List<String> w = SqlScript.leadingWords(sql, 1);
        if (w.isEmpty() || !w.get(0).equals("INSERT")) {
            throw refuse(redactor, s, "only INSERT statements may stand inside a statement set");
        }
        return new Action(Kind.INSERT, s, sql, null, null);
    }

    private static Action set(Secrets.Redactor redactor, Statement s) {
        Matcher m = SET.matcher(SqlScript.withoutComments(s.text()));
        if (!m.matches()) {
            throw refuse(redactor, s, "expected SET 'key' = 'value'");
        }
        String key = m.group(1) != null ? m.group(1).replace("''", "'") : m.group(2);
        String value = m.group(3) != null ? m.group(3).replace("''", "'") : m.group(4);
        if (key.isBlank()) {
            throw refuse(redactor, s, "SET with an empty key");
        }
        return new Action(Kind.SET, s, s.text(), key.strip(), value);
    }

    private static SqlRunnerException refuse(Secrets.Redactor redactor, Statement s, String why) {
        return new SqlRunnerException(redactor.redact(s.describe()) + ": " + why);
    }

    /** A redacted failure: the message names what failed and the (redacted) reason. */
    static SqlRunnerException failure(Secrets.Redactor redactor, String what, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !reason.contains(root.getMessage())) {
            reason += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return new SqlRunnerException(what + ": " + redactor.redact(reason), redactor.sanitize(e));
    }
}
