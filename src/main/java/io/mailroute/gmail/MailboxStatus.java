package io.mailroute.gmail;

import java.time.Instant;

/**
 * A snapshot of one mailbox's intake for the API and the health check.
 *
 * @param owner      the instance that polled it last ({@code mailroute.cluster.node-id}), null before the first poll
 * @param ownerSince since when that instance polls it
 */
public record MailboxStatus(String id, String address, MailboxState state, String historyId, Instant cursorAt, Instant lastPollAt,
        Instant lastSuccessAt, String lastError, int consecutiveFailures, Instant nextAttemptAt,
        GmailErrorCounts.Tally gmailErrors, String owner, Instant ownerSince, Instant watchExpiresAt, String watchError) {

    /** A status without a Gmail push watch. */
    public MailboxStatus(String id, String address, MailboxState state, String historyId, Instant cursorAt, Instant lastPollAt,
            Instant lastSuccessAt, String lastError, int consecutiveFailures, Instant nextAttemptAt,
            GmailErrorCounts.Tally gmailErrors, String owner, Instant ownerSince) {
        this(id, address, state, historyId, cursorAt, lastPollAt, lastSuccessAt, lastError, consecutiveFailures, nextAttemptAt,
                gmailErrors, owner, ownerSince, null, null);
    }

    /** A status with no Gmail errors counted and no poller yet. */
    public MailboxStatus(String id, String address, MailboxState state, String historyId, Instant cursorAt, Instant lastPollAt,
            Instant lastSuccessAt, String lastError, int consecutiveFailures, Instant nextAttemptAt) {
        this(id, address, state, historyId, cursorAt, lastPollAt, lastSuccessAt, lastError, consecutiveFailures, nextAttemptAt,
                GmailErrorCounts.Tally.NONE, null, null);
    }

    /** A status with no poller yet. */
    public MailboxStatus(String id, String address, MailboxState state, String historyId, Instant cursorAt, Instant lastPollAt,
            Instant lastSuccessAt, String lastError, int consecutiveFailures, Instant nextAttemptAt,
            GmailErrorCounts.Tally gmailErrors) {
        this(id, address, state, historyId, cursorAt, lastPollAt, lastSuccessAt, lastError, consecutiveFailures, nextAttemptAt,
                gmailErrors, null, null);
    }
}
