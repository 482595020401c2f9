package dev.abload.jobs.sql;

/**
 * A failure of a SQL script, naming the statement (its number, line and first
 * {@value SqlScript#HEAD_CHARS} characters). Its message and its cause chain are redacted
 * ({@link Secrets}): the original exceptions may quote table options, so they are never thrown
 * on as they are.
 */
public final class SqlRunnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SqlRunnerException(String message) {
        super(message);
    }

    public SqlRunnerException(String message, Throwable redactedCause) {
        super(message, redactedCause);
    }
}
