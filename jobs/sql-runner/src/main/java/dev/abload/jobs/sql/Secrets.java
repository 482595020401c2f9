package dev.abload.jobs.sql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that SqlRunner prints (logs, error messages): the value after any key
 * whose name contains {@code password}, {@code jaas}, {@code secret}, {@code token} or {@code
 * ssl.keystore.key} (case-insensitive), in the forms a SQL script and Flink's messages use:
 *
 * <pre>
 *   'properties.sasl.jaas.config' = '... password="..." ;'   (a WITH option; '' inside the value)
 *   'properties.ssl.key.password'='...'                       (Flink's "Table options are:" list)
 *   password="..."  /  "token": "..."  /  secret=value        (JAAS, JSON, key=value)
 * </pre>
 *
 * A quoted value becomes {@code '******'} (same quotes); a quoted value that is cut open (as in a
 * statement's first 60 characters) is masked to the end of the text; an unquoted one is masked up
 * to the next whitespace, comma, semicolon, parenthesis or quote.
 *
 * <p>{@link #redactor} additionally collects the secret values of a whole script so that they
 * are replaced wherever else they might show up (e.g. quoted differently in an exception).
 */
public final class Secrets {
    /** What a secret value is replaced with. */
    public static final String MASK = "******";

    private static final String SENSITIVE = "password|jaas|secret|token|ssl\\.keystore\\.key";

    /** A key (optionally quoted) containing a sensitive word, then = or : and optional spaces. */
    private static final Pattern KEY = Pattern.compile(
            "(?i)[A-Za-z0-9_.\\-]*(?:" + SENSITIVE + ")[A-Za-z0-9_.\\-]*['\"`]?\\s*[=:]\\s*");

    private static final Pattern SENSITIVE_KEY = Pattern.compile("(?i).*(?:" + SENSITIVE + ").*");

    private Secrets() {}

    /** Whether a configuration or option key names a secret. */
    public static boolean isSensitiveKey(String key) {
        return key != null && SENSITIVE_KEY.matcher(key).matches();
    }

    /** {@code text} with every value of a sensitive key replaced by {@value #MASK}. */
    public static String mask(String text) {
        return scan(text, null);
    }

    /**
     * A redactor for everything printed about {@code script}: {@link #mask} plus the literal
     * removal of every secret value found in the script (and inside those values, e.g. a JAAS
     * config's {@code password="..."}).
     */
    public static Redactor redactor(String script) {
        List<String> values = new ArrayList<>();
        scan(script, values);
        // Values inside values: the password inside a JAAS config.
        for (int k = 0; k < values.size(); k++) {
            scan(values.get(k), values);
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String v : values) {
            String s = v.strip();
            if (s.length() >= 3) { // shorter ones would mask ordinary text
                distinct.add(s);
            }
        }
        List<String> sorted = new ArrayList<>(distinct);
        sorted.sort(Comparator.comparingInt(String::length).reversed()); // longest first
        return new Redactor(sorted);
    }

    /** Masks (and collects into {@code found}, if given) the sensitive values of {@code text}. */
    private static String scan(String text, List<String> found) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        Matcher m = KEY.matcher(text);
        int pos = 0;
        int n = text.length();
        while (pos < n && m.find(pos)) {
            int vs = m.end();
            out.append(text, pos, vs);
            if (vs >= n) {
                pos = vs;
                break;
            }
            char q = text.charAt(vs);
            if (q == '\'' || q == '"' || q == '`') {
                StringBuilder value = new StringBuilder();
                int j = vs + 1;
                boolean closed = false;
                while (j < n) {
                    char c = text.charAt(j);
                    if (c == '\\' && q == '"' && j + 1 < n) {
                        value.append(text.charAt(j + 1)); // JSON / JAAS escape
                        j += 2;
                        continue;
                    }
                    if (c == q) {
                        if (j + 1 < n && text.charAt(j + 1) == q) {
                            value.append(q); // SQL doubling
                            j += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    value.append(c);
                    j++;
                }
                if (found != null) {
                    found.add(value.toString());
                }
                out.append(q).append(MASK);
                if (closed) {
                    out.append(q);
                    pos = j + 1;
                } else {
                    pos = n;
                }
            } else {
                int j = vs;
                while (j < n && !endsUnquoted(text.charAt(j))) {
                    j++;
                }
                if (j > vs) {
                    if (found != null) {
                        found.add(text.substring(vs, j));
                    }
                    out.append(MASK);
                }
                pos = j;
            }
        }
        if (pos < n) {
            out.append(text, pos, n);
        }
        return out.toString();
    }

    private static boolean endsUnquoted(char c) {
        return Character.isWhitespace(c) || ",;()[]{}'\"`".indexOf(c) >= 0;
    }

    /** Masks text printed about one script; see {@link Secrets#redactor}. */
    public static final class Redactor {
        private final List<String> values;

        private Redactor(List<String> values) {
            this.values = values;
        }

        /** {@code text} with every secret value of the script replaced, then masked. */
        public String redact(String text) {
            if (text == null) {
                return null;
            }
            String s = text;
            for (String v : values) { // longest first: a JAAS config before the password in it
                s = s.replace(v, MASK);
            }
            return mask(s);
        }

        /** The number of secret values found in the script (for tests and a log line). */
        public int secretCount() {
            return values.size();
        }

        /**
         * A copy of {@code t}'s cause chain whose messages are redacted, with the original
         * classes named in the messages and the original stack traces: safe to throw on.
         */
        public RuntimeException sanitize(Throwable t) {
            return sanitize(t, 0);
        }

        private RuntimeException sanitize(Throwable t, int depth) {
            if (t == null || depth > 32) {
                return null;
            }
            Throwable cause = t.getCause() == t ? null : t.getCause();
            RedactedException copy = new RedactedException(
                    t.getClass().getName() + (t.getMessage() == null ? "" : ": " + redact(t.getMessage())),
                    sanitize(cause, depth + 1));
            copy.setStackTrace(t.getStackTrace());
            return copy;
        }
    }

    /** An exception whose message was redacted; stands for the original class it names. */
    public static final class RedactedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RedactedException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getLocalizedMessage(); // already "<original class>: <message>"
        }
    }
}
