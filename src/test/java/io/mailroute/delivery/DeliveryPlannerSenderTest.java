package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestItems;
import io.mailroute.workflow.ItemCustomers;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** $sender on any item event: the customer of the item it carries (the sender of a case's first message), by email only. */
class DeliveryPlannerSenderTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final ChannelsConfig CONFIG = new ChannelsConfig(
            Map.of("customer-reply", new ChannelsConfig.Channel("customer-reply", "email",
                            Map.of("sender", "support", "reply", "true"), null),
                    "team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", "https://hook.example/"), null)),
            Map.of(),
            Map.of("customer", new ChannelsConfig.Audience("customer", List.of("$sender"), List.of("customer-reply", "team-hook"))),
            Map.of("item.state-changed", List.of("customer"), "item.replied", List.of("customer"),
                    "approval.reply-refused", List.of("customer")));

    private Database db;
    private DeliveryStore store;
    private DeliveryPlanner planner;
    private TestItems items;

    @BeforeEach
    void open() {
        db = TestDatabases.h2("planner-sender");
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        store = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        planner = new DeliveryPlanner(CONFIG, store, db, Json.newMapper(), clock)
                .resolvingSendersWith(new ItemCustomers(db, Set.of("Support@acme.example", "notify@acme.example")));
        items = new TestItems(db, new Workflow(db, new EventLog(db, Json.newMapper(), clock), new WorkflowStore(db),
                (action, mailbox, ref, details) -> { }, Json.newMapper(), clock), NOW);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aStateChangeReachesTheCasesCustomerByEmailOnlyAndOnce() throws Exception {
        long item = items.item("CASE", "pat@globex.example");
        String event = event("e1", "item.state-changed", item, "\"itemId\":" + item + ",\"from\":\"OPEN\",\"to\":\"RESOLVED\"");

        assertEquals(1, planner.plan(event));
        assertEquals(0, planner.plan(event), "planned once per event, channel and recipient");
        assertEquals(List.of("customer-reply pat@globex.example pat@globex.example"), planned("e1"));
    }

    @Test
    void aReplyFromSomeoneElseStillReachesTheCustomerWhoOpenedTheCase() throws Exception {
        long item = items.item("CASE", "pat@globex.example");
        long reply = items.message("colleague@globex.example", items.threadOf(item), "r1@globex.example");
        planner.plan(event("e2", "item.replied", item, "\"itemId\":" + item + ",\"messageId\":" + reply));
        assertEquals(List.of("customer-reply pat@globex.example pat@globex.example"), planned("e2"));
    }

    @Test
    void anEventAboutOneMessageReachesThatMessagesSender() throws Exception {
        long reply = items.message("j.smith@acme.example", "t-approval", "reply-1@acme.example");
        planner.plan(event("e3", "approval.reply-refused", null, "\"sourceMessageId\":" + reply));
        assertEquals(List.of("customer-reply j.smith@acme.example j.smith@acme.example"), planned("e3"));
    }

    @Test
    void nobodyWhenTheItemHasNoCustomerWeMayWriteTo() throws Exception {
        Map<String, Long> noCustomer = Map.of(
                "an alert", items.item("ALERT", "monitor@hooli.example"),
                "an approval", items.item("APPROVAL", "j.smith@acme.example"),
                "our own mailbox, in any case", items.item("CASE", "support@ACME.example"),
                "two addresses in one", items.item("CASE", "pat@globex.example, eve@evil.example"),
                "a display name smuggled in", items.item("CASE", "Pat <pat@globex.example>"),
                "no address", items.item("CASE", null));
        int n = 0;
        for (Map.Entry<String, Long> e : noCustomer.entrySet()) {
            String id = "none-" + n++;
            assertEquals(0, planner.plan(event(id, "item.state-changed", e.getValue(), "\"itemId\":" + e.getValue()
                    + ",\"from\":\"OPEN\",\"to\":\"CLOSED\"")), e.getKey());
        }
        assertEquals(0, planner.plan(event("none-x", "item.state-changed", 999_999L, "\"itemId\":999999")), "no such item");
    }

    private static String event(String id, String type, Long itemId, String data) {
        return "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"mailbox\":\"support\",\"itemId\":" + itemId
                + ",\"data\":{" + data + "}}";
    }

    private List<String> planned(String eventId) {
        return store.list(eventId, null, 0, 50).stream().map(d -> d.channel() + " " + d.recipient() + " " + d.address()).toList();
    }
}
