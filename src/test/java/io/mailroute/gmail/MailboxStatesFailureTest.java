package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.retry.Backoff;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestMailboxes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failed polls as the mailbox's stored state records them (issue 10 B): a poll that committed mail is
 * no failure, and a rate limit waits what Retry-After says instead of running the backoff up.
 */
class MailboxStatesFailureTest {

    private static final GmailFailure BACKEND_ERROR = new GmailFailure(GmailFailure.Kind.TRANSIENT, 500, null, "500 Backend Error");
    private static final GmailFailure RATE_LIMITED = new GmailFailure(GmailFailure.Kind.RATE_LIMITED, 429, Duration.ofSeconds(1),
            "429 User-rate limit exceeded");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private Database db;
    private EventLog events;
    private MailboxStates states;

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:failures-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        events = new EventLog(db, Json.newMapper(), clock);
        // The shipped poll backoff: 1 s doubling to 5 min; jitter in the middle of its band.
        states = new MailboxStates(db, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5))
                .reportingTo(events);
        states.register(TestMailboxes.sandbox("support", "support@acme.example", "in:inbox", 10, 50));
        states.advance("support", null, "100");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void pollsThatCommitMailBeforeAnErrorStopsThemAreNoFailures() {
        for (int poll = 0; poll < 8; poll++) {
            Instant started = clock.instant();
            clock.advance(Duration.ofMillis(300));
            states.progressed("support"); // a message committed
            clock.advance(Duration.ofMillis(300));

            FailedPoll failed = states.failed("support", BACKEND_ERROR, started);

            assertTrue(failed.progressed());
            assertEquals(Duration.ofSeconds(1), failed.nextPollIn(), "the backoff stays at its first step");
            clock.advance(failed.nextPollIn());
        }
        MailboxStatus status = states.status("support");
        assertEquals(0, status.consecutiveFailures());
        assertEquals(MailboxState.ACTIVE, status.state());
        assertEquals("500 Backend Error", status.lastError(), "what stopped the last poll is still shown");
        assertEquals(0, failing(), "a mailbox that moves mail is never reported FAILING");
    }

    @Test
    void progressOfAnEarlierPollDoesNotExcuseALaterOne() {
        states.progressed("support");
        clock.advance(Duration.ofSeconds(1));
        for (int poll = 1; poll <= 3; poll++) {
            Instant started = clock.instant();
            clock.advance(Duration.ofMillis(200));
            FailedPoll failed = states.failed("support", BACKEND_ERROR, started);
            assertFalse(failed.progressed());
            assertEquals(poll, states.status("support").consecutiveFailures());
            clock.advance(failed.nextPollIn());
        }
        assertEquals(MailboxState.FAILING, states.state("support"));
        assertEquals(1, failing());

        Instant started = clock.instant();
        clock.advance(Duration.ofMillis(100));
        states.progressed("support"); // a message committed, then the poll failed
        states.failed("support", BACKEND_ERROR, started);
        assertEquals(MailboxState.ACTIVE, states.state("support"));
        assertEquals(1, events.page(0, Long.MAX_VALUE, java.util.Set.of("mailbox.recovered"), null, 10).size());
    }

    @Test
    void aRateLimitStormLeavesTheMailboxBackingOffForWhatRetryAfterSays() {
        // The demo's POST /sandbox/admin/rate-limit {"requests":20,"retryAfterSeconds":1}: poll after poll rate-limited.
        for (int poll = 0; poll < 20; poll++) {
            Instant started = clock.instant();
            clock.advance(Duration.ofMillis(50));
            FailedPoll failed = states.failed("support", RATE_LIMITED, started);
            assertEquals(Duration.ofMillis(1100), failed.nextPollIn(), "Retry-After and a little jitter, never more");
            assertEquals(MailboxState.BACKING_OFF, states.state("support"));
            assertFalse(states.mayPoll("support"));
            clock.advance(failed.nextPollIn());
            assertTrue(states.mayPoll("support"), "polled again as soon as Retry-After has passed");
        }
        assertEquals(0, states.status("support").consecutiveFailures(), "waiting out a rate limit is not failing");
        assertEquals(0, failing());

        states.failed("support", BACKEND_ERROR, clock.instant());
        assertEquals(Duration.ofSeconds(1), Duration.between(clock.instant(), states.status("support").nextAttemptAt()),
                "the storm did not run the backoff up for the next real failure");
    }

    @Test
    void aDisconnectThatLandsWhileAFailedPollIsRecordedIsNotOverwritten() {
        // disconnect revokes the grant at Google first, so a poll in flight fails with invalid_grant while the
        // mailbox is being marked REVOKED. Here the disconnect lands between reading the state and writing the failure.
        java.util.concurrent.atomic.AtomicBoolean disconnectNow = new java.util.concurrent.atomic.AtomicBoolean(true);
        MailboxStates[] racing = new MailboxStates[1];
        racing[0] = new MailboxStates(db, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> {
            if (disconnectNow.getAndSet(false)) {
                racing[0].revoked("support");
            }
            return 0.5;
        })).reportingTo(events);
        racing[0].register(TestMailboxes.sandbox("support", "support@acme.example", "in:inbox", 10, 50));

        racing[0].failed("support", new GmailFailure(GmailFailure.Kind.NOT_CONNECTED, 400, null,
                "OAuth token refresh failed: invalid_grant"), clock.instant());

        assertFalse(disconnectNow.get(), "the disconnect happened while the failure was being recorded");
        assertEquals(MailboxState.REVOKED, states.state("support"));
        assertEquals(0, events.page(0, Long.MAX_VALUE, java.util.Set.of("connection.broken"), null, 10).size(),
                "a mailbox we disconnected is not announced as broken");
    }

    private int failing() {
        return events.page(0, Long.MAX_VALUE, java.util.Set.of("mailbox.failing"), null, 10).size();
    }
}
