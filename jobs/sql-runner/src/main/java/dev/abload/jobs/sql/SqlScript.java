package dev.abload.jobs.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a SQL script into statements.
 *
 * <p>A statement ends at a {@code ;} that is not inside a single-quoted string literal
 * ({@code 'it''s'}: a doubled quote is a quote), a double-quoted or back-quoted identifier (the
 * same doubling rule), a {@code --} line comment or a {@code /* ... *}{@code /} block comment
 * (hints such as {@code /*+ OPTIONS(...) *}{@code /} are block comments here and stay in the
 * statement). A last statement needs no {@code ;}. Statements that hold nothing but whitespace
 * and comments are skipped; the others are numbered from 1 in script order. A statement's text
 * starts at its first token (leading whitespace and comments are dropped) and ends before its
 * {@code ;}.
 *
 * <p>Only the script's lexical structure is looked at: {@code EXECUTE STATEMENT SET BEGIN ...
 * END;} blocks come out as one statement per {@code ;}, which {@link SqlRunner} puts back
 * together.
 */
public final class SqlScript {
    /** Characters of a statement's first line that may be printed (after {@link Secrets#mask}). */
    public static final int HEAD_CHARS = 60;

    private SqlScript() {}

    /**
     * One statement of a script.
     *
     * @param number 1-based position among the script's non-empty statements
     * @param line the 1-based line of the script where the statement's first token is
     * @param text the statement, without its {@code ;}, leading comments and outer whitespace
     */
    public record Statement(int number, int line, String text) {
        /**
         * The statement's first line, cut to {@value #HEAD_CHARS} characters and with secret
         * values masked: the only part of a statement that may be logged or shown in an error.
         */
        public String head() {
            return SqlScript.head(text);
        }

        /** "statement N (line L: head)": how errors and logs name the statement. */
        public String describe() {
            return "statement " + number + " (line " + line + ": " + head() + ")";
        }
    }

    /**
     * Splits {@code script} into its non-empty statements.
     *
     * @throws IllegalArgumentException for an unterminated string literal, quoted identifier or
     *     block comment (the message gives the line where it starts, not its content)
     */
    public static List<Statement> split(String script) {
        List<Statement> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = script.length();
        int line = 1;
        int startLine = 0; // line of the current statement's first token; 0: none yet
        int startAt = 0; // index in cur of that token
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end; // the newline itself is handled as whitespace
                cur.append(script, i, end);
                i = end;
                continue;
            }
            if (c == '/' && next == '*') {
                int end = script.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated /* comment starting on line " + line);
                }
                boolean hint = i + 2 < n && script.charAt(i + 2) == '+';
                if (hint && startLine == 0) {
                    // A hint is part of the statement (it never starts one, but keep it if it does).
                    startLine = line;
                    startAt = cur.length();
                }
                String comment = script.substring(i, end + 2);
                cur.append(comment);
                line += newlines(comment);
                i = end + 2;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                if (startLine == 0) {
                    startLine = line;
                    startAt = cur.length();
                }
                int j = i + 1;
                while (true) {
                    if (j >= n) {
                        throw new IllegalArgumentException("unterminated " + quoted(c) + " starting on line " + line);
                    }
                    if (script.charAt(j) == c) {
                        if (j + 1 < n && script.charAt(j + 1) == c) {
                            j += 2; // doubled quote: a quote inside
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                String literal = script.substring(i, j + 1);
                cur.append(literal);
                line += newlines(literal);
                i = j + 1;
                continue;
            }
            if (c == ';') {
                if (startLine != 0) {
                    out.add(new Statement(out.size() + 1, startLine, cur.substring(startAt).strip()));
                }
                cur.setLength(0);
                startLine = 0;
                i++;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (startLine == 0 && !Character.isWhitespace(c)) {
                startLine = line;
                startAt = cur.length();
            }
            cur.append(c);
            i++;
        }
        if (startLine != 0) {
            out.add(new Statement(out.size() + 1, startLine, cur.substring(startAt).strip()));
        }
        return out;
    }

    /**
     * {@code text} without its {@code --} and {@code /* *}{@code /} comments (hints stay), quotes
     * left intact; each comment becomes one space. For parsing a statement's own syntax (SET).
     */
    static String withoutComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            char next = i + 1 < n ? text.charAt(i + 1) : '\0';
            if (c == '-' && next == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end;
                out.append(' ');
            } else if (c == '/' && next == '*' && !(i + 2 < n && text.charAt(i + 2) == '+')) {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n) {
                    if (text.charAt(j) == c) {
                        if (j + 1 < n && text.charAt(j + 1) == c) {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                int end = Math.min(j + 1, n);
                out.append(text, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString().strip();
    }

    private static String quoted(char q) {
        switch (q) {
            case '\'':
                return "string literal (')";
            case '"':
                return "quoted identifier (\")";
            default:
                return "quoted identifier (`)";
        }
    }

    private static int newlines(String s) {
        int k = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                k++;
            }
        }
        return k;
    }

    /**
     * The first line of {@code text}, cut to {@value #HEAD_CHARS} characters (an ellipsis marks
     * a cut) and then masked ({@link Secrets#mask}): a value cut open is masked to its end.
     */
    public static String head(String text) {
        String first = text.strip();
        int nl = first.indexOf('\n');
        boolean more = nl >= 0;
        if (more) {
            first = first.substring(0, nl).stripTrailing();
        }
        if (first.length() > HEAD_CHARS) {
            first = first.substring(0, HEAD_CHARS);
            more = true;
        }
        return Secrets.mask(first) + (more ? " …" : "");
    }

    /**
     * The first {@code max} words of {@code text} in upper case, skipping whitespace and
     * comments; stops early at anything that is not a word character (a quote, a parenthesis).
     */
    static List<String> leadingWords(String text, int max) {
        List<String> words = new ArrayList<>();
        int i = skipSpaceAndComments(text, 0);
        while (words.size() < max && i < text.length() && isWordChar(text.charAt(i))) {
            int j = i;
            while (j < text.length() && isWordChar(text.charAt(j))) {
                j++;
            }
            words.add(text.substring(i, j).toUpperCase(Locale.ROOT));
            i = skipSpaceAndComments(text, j);
        }
        return words;
    }

    /** {@code text} after its first {@code count} words (see {@link #leadingWords}), stripped. */
    static String afterWords(String text, int count) {
        int i = skipSpaceAndComments(text, 0);
        for (int k = 0; k < count && i < text.length() && isWordChar(text.charAt(i)); k++) {
            while (i < text.length() && isWordChar(text.charAt(i))) {
                i++;
            }
            i = skipSpaceAndComments(text, i);
        }
        return text.substring(Math.min(i, text.length())).strip();
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static int skipSpaceAndComments(String text, int i) {
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return i;
    }
}
