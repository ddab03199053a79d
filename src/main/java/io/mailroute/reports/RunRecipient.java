package io.mailroute.reports;

import java.time.Instant;

/**
 * One recipient of a report run, as {@link ReportRuns} stores it in {@code report_recipient}.
 *
 * @param recipient  who: an audience member, the owner, or the address itself
 * @param address    the email address, lower case
 * @param deliveryId the delivery row that sent it, when it went through one
 * @param messageId  the email's Message-ID (recorded before the send, so a resumed run can ask whether it went)
 * @param linkId     the id of its signed download link
 */
public record RunRecipient(long id, long runId, String recipient, String address, Status status, Long deliveryId,
        String messageId, String linkId, String lastError, Instant sentAt, Instant bouncedAt, Instant downloadedAt,
        Instant acknowledgedAt, Instant overdueAt) {

    /**
     * Forward only. PENDING → SENT, or → FAILED (the send failed for good). SENT → BOUNCED (a delivery status
     * notification came back). SENT → DOWNLOADED (the first download). SENT, DOWNLOADED → OVERDUE (not acknowledged
     * by the deadline). SENT, DOWNLOADED, OVERDUE → ACKNOWLEDGED. The times of download and acknowledgement are kept
     * whatever the status then (a download after OVERDUE is recorded, the status stays OVERDUE). PENDING → SKIPPED:
     * there was nothing to send them for the period (a digest of an empty period, or of a recipient who owns no queue),
     * the reason kept in {@code lastError}; no email.
     */
    public enum Status {
        PENDING, SENT, BOUNCED, DOWNLOADED, ACKNOWLEDGED, OVERDUE, FAILED, SKIPPED
    }

    /** The input of {@link ReportRuns#plan}: who and where. */
    public record Planned(String recipient, String address) {
    }
}
