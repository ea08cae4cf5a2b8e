package dev.syncmap.replicate;

import java.util.Objects;

/**
 * A replication configuration that is refused: names the field (a dotted path such as
 * {@code grayRelease.share.hashPercent}) and says what is wrong with it, and where known the file it came from.
 * Thrown when a configuration is read or built, so bad configuration stops a replicator before it starts, and
 * by a reload, which then keeps the configuration in force.
 */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;
    private final String source;

    /**
     * A refused field.
     *
     * @param field the field's dotted path; empty for the document as a whole
     * @param problem what is wrong, as a sentence fragment ("must be positive, got -1")
     */
    public ConfigException(String field, String problem) {
        this(field, problem, null, null);
    }

    /**
     * A refused field, with the exception that revealed the problem.
     *
     * @param field the field's dotted path; empty for the document as a whole
     * @param problem what is wrong
     * @param cause the cause, or null
     */
    public ConfigException(String field, String problem, Throwable cause) {
        this(field, problem, null, cause);
    }

    private ConfigException(String field, String problem, String source, Throwable cause) {
        super(problem, cause);
        this.field = Objects.requireNonNull(field, "field");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.source = source;
    }

    /**
     * Returns the refused field's dotted path ({@code metrics.prometheus.port}); empty when the document as a
     * whole is refused (a syntax error, not a mapping).
     *
     * @return the field
     */
    public String field() {
        return field;
    }

    /**
     * Returns what is wrong with the field.
     *
     * @return the problem
     */
    public String problem() {
        return problem;
    }

    /**
     * Returns the file or other source the configuration came from, or null if unknown.
     *
     * @return the source
     */
    public String source() {
        return source;
    }

    /**
     * This problem, with the field moved under a parent section.
     *
     * @param parent the section's dotted path
     * @return the exception with field {@code parent.field}
     */
    ConfigException under(String parent) {
        ConfigException e = new ConfigException(field.isEmpty() ? parent : parent + "." + field, problem, source,
            getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /**
     * This problem, naming where the configuration came from.
     *
     * @param where a file name or similar
     * @return the exception with the source set
     */
    ConfigException from(String where) {
        ConfigException e = new ConfigException(field, problem, where, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    @Override
    public String getMessage() {
        StringBuilder b = new StringBuilder("replication configuration");
        if (source != null) {
            b.append(' ').append(source);
        }
        b.append(": ");
        if (!field.isEmpty()) {
            b.append("field '").append(field).append("': ");
        }
        return b.append(problem).toString();
    }
}
