package dev.abload.jobs.sql;

import dev.abload.jobs.sql.SqlScript.Statement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helper: jobs/sql/ab-job.sql, its placeholders, and its connectors swapped for tests. */
final class AbJobSql {
    /** The shipped file (tests run in the module directory, jobs/sql-runner). */
    static final Path FILE = Path.of("..", "sql", "ab-job.sql");

    /** The harness's placeholders (the file's header documents them). */
    static final Set<String> PLACEHOLDERS = Set.of(
            "kafka.bootstrap", "topics.input", "topics.updates", "topics.windows", "group.id",
            "kafka.sql_options", "job.out_of_orderness_ms", "window.function", "window.interval_args",
            "job.delivery", "job.transactional_id_prefix");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]*)\\}\\}");
    private static final Pattern WITH = Pattern.compile("\\)\\s*WITH\\s*\\(");
    private static final Pattern OPTION = Pattern.compile("'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'");

    private AbJobSql() {}

    static String raw() throws IOException {
        return Files.readString(FILE);
    }

    /** The placeholder names that occur in {@code sql}. */
    static Set<String> placeholdersIn(String sql) {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(sql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The default values of every placeholder, as the harness would fill them in. */
    static Map<String, String> values(String windowFunction, String intervalArgs, String delivery, String sqlOptions) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("kafka.bootstrap", "localhost:9092");
        v.put("topics.input", "abload-r1-events");
        v.put("topics.updates", "abload-r1-updates");
        v.put("topics.windows", "abload-r1-windows");
        v.put("group.id", "abload-r1");
        v.put("kafka.sql_options", sqlOptions);
        v.put("job.out_of_orderness_ms", "100");
        v.put("window.function", windowFunction);
        v.put("window.interval_args", intervalArgs);
        v.put("job.delivery", delivery);
        v.put("job.transactional_id_prefix", "ab-job-sql-abload-r1");
        return v;
    }

    /**
     * A Flink interval literal of {@code ms} milliseconds: {@code INTERVAL 'D HH:MM:SS.fff' DAY TO
     * SECOND(3)} (Flink's SQL has no MILLISECOND unit).
     */
    static String interval(long ms) {
        long s = ms / 1000;
        return String.format("INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
                s / 86400, s / 3600 % 24, s / 60 % 60, s % 60, ms % 1000);
    }

    /** {@code sql} with every {{placeholder}} replaced textually; fails on one left over. */
    static String substitute(String sql, Map<String, String> values) {
        String out = sql;
        for (Map.Entry<String, String> e : values.entrySet()) {
            out = out.replace("{{" + e.getKey() + "}}", e.getValue());
        }
        Set<String> left = placeholdersIn(out);
        if (!left.isEmpty()) {
            throw new IllegalArgumentException("placeholders left: " + left);
        }
        return out;
    }

    /**
     * {@code sql} with the WITH list of every CREATE TABLE replaced by the test connector's:
     * {@code 'connector' = 'abload-test'}, {@code 'data-id' = <table name><idSuffix>}, the
     * table's own {@code format} and {@code json.*} options (so the real format settings are
     * tested), and {@code extra.get(table)} if any. Comments before statements are dropped.
     */
    static String withTestConnectors(String sql, String idSuffix, Map<String, Map<String, String>> extra) {
        List<String> out = new ArrayList<>();
        for (Statement s : SqlScript.split(sql)) {
            String text = s.text();
            List<String> w = SqlScript.leadingWords(text, 4);
            boolean createTable = w.size() >= 3 && w.get(0).equals("CREATE")
                    && (w.get(1).equals("TABLE") || (w.get(1).equals("TEMPORARY") && w.get(2).equals("TABLE")));
            if (createTable) {
                String name = w.get(1).equals("TABLE") ? w.get(2) : w.get(3);
                name = name.toLowerCase();
                Matcher m = WITH.matcher(text);
                int at = -1;
                while (m.find()) {
                    at = m.start();
                }
                if (at < 0) {
                    throw new IllegalArgumentException("no WITH list in " + s.describe());
                }
                Map<String, String> options = new LinkedHashMap<>();
                options.put("connector", TestTableFactory.IDENTIFIER);
                options.put("data-id", name + idSuffix);
                Matcher o = OPTION.matcher(text.substring(at));
                while (o.find()) {
                    String key = o.group(1);
                    if (key.equals("format") || key.startsWith("json.")) {
                        options.put(key, o.group(2).replace("''", "'"));
                    }
                }
                options.putAll(extra.getOrDefault(name, Map.of()));
                StringBuilder sb = new StringBuilder(text.substring(0, at)).append(") WITH (");
                String sep = "";
                for (Map.Entry<String, String> e : options.entrySet()) {
                    sb.append(sep).append('\'').append(e.getKey()).append("' = '")
                            .append(e.getValue().replace("'", "''")).append('\'');
                    sep = ", ";
                }
                text = sb.append(')').toString();
            }
            out.add(text);
        }
        return String.join(";\n", out) + ";\n";
    }
}
