package io.mailroute.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.workflow.ItemCustomers;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowItem;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.transaction.TransactionStatus;

/**
 * The communication loop: a message to an item's customer, written from a template and the agent's text, sent in the
 * customer's own Gmail thread. It is an event ({@code item.info-requested}, {@code item.status-update}) that
 * {@code routing:} in channels.yaml sends to {@code $sender} (the customer) through delivery, planned once per event,
 * channel and recipient; nothing is sent from here. A request for information also moves the item to WAITING_FOR_INFO
 * ({@code item.state-changed}, audited), in the same transaction; the customer's reply brings it back to OPEN
 * (Workflow's reply handling).
 */
public final class CustomerMessages {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CustomerMessages.class);

    /** The most characters an agent's text may have: a few paragraphs, and within a push payload's limits. */
    public static final int MAX_TEXT = 4000;

    /** What an agent can send: the template's name (config/templates/&lt;name&gt;.*) and the event it becomes. */
    public enum Template {
        REQUEST_INFO("request-info", "item.info-requested"),
        STATUS_UPDATE("status-update", "item.status-update");

        private final String templateName;
        private final String eventType;

        Template(String templateName, String eventType) {
            this.templateName = templateName;
            this.eventType = eventType;
        }

        public String templateName() {
            return templateName;
        }

        public String eventType() {
            return eventType;
        }

        /** @throws IllegalArgumentException naming the templates there are */
        public static Template named(String name) {
            return Arrays.stream(values()).filter(t -> t.templateName.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("template must be one of " + names() + ", got '"
                            + (name == null ? "" : name) + "'"));
        }

        public static List<String> names() {
            return Arrays.stream(values()).map(Template::templateName).toList();
        }
    }

    /** What became of a message: sent (its events committed), or refused with an HTTP status and why. */
    public sealed interface Outcome permits Sent, Refused {
    }

    /**
     * @param customer the address it goes to
     * @param events    the events the message committed (its own first), as id, type and seq
     * @param committed the events this call committed, to publish: {@code events}, or none for a repeat
     * @param repeated  true: the same idempotency key and message again; nothing new was committed, this is the first's
     */
    public record Sent(WorkflowItem item, String customer, List<EventRef> events, List<Event> committed, boolean repeated)
            implements Outcome {
    }

    /** An event a message committed, as the API answers it. */
    public record EventRef(String id, String type, long seq) {
        static EventRef of(Event event) {
            return new EventRef(event.id(), event.type(), event.seq());
        }
    }

    public record Refused(int status, String reason) implements Outcome {
    }

    private final Database db;
    private final Workflow workflow;
    private final ItemCustomers customers;
    private final EventLog events;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final Predicate<String> routed;
    private final Clock clock;

    /** @param routed whether config/channels.yaml routes an event type to some audience */
    public CustomerMessages(Database db, Workflow workflow, ItemCustomers customers, EventLog events, AuditTrail audit,
            ObjectMapper json, Predicate<String> routed, Clock clock) {
        this.db = db;
        this.workflow = workflow;
        this.customers = customers;
        this.events = events;
        this.audit = audit;
        this.json = json;
        this.routed = routed;
        this.clock = clock;
    }

    /**
     * Sends one message to the item's customer. Refused: 404 no such item; 409 a CLOSED item, or a request for
     * information on an item that cannot wait for it (RESOLVED: reopen it first); 422 an item without a customer (an
     * approval, an alert, a first message from one of our own mailboxes) or an event type that routing sends nobody.
     *
     * A message with an idempotency key is sent once: the same key and message again answer the first one's events
     * ({@link Sent#repeated}), also when two arrive at once; the same key with another message is refused (409).
     *
     * @param text the agent's words (see {@link #text}), already checked
     * @param idempotencyKey the client's key for this message (unique per item), or null
     * @param actor who asks, for the events and the audit trail (e.g. token:mei)
     */
    public Outcome send(long itemId, Template template, String text, String idempotencyKey, String actor) {
        if (!routed.test(template.eventType())) {
            return new Refused(422, "config/channels.yaml routes " + template.eventType() + " to nobody, so the customer "
                    + "would not get it: add routing: " + template.eventType() + ": [customer] (an audience with member "
                    + "$sender via an email channel with reply: true)");
        }
        String hash = hash(template, text);
        Outcome outcome;
        try {
            outcome = db.transactions().execute(tx -> {
                if (idempotencyKey != null) {
                    Optional<Outcome> earlier = earlier(itemId, idempotencyKey, hash);
                    if (earlier.isPresent()) {
                        return earlier.get();
                    }
                }
                Outcome made = make(tx, itemId, template, text, actor);
                if (idempotencyKey != null && made instanceof Sent sent) {
                    remember(itemId, idempotencyKey, hash, sent);
                }
                return made;
            });
        } catch (DuplicateKeyException e) {
            // the same key, committed by a concurrent request between our look and our insert: that one was sent
            outcome = earlier(itemId, idempotencyKey, hash).orElseThrow(() -> e);
        }
        if (outcome instanceof Sent sent && !sent.repeated()) {
            LOG.info("Item {}: {} to its customer {} by {} (event {}); the item is {}", itemId, template.templateName(),
                    sent.customer(), actor, sent.events().get(0).id(), sent.item().state());
        }
        return outcome;
    }

    private Outcome make(TransactionStatus tx, long itemId, Template template, String text, String actor) {
        Optional<WorkflowItem> found = workflow.store().item(itemId);
        if (found.isEmpty()) {
            return new Refused(404, "no item with id " + itemId);
        }
        WorkflowItem item = found.get();
        if (item.state() == ItemState.CLOSED) {
            return new Refused(409, "item " + itemId + " is CLOSED: nothing more is sent about it; a new message from "
                    + "the customer opens a new case");
        }
        ItemCustomers.Customer customer = customers.ofItem(itemId);
        if (!customer.exists()) {
            return new Refused(422, customer.reason());
        }
        boolean waits = template == Template.REQUEST_INFO && item.state() != ItemState.WAITING_FOR_INFO;
        if (waits && !item.state().canMoveTo(ItemState.WAITING_FOR_INFO)) {
            return new Refused(409, "item " + itemId + " is " + item.state() + " and cannot wait for information; "
                    + "reopen it first (PATCH /api/items/" + itemId + " {\"state\":\"OPEN\"}), or send a status-update");
        }
        ObjectNode data = json.createObjectNode()
                .put("itemId", itemId)
                .put("template", template.templateName())
                .put("text", text)
                .put("to", customer.address())
                .put("by", actor)
                .put("queue", item.queue())
                .put("subject", item.subject())
                .put("threadId", item.threadId());
        audit.record(template.eventType(), item.mailbox(), "item:" + itemId, data);
        List<Event> out = new ArrayList<>();
        out.add(events.append(template.eventType(), item.mailbox(), itemId, null, data));
        if (waits) {
            Workflow.ChangeResult changed = workflow.change(itemId, item.version(), ItemState.WAITING_FOR_INFO, null,
                    false, actor);
            if (changed.outcome() != Workflow.ChangeResult.Outcome.OK) {
                tx.setRollbackOnly(); // the message goes with its state change, or not at all
                return new Refused(409, changed.message());
            }
            out.addAll(changed.events());
        }
        return new Sent(workflow.store().item(itemId).orElseThrow(), customer.address(),
                out.stream().map(EventRef::of).toList(), List.copyOf(out), false);
    }

    /** What the first message with this key did, or a 409 when this key came with another message. */
    private Optional<Outcome> earlier(long itemId, String key, String hash) {
        List<Outcome> found = db.jdbc().query("""
                SELECT request_hash, customer, events FROM customer_message WHERE item_id = :item AND idempotency_key = :key""",
                Map.of("item", itemId, "key", key), (rs, n) -> {
                    if (!hash.equals(rs.getString("request_hash"))) {
                        return new Refused(409, "idempotency key '" + key + "' was used for another message to item "
                                + itemId + "'s customer; a new message needs a new key");
                    }
                    List<EventRef> refs = new ArrayList<>();
                    try {
                        json.readTree(rs.getString("events")).forEach(e -> refs.add(
                                new EventRef(e.path("id").asText(), e.path("type").asText(), e.path("seq").asLong())));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("customer_message of item " + itemId + ": unreadable events", e);
                    }
                    return new Sent(workflow.store().item(itemId).orElseThrow(), rs.getString("customer"), List.copyOf(refs),
                            List.of(), true);
                });
        return found.stream().findFirst();
    }

    private void remember(long itemId, String key, String hash, Sent sent) {
        ArrayNode refs = json.createArrayNode();
        sent.events().forEach(e -> refs.addObject().put("id", e.id()).put("type", e.type()).put("seq", e.seq()));
        MapSqlParameterSource row = new MapSqlParameterSource().addValue("item", itemId).addValue("key", key)
                .addValue("hash", hash).addValue("customer", sent.customer()).addValue("events", refs.toString())
                .addValue("at", java.sql.Timestamp.from(clock.instant()));
        db.jdbc().update("""
                INSERT INTO customer_message (item_id, idempotency_key, request_hash, customer, events, created_at)
                VALUES (:item, :key, :hash, :customer, :events, :at)""", row);
    }

    /** The message as the key vouches for it: the template and the agent's text. */
    private static String hash(Template template, String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((template.templateName() + "\n" + text).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The agent's text as it is sent: line breaks as {@code \n}, other control characters removed, trimmed.
     *
     * @throws IllegalArgumentException when it is missing, blank or longer than {@value #MAX_TEXT} characters
     */
    public static String text(String given) {
        if (given == null || given.isBlank()) {
            throw new IllegalArgumentException("text is required: the words the customer reads (what you need from them, "
                    + "or the news), at most " + MAX_TEXT + " characters");
        }
        String text = given.replace("\r\n", "\n").replace('\r', '\n')
                .replaceAll("[\\p{Cntrl}&&[^\\n\\t]]", "").strip();
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("text is " + text.length() + " characters long; at most " + MAX_TEXT
                    + " are sent: shorten it");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("text is required: it holds only control characters");
        }
        return text;
    }
}
