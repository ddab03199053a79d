package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.retry.Backoff;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a poll that ended in an error does to its mailbox: state, failures in a row, wait until the next poll. */
class FailedPollTest {

    /** The shipped poll backoff (1 s doubling to 5 min), jitter in the middle of its band. */
    private static final Backoff SHIPPED = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);

    @ParameterizedTest(name = "{0} after {1} failures, {2} (Retry-After {3}), progressed {4} -> {5}, {6} failures, next poll in {7} ms")
    @CsvSource({
        // A poll that made no progress is a failure: the count grows, the wait doubles, the third makes it FAILING.
        "ACTIVE,        0, TRANSIENT,     , false, BACKING_OFF,   1,   1000",
        "BACKING_OFF,   1, TRANSIENT,     , false, BACKING_OFF,   2,   2000",
        "BACKING_OFF,   2, TRANSIENT,     , false, FAILING,       3,   4000",
        "FAILING,       7, TRANSIENT,     , false, FAILING,       8, 128000",
        "ACTIVE,        0, OTHER,         , false, FAILING,       1,   1000",
        // A poll that committed mail before it failed is no failure: the count resets, the wait is the first step.
        "BACKING_OFF,   2, TRANSIENT,     , true,  ACTIVE,        0,   1000",
        "FAILING,       7, TRANSIENT,     , true,  ACTIVE,        0,   1000",
        "FAILING,       7, OTHER,         , true,  ACTIVE,        0,   1000",
        // A rate limit waits what Retry-After says (and a tenth of it of jitter), whatever came before, and is BACKING_OFF.
        "ACTIVE,        0, RATE_LIMITED, 1, false, BACKING_OFF,   0,   1100",
        "BACKING_OFF,   7, RATE_LIMITED, 1, false, BACKING_OFF,   7,   1100",
        "BACKING_OFF,   2, RATE_LIMITED, 30, false, BACKING_OFF,  2,  33000",
        "BACKING_OFF,   7, RATE_LIMITED, 1, true,  BACKING_OFF,   0,   1100",
        // ... but a FAILING mailbox that has still achieved nothing stays FAILING while it waits.
        "FAILING,       3, RATE_LIMITED, 1, false, FAILING,       3,   1100",
        // Without Retry-After, a rate limit backs off exponentially (from the next step) and still counts as no failure.
        "BACKING_OFF,   2, RATE_LIMITED,  , false, BACKING_OFF,   2,   4000",
        // A refused grant needs a person whatever else happened; a disconnected mailbox keeps its state.
        "ACTIVE,        0, NOT_CONNECTED, , true,  NOT_CONNECTED, 1,   1000",
        "NOT_CONNECTED, 4, TRANSIENT,     , false, NOT_CONNECTED, 5,  16000",
        "PAUSED,        0, RATE_LIMITED, 1, false, PAUSED,        1,   1000",
    })
    void decides(MailboxState before, int failuresBefore, GmailFailure.Kind kind, Integer retryAfterSeconds, boolean progressed,
            MailboxState state, int failures, long nextPollMillis) {
        GmailFailure failure = new GmailFailure(kind, 0, retryAfterSeconds == null ? null : Duration.ofSeconds(retryAfterSeconds),
                kind.name());

        FailedPoll poll = FailedPoll.decide(before, failuresBefore, failure, progressed, SHIPPED);

        assertEquals(state, poll.state());
        assertEquals(failures, poll.consecutiveFailures());
        assertEquals(Duration.ofMillis(nextPollMillis), poll.nextPollIn());
    }
}
