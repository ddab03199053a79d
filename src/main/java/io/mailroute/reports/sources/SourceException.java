package io.mailroute.reports.sources;

/**
 * A report's rows could not be read: its message names the report, the source (datasource, URL or file), the row or
 * line where that is known, and what to do, ready for the run's reason and the owner's alert.
 */
public final class SourceException extends Exception {

    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The same, unchecked: what a lazy table's iterator throws mid-stream; {@link ReportSources#read} unwraps it. */
    public Unchecked unchecked() {
        return new Unchecked(this);
    }

    /** A {@link SourceException} thrown through code that takes no checked exceptions (a table's row iterator). */
    public static final class Unchecked extends RuntimeException {

        private Unchecked(SourceException cause) {
            super(cause.getMessage(), cause);
        }

        public SourceException sourceException() {
            return (SourceException) getCause();
        }
    }

    /** The source's own failure somewhere in {@code thrown}'s causes (a renderer may wrap it), or null. */
    static SourceException foundIn(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Unchecked unchecked) {
                return unchecked.sourceException();
            }
        }
        return null;
    }
}
