package io.mailroute.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestItems;
import io.mailroute.workflow.ItemCustomers;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /api/items/{id}/messages: the message is an event routed to the customer; request-info makes the item wait. */
class CustomerMessagesTest {

    private static final Instant T0 = Instant.parse("2026-11-22T08:00:00Z");

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final List<String> audited = new ArrayList<>();
    private final Set<String> routedTypes = new java.util.HashSet<>(Set.of("item.info-requested", "item.status-update"));
    private Database db;
    private Workflow workflow;
    private EventLog events;
    private TestItems items;
    private CustomerMessageApi api;

    @BeforeEach
    void open() {
        db = TestDatabases.h2("customer-messages");
        events = new EventLog(db, json, clock);
        workflow = new Workflow(db, events, new WorkflowStore(db), (action, mailbox, ref, details) -> audited.add(action + " " + ref),
                json, clock);
        items = new TestItems(db, workflow, T0);
        ItemCustomers customers = new ItemCustomers(db, Set.of("support@acme.example"));
        api = new CustomerMessageApi(new CustomerMessages(db, workflow, customers, events,
                (action, mailbox, ref, details) -> audited.add(action + " " + ref), json, routedTypes::contains, clock), json);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aRequestForInformationWaitsForTheCustomerAndTheirReplyReopensTheItem() throws Exception {
        long item = items.item("CASE", "pat@globex.example");
        workflow.change(item, null, ItemState.IN_PROGRESS, "mei@acme.example", true, "token:mei");
        audited.clear();

        Answer answer = post(item, "{\"template\":\"request-info\",\"text\":\"Could you send us your order number?\"}");

        assertEquals(202, answer.status(), answer.body().toString());
        assertEquals("pat@globex.example", answer.body().get("to").asText());
        assertEquals("WAITING_FOR_INFO", answer.body().get("state").asText());
        assertEquals(List.of("item.info-requested", "item.state-changed"), types(answer.body()));
        assertEquals(ItemState.WAITING_FOR_INFO, workflow.store().item(item).orElseThrow().state());
        assertEquals(List.of("item.info-requested item:" + item, "item.state-changed item:" + item), audited);
        JsonNode asked = committed(answer, 0);
        EventSchemas.assertValid("customer-message-events.schema.json", asked);
        EventSchemas.assertValid("workflow-events.schema.json", committed(answer, 1));
        assertEquals("Could you send us your order number?", asked.at("/data/text").asText());
        assertEquals("token:mei", asked.at("/data/by").asText());
        assertEquals("token:mei", committed(answer, 1).at("/data/by").asText());

        // The customer answers in their thread: the reply attaches to the item and it is OPEN again.
        long reply = items.message("pat@globex.example", items.threadOf(item), "answer-1@globex.example");
        List<Event> replied = workflow.triage(reply, (m, isReply) -> {
            throw new AssertionError("a reply in the item's thread is not classified");
        });
        assertEquals(List.of("item.replied", "item.state-changed"), replied.stream().map(Event::type).toList());
        assertEquals(ItemState.OPEN, workflow.store().item(item).orElseThrow().state());
        assertEquals(2, workflow.store().itemMessages(item).size(), "the first message and the reply");
    }

    @Test
    void aStatusUpdateLeavesTheStateAsItIsAndIsPlannedOnceForTheCustomer() throws Exception {
        long item = items.item("CASE", "pat@globex.example");
        workflow.change(item, null, ItemState.RESOLVED, null, false, "token:mei");

        Answer answer = post(item, "{\"template\":\"status-update\",\"text\":\"Fixed in release 4.2.\\r\\nThanks!\\u0007\"}");

        assertEquals(202, answer.status(), answer.body().toString());
        assertEquals(List.of("item.status-update"), types(answer.body()));
        assertEquals("RESOLVED", answer.body().get("state").asText());
        JsonNode update = committed(answer, 0);
        EventSchemas.assertValid("customer-message-events.schema.json", update);
        assertEquals("Fixed in release 4.2.\nThanks!", update.at("/data/text").asText(), "line breaks kept, control characters not");

        ChannelsConfig channels = new ChannelsConfig(
                Map.of("customer-reply", new ChannelsConfig.Channel("customer-reply", "email", Map.of("sender", "support",
                        "reply", "true", "template.item.status-update", "status-update"), null)),
                Map.of(), Map.of("customer", new ChannelsConfig.Audience("customer", List.of("$sender"), List.of("customer-reply"))),
                Map.of("item.status-update", List.of("customer")));
        DeliveryStore deliveries = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(
                Map.of(TokenKey.ENV, TokenKey.generate())::get, null, false), () -> false));
        DeliveryPlanner planner = new DeliveryPlanner(channels, deliveries, db, json, clock)
                .resolvingSendersWith(new ItemCustomers(db, Set.of("support@acme.example")));
        String eventJson = events.page(0, "item.status-update", null, 10).get(0).json();
        assertEquals(1, planner.plan(eventJson));
        assertEquals(0, planner.plan(eventJson), "a redelivered event plans nothing more");
        assertEquals(List.of("customer-reply pat@globex.example"), deliveries.list(update.get("id").asText(), null, 0, 10)
                .stream().map(d -> d.channel() + " " + d.address()).toList());
        assertEquals("status-update", channels.channels().get("customer-reply").template("item.status-update"));
    }

    @Test
    void aMessageNobodyCouldSendIsRefusedAndNothingIsCommitted() {
        long alert = items.item("ALERT", "monitor@hooli.example");
        long approval = items.item("APPROVAL", "j.smith@acme.example");
        long ours = items.item("CASE", "support@acme.example");
        long closed = items.item("CASE", "pat@globex.example");
        workflow.change(closed, null, ItemState.CLOSED, null, false, "token:mei");
        long resolved = items.item("CASE", "pat@globex.example");
        workflow.change(resolved, null, ItemState.RESOLVED, null, false, "token:mei");
        long open = items.item("CASE", "pat@globex.example");
        long before = events.lastSeq();
        String ask = "{\"template\":\"request-info\",\"text\":\"Your order number?\"}";

        assertRefused(404, "no item with id 999", post(999, ask));
        assertRefused(409, "item " + closed + " is CLOSED", post(closed, ask));
        assertRefused(409, "item " + closed + " is CLOSED", post(closed, ask.replace("request-info", "status-update")));
        assertRefused(422, "item " + alert + " is an alert, not a case: it has no customer", post(alert, ask));
        assertRefused(422, "item " + approval + " is an approval, not a case", post(approval, ask));
        assertRefused(422, "is our own mailbox support@acme.example", post(ours, ask));
        assertRefused(409, "item " + resolved + " is RESOLVED and cannot wait for information", post(resolved, ask));
        routedTypes.remove("item.info-requested");
        assertRefused(422, "config/channels.yaml routes item.info-requested to nobody", post(open, ask));

        assertEquals(before, events.lastSeq(), "no event committed");
        assertEquals(ItemState.RESOLVED, workflow.store().item(resolved).orElseThrow().state());
        assertEquals(ItemState.OPEN, workflow.store().item(open).orElseThrow().state());
    }

    @Test
    void aRequestWhoseStateChangeIsRefusedSendsNothing() {
        long item = items.item("CASE", "pat@globex.example");
        workflow.stateDecidedBy(id -> java.util.Optional.of("item " + id + "'s state is decided elsewhere"));
        long before = events.lastSeq();

        assertRefused(409, "item " + item + "'s state is decided elsewhere",
                post(item, "{\"template\":\"request-info\",\"text\":\"Your order number?\"}"));

        assertEquals(before, events.lastSeq(), "the message goes with its state change, or not at all");
        assertEquals(ItemState.OPEN, workflow.store().item(item).orElseThrow().state());
    }

    @Test
    void aBadBodyIsRefusedNamingTheField() {
        long item = items.item("CASE", "pat@globex.example");
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("{\"template\":\"thank-you\",\"text\":\"x\"}", "template must be one of [request-info, status-update], got 'thank-you'");
        bodies.put("{\"text\":\"x\"}", "template is required: one of [request-info, status-update]");
        bodies.put("{\"template\":\"request-info\"}", "text is required");
        bodies.put("{\"template\":\"request-info\",\"text\":\"  \\n \"}", "text is required");
        bodies.put("{\"template\":\"request-info\",\"text\":42}", "text must be a string");
        bodies.put("{\"template\":\"request-info\",\"text\":\"" + "x".repeat(4001) + "\"}",
                "text is 4001 characters long; at most 4000 are sent");
        bodies.put("{\"template\":\"request-info\",\"text\":\"x\",\"to\":\"eve@evil.example\"}", "unknown field 'to'");
        bodies.put("[1]", "the body must be a JSON object");
        bodies.put("{nope", "the body must be JSON such as");
        bodies.forEach((body, message) -> {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> post(item, body), body);
            assertTrue(refused.getMessage().contains(message), body + " -> " + refused.getMessage());
        });
        assertThrows(IllegalArgumentException.class, () -> api.send("abc", "mei", null, "{}", exchange()));
        IllegalArgumentException twoKeys = assertThrows(IllegalArgumentException.class, () -> api.send(String.valueOf(item),
                "mei", "k-1", "{\"template\":\"request-info\",\"text\":\"x\",\"idempotencyKey\":\"k-2\"}", exchange()));
        assertTrue(twoKeys.getMessage().contains("idempotencyKey differs from the Idempotency-Key header"), twoKeys.getMessage());
        IllegalArgumentException spaced = assertThrows(IllegalArgumentException.class, () -> api.send(String.valueOf(item),
                "mei", "a key", "{\"template\":\"request-info\",\"text\":\"x\"}", exchange()));
        assertTrue(spaced.getMessage().contains("visible ASCII characters, no spaces"), spaced.getMessage());
        assertEquals(202, post(item, "{\"template\":\"request-info\",\"text\":\"" + "x".repeat(4000) + "\"}").status(),
                "4000 characters are fine");
    }

    /**
     * A client that retries (a timeout, a double tap) with its idempotency key sends the customer one message: the
     * repeat answers the first one's events (200, repeated) and commits and publishes nothing; the same key with other
     * words is refused; the key is the item's own (another item may use it); requests racing with one key send once.
     */
    @Test
    void theSameIdempotencyKeyAgainSendsTheCustomerOneMessage() throws Exception {
        long item = items.item("CASE", "pat@globex.example");
        String ask = "{\"template\":\"request-info\",\"text\":\"Your order number?\",\"idempotencyKey\":\"ask-1\"}";

        Answer first = post(item, ask);
        long after = events.lastSeq();
        Answer again = post(item, "{\"template\":\"request-info\",\"text\":\"Your order number?\"}", "ask-1");

        assertEquals(202, first.status(), first.body().toString());
        assertEquals(200, again.status(), again.body().toString());
        assertTrue(again.body().get("repeated").asBoolean());
        assertEquals(first.body().get("events"), again.body().get("events"), "the first message's events");
        assertEquals(after, events.lastSeq(), "a repeat commits nothing");
        assertEquals(List.of(), again.exchange().getProperty(EventLog.COMMITTED, List.class), "and publishes nothing");
        assertEquals(1, events.page(0, "item.info-requested", null, 10).size());

        assertRefused(409, "idempotency key 'ask-1' was used for another message to item " + item,
                post(item, ask.replace("Your order number?", "Your invoice number?")));
        assertEquals(after, events.lastSeq());

        long other = items.item("CASE", "kim@initech.example");
        assertEquals(202, post(other, ask).status(), "keys are per item");

        long raced = items.item("CASE", "lee@globex.example");
        String race = ask.replace("ask-1", "race-1");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Answer>> answers = new ArrayList<>();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return post(raced, race.replace("request-info", "status-update"));
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (java.util.concurrent.Future<Answer> answer : answers) {
                statuses.add(answer.get().status());
            }
            assertEquals(1, statuses.stream().filter(st -> st == 202).count(), "sent once: " + statuses);
            assertEquals(3, statuses.stream().filter(st -> st == 200).count(), "the rest are repeats: " + statuses);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, events.page(0, "item.status-update", null, 10).stream().filter(e -> e.itemId() == raced).count());
    }

    private record Answer(int status, JsonNode body, Exchange exchange) {
    }

    private Answer post(long item, String body) {
        return post(item, body, null);
    }

    private Answer post(long item, String body, String idempotencyKey) {
        Exchange exchange = exchange();
        JsonNode answer = api.send(String.valueOf(item), "mei", idempotencyKey, body, exchange);
        return new Answer(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class), answer, exchange);
    }

    private static Exchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }

    private static void assertRefused(int status, String message, Answer answer) {
        assertEquals(status, answer.status(), answer.body().toString());
        assertTrue(answer.body().at("/error/message").asText().contains(message), answer.body().toString());
    }

    private static List<String> types(JsonNode answer) {
        List<String> types = new ArrayList<>();
        answer.get("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    @SuppressWarnings("unchecked")
    private JsonNode committed(Answer answer, int index) throws Exception {
        List<Event> list = (List<Event>) answer.exchange().getProperty(EventLog.COMMITTED, List.class);
        return json.readTree(list.get(index).json());
    }
}
