package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The approval placeholders: $approvers (email always, push only when urgent), $requester (email), $callback (its webhook). */
class DeliveryPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final ChannelsConfig CONFIG = new ChannelsConfig(
            Map.of("approval-email", new ChannelsConfig.Channel("approval-email", "email", Map.of("sender", "$mailbox"), null),
                    "phone", new ChannelsConfig.Channel("phone", "fcm", Map.of(), null),
                    "callback", new ChannelsConfig.Channel("callback", "webhook", Map.of("url", "$callback"), null),
                    "team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", "https://hook.example/"), null)),
            Map.of("r-okafor", new ChannelsConfig.Recipient("r-okafor", "R. Okafor", "r.okafor@acme.example", List.of())),
            Map.of("approvers", new ChannelsConfig.Audience("approvers", List.of("$approvers"), List.of("approval-email", "phone")),
                    "requester", new ChannelsConfig.Audience("requester", List.of("$requester"), List.of("approval-email", "phone")),
                    "callback", new ChannelsConfig.Audience("callback", List.of("$callback"), List.of("callback", "team-hook"))),
            Map.of("approval.requested", List.of("approvers"), "approval.decided", List.of("requester", "callback")));

    private Database db;
    private DeliveryStore store;
    private DeliveryPlanner planner;

    @BeforeEach
    void open() {
        db = TestDatabases.h2("planner");
        store = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        store.addTarget("r-okafor", "phone", "okafor-token", Map.of(), NOW);
        planner = new DeliveryPlanner(CONFIG, store, db, Json.newMapper(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void approversAreMailedAndPushedOnlyWhenUrgent() throws Exception {
        planner.plan(event("e1", "approval.requested", "\"askNow\":[\"R.Okafor@acme.example\",\"mei@acme.example\"],\"urgent\":false"));
        assertEquals(List.of("approval-email r-okafor r.okafor@acme.example", "approval-email mei@acme.example mei@acme.example"),
                planned("e1"));

        planner.plan(event("e2", "approval.requested", "\"askNow\":[\"r.okafor@acme.example\"],\"urgent\":true"));
        assertEquals(List.of("approval-email r-okafor r.okafor@acme.example", "phone r-okafor okafor-token"), planned("e2"));
    }

    @Test
    void theRequesterIsMailedAndTheCallbackPostedOnItsOwnChannel() throws Exception {
        planner.plan(event("e3", "approval.decided", "\"requester\":\"j.smith@acme.example\",\"callbackUrl\":\"https://erp.example/cb\""));
        assertEquals(List.of("approval-email j.smith@acme.example j.smith@acme.example", "callback $callback https://erp.example/cb"),
                planned("e3"));

        planner.plan(event("e4", "approval.decided", "\"requester\":\"j.smith@acme.example\",\"callbackUrl\":null"));
        assertEquals(List.of("approval-email j.smith@acme.example j.smith@acme.example"), planned("e4"));
    }

    private static String event(String id, String type, String data) {
        return "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"mailbox\":\"accounts\",\"itemId\":null,\"data\":{" + data + "}}";
    }

    private List<String> planned(String eventId) {
        return store.list(eventId, null, 0, 50).stream().map(d -> d.channel() + " " + d.recipient() + " " + d.address()).toList();
    }
}
