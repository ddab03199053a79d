package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.retry.Backoff;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestMailboxes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection side of a mailbox's state: one notice per broken grant, however often polls fail. */
class MailboxStatesConnectionTest {

    private static final GmailFailure INVALID_GRANT =
            new GmailFailure(GmailFailure.Kind.NOT_CONNECTED, 400, null, "OAuth token refresh failed: invalid_grant");
    private static final GmailFailure UNAVAILABLE = new GmailFailure(GmailFailure.Kind.TRANSIENT, 503, null, "503");

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private Database db;
    private EventLog events;
    private MailboxStates states;

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:states-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        events = new EventLog(db, json, clock);
        states = new MailboxStates(db, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5))
                .reportingTo(events);
        MailboxSettings hr = TestMailboxes.sandbox("hr", "hr@acme.example", "in:inbox", 10, 50);
        states.register(new MailboxSettings(hr.id(), hr.address(), hr.credentials(), hr.gmailRootUrl(), hr.tokenUrl(),
                hr.authUrl(), hr.revokeUrl(), hr.role(), List.of("team"), hr.bootstrapQuery(), hr.bootstrapMaxMessages(),
                hr.pollInterval(), hr.quotaUnitsPerSecond(), hr.excludeLabels(), hr.processedLabel()));
        states.advance("hr", null, "100");
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private List<Event> all(String type) {
        return events.page(0, Long.MAX_VALUE, java.util.Set.of(type), null, 100);
    }

    @Test
    void aRefusedGrantIsAnnouncedOnceHoweverManyPollsFailAndWhateverElseFails() throws Exception {
        for (int poll = 0; poll < 20; poll++) {
            states.failed("hr", poll % 3 == 2 ? UNAVAILABLE : INVALID_GRANT);
            clock.advance(Duration.ofSeconds(30));
        }
        assertEquals(MailboxState.NOT_CONNECTED, states.state("hr"), "a transient failure does not hide a dead grant");
        List<Event> broken = all("connection.broken");
        assertEquals(1, broken.size());
        assertEquals(0, all("mailbox.failing").size(), "the connection notice is the only notice");
        JsonNode data = json.readTree(broken.get(0).json()).get("data");
        assertEquals("hr@acme.example", data.get("address").asText());
        assertEquals("team", data.get("owners").get(0).asText());
        assertEquals("java -jar target/mailroute.jar connect hr", data.get("reconnect").asText());
        assertTrue(data.get("error").asText().contains("invalid_grant"));
        assertEquals("100", states.cursor("hr"), "the cursor is kept");
    }

    @Test
    void theCursorMovesOnlyFromWhereAPollFoundItSoAnOvertakenPollChangesNothing() {
        states.failed("hr", INVALID_GRANT); // NOT_CONNECTED: the winner's success says connection.restored, once
        assertEquals(0, all("connection.restored").size());

        assertTrue(states.advance("hr", "100", "150"), "the first poll from 100 moves it");
        assertFalse(states.advance("hr", "100", "120"), "a second poll from 100 (another instance, or a paused one) does not");
        assertEquals("150", states.cursor("hr"), "never moved back");
        assertFalse(states.advance("hr", null, "90"), "a bootstrap after the cursor exists does not move it either");
        assertEquals("150", states.cursor("hr"));
        assertEquals(1, all("connection.restored").size(), "only the poll that moved the cursor says so");
        assertTrue(states.advance("hr", "150", "151"));
        assertEquals("151", states.cursor("hr"));
    }

    @Test
    void aHealthyMailboxGivenANewGrantStaysActiveAndSaysNothing() {
        states.connected("hr");
        assertEquals(MailboxState.ACTIVE, states.state("hr"));
        assertEquals(0, all("connection.restored").size());
    }

    @Test
    void aNewGrantMakesItActiveAgainAtOnceAndABreakAfterThatIsAnnouncedAgain() throws Exception {
        states.failed("hr", INVALID_GRANT);
        assertFalse(states.mayPoll("hr"), "backing off after the failure");
        states.connected("hr");
        assertEquals(MailboxState.ACTIVE, states.state("hr"));
        assertTrue(states.mayPoll("hr"), "a new grant is polled at once");
        assertEquals(1, all("connection.restored").size());
        states.failed("hr", INVALID_GRANT);
        assertEquals(2, all("connection.broken").size(), "a new break is a new notice");
    }

    @Test
    void aPollThatStartedWithTheOldGrantCannotBreakTheNewOne() {
        states.failed("hr", INVALID_GRANT);
        Instant pollStarted = clock.instant();
        clock.advance(Duration.ofMillis(50));
        states.connected("hr");
        clock.advance(Duration.ofMillis(50));
        states.failed("hr", INVALID_GRANT, pollStarted);
        assertEquals(MailboxState.ACTIVE, states.state("hr"));
        assertEquals(1, all("connection.broken").size());
        states.failed("hr", INVALID_GRANT, clock.instant());
        assertEquals(MailboxState.NOT_CONNECTED, states.state("hr"), "a poll with the new grant that is refused counts");
    }

    @Test
    void revokedAndPausedMailboxesStaySoWhenAPollInFlightFinishes() {
        states.revoked("hr");
        states.advance("hr", "100", "101");
        assertEquals(MailboxState.REVOKED, states.state("hr"));
        assertEquals(1, all("connection.revoked").size());
        states.revoked("hr");
        assertEquals(1, all("connection.revoked").size(), "disconnecting twice says it once");

        states.connected("hr");
        states.paused("hr");
        states.advance("hr", "101", "102");
        states.failed("hr", INVALID_GRANT);
        assertEquals(MailboxState.PAUSED, states.state("hr"), "nothing but resume ends a pause");
        states.connected("hr");
        assertEquals(MailboxState.PAUSED, states.state("hr"), "a new grant does not lift an operator's pause");
        states.resumed("hr");
        assertEquals(MailboxState.STARTING, states.state("hr"));
        assertEquals(0, all("connection.broken").size());
    }

    @Test
    void aGrantThatWorksAtStartMakesANeverPolledMailboxActiveAndRestoresABrokenOneOnce() {
        states.register(TestMailboxes.sandbox("notify", "notify@acme.example", "in:inbox", 10, 50));
        assertEquals(MailboxState.STARTING, states.state("notify"));
        states.grantWorks("notify");
        assertEquals(MailboxState.ACTIVE, states.state("notify"));
        assertEquals(0, all("connection.restored").size(), "a first start is no restoration");

        states.failed("notify", INVALID_GRANT);
        states.grantWorks("notify");
        assertEquals(MailboxState.ACTIVE, states.state("notify"));
        assertEquals(1, all("connection.restored").size());
        assertEquals(null, states.status("notify").lastError(), "the old error is gone");

        states.revoked("notify");
        states.grantWorks("notify");
        assertEquals(MailboxState.REVOKED, states.state("notify"), "a disconnected mailbox stays so");
    }
}
