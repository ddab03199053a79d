package io.mailroute.reports;

import java.time.Instant;

/**
 * One run of a report for one period, as {@link ReportRuns} stores it in {@code report_run}.
 *
 * @param attempts     failed attempts so far ({@link ReportRuns#failed})
 * @param lastError    why the last attempt failed, or null
 * @param document     the generated document, or null before {@link ReportRuns#generated}
 * @param claimedBy    the node working on it now, or null
 * @param claimedUntil until when that node's lease holds, or null
 */
public record ReportRun(long id, String reportId, String period, State state, int attempts, String lastError,
        Document document, String claimedBy, Instant claimedUntil, Instant createdAt, Instant updatedAt) {

    /**
     * PLANNED (begun) → GENERATING → DISTRIBUTING (document made, sending) → DONE (no recipient left pending); any
     * unfinished state → FAILED, and FAILED → PLANNED again when the retry policy allows it.
     */
    public enum State {
        PLANNED, GENERATING, DISTRIBUTING, DONE, FAILED;

        /** Work is left to do: a node may claim the run. */
        public boolean unfinished() {
            return this == PLANNED || this == GENERATING || this == DISTRIBUTING;
        }
    }

    /**
     * A generated document, content-addressed.
     *
     * @param sha256 hex of the SHA-256 of its bytes (64 lower-case hex digits)
     * @param size   its length in bytes
     * @param format {@code csv}, {@code html} or {@code pdf}
     */
    public record Document(String sha256, long size, String format) {
        public Document {
            if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("a report document's sha256 is 64 lower-case hex digits, not " + sha256);
            }
            if (size < 0) {
                throw new IllegalArgumentException("a report document's size is not negative: " + size);
            }
            if (format == null || !format.matches("csv|html|pdf")) {
                throw new IllegalArgumentException("a report document's format is csv, html or pdf, not " + format);
            }
        }
    }

    /** True when its retry policy allows another attempt: FAILED with fewer than {@code maxAttempts} attempts. */
    public boolean mayRetry(int maxAttempts) {
        return state == State.FAILED && attempts < maxAttempts;
    }

    /** The acknowledgement deadline of a report that asks for one within {@code within}: from when the run began. */
    public Instant acknowledgeBy(java.time.Duration within) {
        return createdAt.plus(within);
    }
}
