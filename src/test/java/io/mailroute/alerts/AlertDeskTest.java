package io.mailroute.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertDeskTest {

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private Database db;
    private AlertDesk desk;

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:alerts-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        desk = new AlertDesk(db, new EventLog(db, json, clock), json, clock, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void oneAlertPerConditionPerWindowThenAReminderWithTheCount() throws Exception {
        assertEquals(1, desk.handle(quarantined("support")).size(), "first one raises");
        clock.advance(Duration.ofMinutes(10));
        assertEquals(0, desk.handle(quarantined("support")).size(), "within the window: counted, silent");
        assertEquals(1, desk.handle(quarantined("accounts")).size(), "another mailbox is another condition");
        clock.advance(Duration.ofMinutes(55));
        List<Event> reminder = desk.handle(quarantined("support"));
        assertEquals(1, reminder.size());
        JsonNode data = json.readTree(reminder.get(0).json()).get("data");
        assertTrue(data.get("reminder").asBoolean());
        assertEquals(3, data.get("occurrences").asInt());
    }

    @Test
    void aRecoveredMailboxResolvesItsAlertOnceAndAFreshFailureRaisesAgain() throws Exception {
        assertEquals("alert.raised", desk.handle(event("mailbox.failing", "hr", "{\"state\":\"NOT_CONNECTED\",\"error\":\"invalid_grant\"}"))
                .get(0).type());
        assertEquals("alert.resolved", desk.handle(event("mailbox.recovered", "hr", "{}")).get(0).type());
        assertEquals(0, desk.handle(event("mailbox.recovered", "hr", "{}")).size(), "resolved once");
        clock.advance(Duration.ofMinutes(5));
        assertEquals(1, desk.handle(event("mailbox.failing", "hr", "{\"state\":\"FAILING\",\"error\":\"503\"}")).size(),
                "a new failure after recovery is a new alert, window or not");
    }

    @Test
    void ownAlertsGoToTheOwnersOfTheirQueueOrMailboxElseToTheDefault() throws Exception {
        desk.withOwners(new AlertOwners(java.util.Map.of("finance-exceptions", List.of("ap-team")),
                java.util.Map.of("accounts", List.of("accounts-team")), List.of("ops-team")));
        assertEquals(List.of("ap-team"), channels(desk.handle(event("sla.breached", "accounts",
                "{\"itemId\":7,\"queue\":\"finance-exceptions\"}"))));
        assertEquals(List.of("ops-team"), channels(desk.handle(event("sla.breached", "support",
                "{\"itemId\":8,\"queue\":\"support\"}"))), "a queue nobody owns: the default");
        assertEquals(List.of("accounts-team"), channels(desk.handle(quarantined("accounts"))));
        assertEquals(List.of("ops-team"), channels(desk.handle(quarantined("support"))));
        assertEquals(List.of("accounts-team"), channels(desk.handle(event("mailbox.failing", "accounts",
                "{\"state\":\"FAILING\",\"error\":\"503\"}"))));
        assertEquals(List.of("accounts-team"), channels(desk.handle(event("mailbox.recovered", "accounts", "{}"))),
                "resolved to the same owners");
        assertEquals(List.of("ops-team"), channels(desk.handle(event("subscription.dead-lettered", null,
                "{\"subscription\":\"erp-hook\",\"eventType\":\"case.created\",\"eventSeq\":3,\"error\":\"x\"}"))));
    }

    @Test
    void withoutOwnersTheEventNamesNoAudienceAndRoutingDecidesAsBefore() throws Exception {
        assertTrue(json.readTree(desk.handle(quarantined("support")).get(0).json()).path("data").path("channels").isMissingNode());
    }

    private List<String> channels(List<Event> raised) throws Exception {
        assertEquals(1, raised.size());
        List<String> out = new java.util.ArrayList<>();
        json.readTree(raised.get(0).json()).path("data").path("channels").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void eventsThatAreNotTroubleRaiseNothing() throws Exception {
        assertEquals(0, desk.handle(event("case.created", "support", "{\"itemId\":1}")).size());
    }

    private static String quarantined(String mailbox) {
        return event("message.quarantined", mailbox, "{\"gmailId\":\"g1\",\"reason\":\"attachment too large\"}");
    }

    private static String event(String type, String mailbox, String data) {
        return "{\"id\":\"e\",\"type\":\"" + type + "\",\"mailbox\":\"" + mailbox + "\",\"data\":" + data + "}";
    }
}
