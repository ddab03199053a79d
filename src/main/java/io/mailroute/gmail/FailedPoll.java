package io.mailroute.gmail;

import io.mailroute.retry.Backoff;

import java.time.Duration;

/**
 * What a poll that ended in an error does to its mailbox: the state it leaves it in, its failures in a
 * row, and how long until the next poll. Only a poll that made no progress is a failure: one that
 * committed a message or moved the cursor first shows the mailbox works, so it resets the count and
 * backs off no further than the first step. A rate limit is Gmail saying "wait": the mailbox waits what
 * Retry-After says and is BACKING_OFF, and the wait is not counted as a failure (a FAILING mailbox that
 * has still not made progress stays FAILING, so a rate limit never hides it).
 *
 * @param state               the state after the poll
 * @param consecutiveFailures failed polls in a row after it
 * @param nextPollIn          time until the next poll
 * @param progressed          the poll committed something before it stopped
 */
public record FailedPoll(MailboxState state, int consecutiveFailures, Duration nextPollIn, boolean progressed) {

    /** Failures in a row after which a mailbox counts as FAILING (health DEGRADED, naming it). */
    static final int FAILING_AFTER = 3;

    /**
     * @param before         the mailbox's state when the poll ended
     * @param failuresBefore its failures in a row before this poll
     * @param progressed     whether the poll committed a message or moved the cursor before it failed
     */
    public static FailedPoll decide(MailboxState before, int failuresBefore, GmailFailure failure, boolean progressed,
            Backoff backoff) {
        if (before.isDisconnected() || failure.kind() == GmailFailure.Kind.NOT_CONNECTED) {
            // A refused grant needs a person whatever else happened; while disconnected, nothing changes the state.
            MailboxState state = before.isDisconnected() ? before : MailboxState.NOT_CONNECTED;
            int failures = failuresBefore + 1;
            return new FailedPoll(state, failures, backoff.delay(failures, failure.retryAfter()), false);
        }
        if (failure.kind() == GmailFailure.Kind.RATE_LIMITED) {
            int failures = progressed ? 0 : failuresBefore;
            MailboxState state = before == MailboxState.FAILING && !progressed ? MailboxState.FAILING : MailboxState.BACKING_OFF;
            return new FailedPoll(state, failures, failure.waitAfter(failures + 1, backoff), progressed);
        }
        if (progressed) {
            return new FailedPoll(MailboxState.ACTIVE, 0, failure.waitAfter(1, backoff), true);
        }
        int failures = failuresBefore + 1;
        MailboxState state = failures >= FAILING_AFTER || !failure.isRetryable() ? MailboxState.FAILING : MailboxState.BACKING_OFF;
        return new FailedPoll(state, failures, failure.waitAfter(failures, backoff), false);
    }
}
