package io.mailroute.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.workflow.ItemCustomers;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowItem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

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

    /** @param customer the address it goes to; {@code events} committed, the message's own first */
    public record Sent(WorkflowItem item, String customer, List<Event> events) implements Outcome {
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

    /** @param routed whether config/channels.yaml routes an event type to some audience */
    public CustomerMessages(Database db, Workflow workflow, ItemCustomers customers, EventLog events, AuditTrail audit,
            ObjectMapper json, Predicate<String> routed) {
        this.db = db;
        this.workflow = workflow;
        this.customers = customers;
        this.events = events;
        this.audit = audit;
        this.json = json;
        this.routed = routed;
    }

    /**
     * Sends one message to the item's customer. Refused: 404 no such item; 409 a CLOSED item, or a request for
     * information on an item that cannot wait for it (RESOLVED: reopen it first); 422 an item without a customer (an
     * approval, an alert, a first message from one of our own mailboxes) or an event type that routing sends nobody.
     *
     * @param text the agent's words (see {@link #text}), already checked
     * @param actor who asks, for the events and the audit trail (e.g. token:mei)
     */
    public Outcome send(long itemId, Template template, String text, String actor) {
        if (!routed.test(template.eventType())) {
            return new Refused(422, "config/channels.yaml routes " + template.eventType() + " to nobody, so the customer "
                    + "would not get it: add routing: " + template.eventType() + ": [customer] (an audience with member "
                    + "$sender via an email channel with reply: true)");
        }
        Outcome outcome = db.transactions().execute(tx -> {
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
            return new Sent(workflow.store().item(itemId).orElseThrow(), customer.address(), List.copyOf(out));
        });
        if (outcome instanceof Sent sent) {
            LOG.info("Item {}: {} to its customer {} by {} (event {}); the item is {}", itemId, template.templateName(),
                    sent.customer(), actor, sent.events().get(0).id(), sent.item().state());
        }
        return outcome;
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
