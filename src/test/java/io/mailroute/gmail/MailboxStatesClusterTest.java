package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.retry.Backoff;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestMailboxes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A mailbox's poll moves between instances (issue 13): what one instance learnt about it must hold on the
 * next. Two MailboxStates on one database stand for two nodes.
 */
class MailboxStatesClusterTest {

    private static final GmailFailure RATE_LIMITED = new GmailFailure(GmailFailure.Kind.RATE_LIMITED, 429, Duration.ofSeconds(30),
            "429 User-rate limit exceeded");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T08:00:00Z"));
    private Database db;
    private MailboxStates node1;
    private MailboxStates node2;

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:cluster-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        node1 = node();
        node2 = node();
        node1.register(TestMailboxes.sandbox("support", "support@acme.example", "in:inbox", 10, 50));
        node1.advance("support", null, "100");
    }

    private MailboxStates node() {
        return new MailboxStates(db, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5))
                .reportingTo(new EventLog(db, Json.newMapper(), clock));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aBackoffOneNodeRecordedHoldsOnTheNodeThatPollsNext() {
        Duration wait = node1.failed("support", RATE_LIMITED).nextPollIn();
        assertTrue(wait.compareTo(Duration.ofSeconds(30)) >= 0, "Retry-After: " + wait);

        assertFalse(node2.mayPoll("support"), "the other node waits out the backoff too");
        assertEquals(clock.instant().plus(wait), node2.status("support").nextAttemptAt());
        clock.advance(wait.minusMillis(1));
        assertFalse(node2.mayPoll("support"));
        clock.advance(Duration.ofMillis(1));
        assertTrue(node2.mayPoll("support"));

        node2.failed("support", RATE_LIMITED);
        node2.pollNow("support"); // a new grant: go ahead at once, wherever the next poll runs
        assertTrue(node1.mayPoll("support"));
        node1.failed("support", RATE_LIMITED);
        assertTrue(node2.advance("support", "100", "120"), "a good poll");
        assertTrue(node1.mayPoll("support"), "a good poll ends the backoff");
        assertNull(node1.status("support").nextAttemptAt());
    }

    @Test
    void thePollerIsRecordedWhenItChangesOnly() {
        node1.polledBy("support", "node-1");
        Instant since = node1.status("support").ownerSince();
        clock.advance(Duration.ofSeconds(5));
        node1.polledBy("support", "node-1");
        assertEquals(since, node2.status("support").ownerSince(), "the same poller again writes nothing");
        assertEquals("node-1", node2.status("support").owner());

        clock.advance(Duration.ofSeconds(5));
        node2.polledBy("support", "node-2"); // node-1 died; node-2 took the poll over
        MailboxStatus status = node1.status("support");
        assertEquals("node-2", status.owner());
        assertEquals(clock.instant(), status.ownerSince());
    }

    @Test
    void ofTwoPollsAdvancingFromOneCursorOnlyOneMovesIt() {
        for (int i = 0; i < 10 && node1.state("support").isHealthy(); i++) {
            node1.failed("support", new GmailFailure(GmailFailure.Kind.TRANSIENT, 500, null, "500 Backend Error"));
        }
        assertFalse(node1.state("support").isHealthy());

        assertTrue(node1.advance("support", "100", "150"));
        assertFalse(node2.advance("support", "100", "130"), "a zombie's poll cannot move the cursor back");
        assertEquals("150", node2.cursor("support"));
        Integer recovered = db.jdbc().queryForObject("SELECT COUNT(*) FROM workflow_event WHERE type = 'mailbox.recovered'",
                Map.of(), Integer.class);
        assertEquals(1, recovered, "recovered once, by the poll that moved the cursor");
    }
}
