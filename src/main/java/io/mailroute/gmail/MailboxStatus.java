package io.mailroute.gmail;

import java.time.Instant;

/** A snapshot of one mailbox's intake for the API and the health check. */
public record MailboxStatus(String id, String address, MailboxState state, String historyId, Instant cursorAt, Instant lastPollAt,
        Instant lastSuccessAt, String lastError, int consecutiveFailures, Instant nextAttemptAt,
        GmailErrorCounts.Tally gmailErrors) {

    /** A status with no Gmail errors counted. */
    public MailboxStatus(String id, String address, MailboxState state, String historyId, Instant cursorAt, Instant lastPollAt,
            Instant lastSuccessAt, String lastError, int consecutiveFailures, Instant nextAttemptAt) {
        this(id, address, state, historyId, cursorAt, lastPollAt, lastSuccessAt, lastError, consecutiveFailures, nextAttemptAt,
                GmailErrorCounts.Tally.NONE);
    }
}
