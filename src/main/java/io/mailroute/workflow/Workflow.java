package io.mailroute.workflow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change to workflow items, each in one transaction with its events and audit records:
 * triage of a received message (a new item, a reply to a known one, or ignored), changes by
 * people through the API, and SLA breaches.
 */
public final class Workflow {

    public static final String CASE_CREATED = "case.created";
    public static final String ITEM_REPLIED = "item.replied";
    public static final String ITEM_ASSIGNED = "item.assigned";
    public static final String ITEM_STATE_CHANGED = "item.state-changed";
    public static final String SLA_BREACHED = "sla.breached";
    private static final Logger LOG = LoggerFactory.getLogger(Workflow.class);

    private final Database db;
    private final EventLog events;
    private final WorkflowStore store;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile ApprovalItems approvals = (item, message, classification) -> List.of();
    private volatile ApprovalReplies approvalReplies = message -> Optional.empty();
    private volatile OwnMail ownMail = message -> Optional.empty();
    private volatile StateOwners stateOwners = itemId -> Optional.empty();

    /**
     * What makes the approval of an item that triage typed APPROVAL, in the transaction that creates the item
     * (the approvals feature plugs in here).
     */
    @FunctionalInterface
    public interface ApprovalItems {
        /** @return the events it committed */
        List<Event> itemCreated(WorkflowItem item, MessageFacts message, Classification classification);
    }

    /**
     * What takes a received message that answers an approval email out of ordinary triage, in triage's transaction:
     * such a reply never opens a case (the approvals feature plugs in here).
     */
    @FunctionalInterface
    public interface ApprovalReplies {
        /** @return what became of the reply, or empty when the message answers no approval email */
        Optional<TakenReply> take(MessageFacts message);
    }

    /** A reply the approvals took: the approval's item (null when it has none) and the events committed. */
    public record TakenReply(Long itemId, List<Event> events) {
    }

    /**
     * What takes a received message about mail we sent (a delivery status notification of a report email) out of
     * triage, first, in triage's transaction: such a message opens no case and attaches to none; it is recorded as
     * ignored, with the reason. The reports feature plugs in here.
     */
    @FunctionalInterface
    public interface OwnMail {
        /** @return what became of the message, or empty when it is about no mail this hook knows (triage goes on) */
        Optional<TakenOwnMail> take(MessageFacts message);
    }

    /**
     * A message {@link OwnMail} took.
     *
     * @param takenBy what took it, kept as the triage ledger's rule id (at most 128 characters), e.g. report-bounce
     * @param reason  why, for the audit trail and the log, e.g. "bounce of report email &lt;id&gt; to ann@example.com"
     * @param events  the events committed with it
     */
    public record TakenOwnMail(String takenBy, String reason, List<Event> events) {
    }

    /** What else decides an item's state, and so refuses a change of it by hand (the approvals feature plugs in here). */
    @FunctionalInterface
    public interface StateOwners {
        /** @return why the item's state is not changed by hand now, or empty when it may be */
        Optional<String> decidesStateOf(long itemId);
    }

    /** A state change of an item that {@code owners} say something else decides is refused (409), naming it. */
    public Workflow stateDecidedBy(StateOwners owners) {
        this.stateOwners = java.util.Objects.requireNonNull(owners, "owners");
        return this;
    }

    /** Messages about mail we sent go to {@code ownMail} before anything else (approval replies included). */
    public Workflow takingOwnMailWith(OwnMail ownMail) {
        this.ownMail = java.util.Objects.requireNonNull(ownMail, "ownMail");
        return this;
    }

    /** Replies to approval emails go to {@code replies}, before any item is looked for or made. */
    public Workflow takingApprovalRepliesWith(ApprovalReplies replies) {
        this.approvalReplies = java.util.Objects.requireNonNull(replies, "replies");
        return this;
    }

    /** Items typed APPROVAL get their approval from {@code approvals}, in the same transaction. */
    public Workflow requestingApprovalsWith(ApprovalItems approvals) {
        this.approvals = java.util.Objects.requireNonNull(approvals, "approvals");
        return this;
    }

    public Workflow(Database db, EventLog events, WorkflowStore store, AuditTrail audit, ObjectMapper json, Clock clock) {
        this.db = db;
        this.events = events;
        this.store = store;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    public WorkflowStore store() {
        return store;
    }

    /**
     * Triage one received message, once: a reply to an open item attaches to it; anything else
     * is classified (told whether it replies to a closed item) into a new item or ignored.
     *
     * @return the events committed, empty when the message was triaged before
     */
    public List<Event> triage(long messageId, BiFunction<MessageFacts, Boolean, Classification> classifier) {
        List<Event> committed = db.transactions().execute(tx -> {
            if (store.isTriaged(messageId)) {
                return List.<Event>of();
            }
            MessageFacts message = store.message(messageId)
                    .orElseThrow(() -> new IllegalArgumentException("no stored message " + messageId));
            Instant now = clock.instant();
            Optional<TakenOwnMail> own = ownMail.take(message);
            if (own.isPresent()) {
                ignore(message, own.get().takenBy(), own.get().reason(), now);
                return own.get().events();
            }
            Optional<TakenReply> approvalReply = approvalReplies.take(message);
            if (approvalReply.isPresent()) {
                store.recordTriage(messageId, "APPROVAL_REPLY", null, approvalReply.get().itemId(), now);
                return approvalReply.get().events();
            }
            Optional<WorkflowItem> known = correlate(message).flatMap(store::item);
            if (known.isPresent() && !known.get().state().next().isEmpty()) {
                return attachReply(known.get(), message, now);
            }
            Classification c = classifier.apply(message, known.isPresent());
            if (c.ignored()) {
                ignore(message, c.ruleId(), null, now);
                return List.<Event>of();
            }
            return create(message, c, now);
        });
        return committed == null ? List.of() : committed;
    }

    /** No item: the triage ledger says IGNORED by {@code ruleId}; the audit trail and the log say why, when given. */
    private void ignore(MessageFacts message, String ruleId, String reason, Instant now) {
        store.recordTriage(message.id(), "IGNORED", ruleId, null, now);
        ObjectNode details = json.createObjectNode().put("ruleId", ruleId).put("outcome", "IGNORED");
        if (reason != null) {
            details.put("reason", reason);
        }
        audit.record("message.classified", message.mailbox(), "message:" + message.id(), details);
        LOG.info("Mailbox {}: message {} ignored (rule {}){}", message.mailbox(), message.id(), ruleId,
                reason == null ? "" : ": " + reason);
    }

    private List<Event> create(MessageFacts message, Classification c, Instant now) {
        Instant due = c.sla() == null ? null : message.receivedAt().plus(c.sla());
        long itemId = store.insertItem(message, c, due, now);
        store.recordTriage(message.id(), "CREATED", c.ruleId(), itemId, now);
        WorkflowItem item = store.item(itemId).orElseThrow();
        ObjectNode data = itemData(item);
        data.set("channels", json.valueToTree(c.channels()));
        audit.record("message.classified", message.mailbox(), "message:" + message.id(),
                json.createObjectNode().put("ruleId", c.ruleId()).put("outcome", "CREATED").put("itemId", itemId));
        audit.record("item.created", message.mailbox(), "item:" + itemId, data);
        LOG.info("Mailbox {}: message {} → {} {} in queue {} (rule {}, priority {}{})", message.mailbox(), message.id(),
                item.type().toLowerCase(), itemId, item.queue(), c.ruleId(), item.priority(),
                due == null ? "" : ", due " + due);
        List<Event> out = new ArrayList<>();
        out.add(events.append(CASE_CREATED, message.mailbox(), itemId, message.id(), data));
        if ("APPROVAL".equals(item.type())) {
            out.addAll(approvals.itemCreated(item, message, c));
        }
        return out;
    }

    private List<Event> attachReply(WorkflowItem item, MessageFacts message, Instant now) {
        List<Event> out = new ArrayList<>();
        store.recordTriage(message.id(), "REPLY", null, item.id(), now);
        ObjectNode data = json.createObjectNode()
                .put("itemId", item.id())
                .put("messageId", message.id())
                .put("from", message.fromAddress())
                .put("subject", message.subject())
                .put("threadId", message.threadId());
        audit.record("item.replied", message.mailbox(), "item:" + item.id(), data);
        out.add(events.append(ITEM_REPLIED, message.mailbox(), item.id(), message.id(), data));
        ItemState next = item.state().afterReply();
        if (next != item.state() && store.update(item.id(), item.version(), next, item.assignee(), now)) {
            out.add(stateChanged(item, next, "reply from " + message.fromAddress()));
        }
        LOG.info("Mailbox {}: message {} is a reply to {} {}", message.mailbox(), message.id(), item.type().toLowerCase(),
                item.id());
        return out;
    }

    /** A reply belongs to the item of its Gmail thread, or of a message it names in In-Reply-To or References. */
    Optional<Long> correlate(MessageFacts message) {
        Optional<Long> byThread = store.itemByThread(message);
        if (byThread.isPresent()) {
            return byThread;
        }
        Set<String> ids = new LinkedHashSet<>();
        if (message.inReplyTo() != null) {
            ids.add(message.inReplyTo());
        }
        ids.addAll(message.references());
        return store.itemByMessageIds(message, List.copyOf(ids));
    }

    /**
     * A person's change through the API: a new state, a new assignee, or both. {@code expectedVersion}
     * (when given) must match, so two people cannot silently overwrite each other.
     */
    public ChangeResult change(long itemId, Integer expectedVersion, ItemState newState, String newAssignee,
            boolean assigneeGiven, String actor) {
        return db.transactions().execute(tx -> {
            Optional<WorkflowItem> found = store.item(itemId);
            if (found.isEmpty()) {
                return ChangeResult.notFound(itemId);
            }
            WorkflowItem item = found.get();
            if (expectedVersion != null && expectedVersion != item.version()) {
                return ChangeResult.conflict(item, "item " + itemId + " is at version " + item.version() + ", not "
                        + expectedVersion + ": reload it and apply your change again");
            }
            ItemState state = newState == null ? item.state() : newState;
            if (newState != null && newState != item.state()) {
                Optional<String> owner = stateOwners.decidesStateOf(itemId);
                if (owner.isPresent()) {
                    return ChangeResult.conflict(item, owner.get());
                }
            }
            if (newState != null && newState != item.state() && !item.state().canMoveTo(newState)) {
                return ChangeResult.invalid(item, "item " + itemId + " cannot go from " + item.state() + " to " + newState
                        + "; allowed: " + item.state().next());
            }
            String assignee = assigneeGiven ? blankToNull(newAssignee) : item.assignee();
            boolean stateChanges = state != item.state();
            boolean assigneeChanges = !java.util.Objects.equals(assignee, item.assignee());
            if (!stateChanges && !assigneeChanges) {
                return ChangeResult.ok(item, List.of());
            }
            Instant now = clock.instant();
            if (!store.update(itemId, item.version(), state, assignee, now)) {
                return ChangeResult.conflict(item, "item " + itemId + " was changed by someone else just now: reload it");
            }
            List<Event> out = new ArrayList<>();
            if (assigneeChanges) {
                ObjectNode data = json.createObjectNode().put("itemId", itemId).put("from", item.assignee())
                        .put("to", assignee).put("by", actor);
                audit.record(ITEM_ASSIGNED, item.mailbox(), "item:" + itemId, data);
                out.add(events.append(ITEM_ASSIGNED, item.mailbox(), itemId, null, data));
            }
            if (stateChanges) {
                out.add(stateChanged(item, state, actor));
            }
            return ChangeResult.ok(store.item(itemId).orElseThrow(), out);
        });
    }

    private Event stateChanged(WorkflowItem item, ItemState to, String by) {
        ObjectNode data = json.createObjectNode().put("itemId", item.id()).put("from", item.state().name())
                .put("to", to.name()).put("by", by);
        audit.record(ITEM_STATE_CHANGED, item.mailbox(), "item:" + item.id(), data);
        return events.append(ITEM_STATE_CHANGED, item.mailbox(), item.id(), null, data);
    }

    /** Raises sla.breached once for each active item past its due time. */
    public List<Event> breachOverdue(int limit) {
        Instant now = clock.instant();
        List<String> active = Arrays.stream(ItemState.values()).filter(ItemState::isActive).map(Enum::name).toList();
        List<Event> out = new ArrayList<>();
        // While the database is closed: the events committed so far are published, the next check does the rest.
        return db.unlessClosed(out, () -> {
            for (long id : store.dueForBreach(now, active, limit)) {
                Event event = db.transactions().execute(tx -> {
                    if (!store.markBreached(id, now)) {
                        return null; // another node or poll got there first
                    }
                    WorkflowItem item = store.item(id).orElseThrow();
                    ObjectNode data = itemData(item);
                    audit.record(SLA_BREACHED, item.mailbox(), "item:" + id, data);
                    LOG.warn("Mailbox {}: {} {} in queue {} is past its SLA (due {})", item.mailbox(),
                            item.type().toLowerCase(), id, item.queue(), item.slaDueAt());
                    return events.append(SLA_BREACHED, item.mailbox(), id, item.sourceMessageId(), data);
                });
                if (event != null) {
                    out.add(event);
                }
            }
            return out;
        });
    }

    public ObjectNode itemData(WorkflowItem item) {
        return json.createObjectNode()
                .put("itemId", item.id())
                .put("type", item.type())
                .put("state", item.state().name())
                .put("category", item.category())
                .put("queue", item.queue())
                .put("assignee", item.assignee())
                .put("priority", item.priority())
                .put("ruleId", item.ruleId())
                .put("subject", item.subject())
                .put("threadId", item.threadId())
                .put("sourceMessageId", item.sourceMessageId())
                .put("slaDueAt", item.slaDueAt() == null ? null : item.slaDueAt().toString())
                .put("slaBreachedAt", item.slaBreachedAt() == null ? null : item.slaBreachedAt().toString())
                .put("version", item.version());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    /** The outcome of {@link #change}: the item after it, the events raised, or why nothing changed. */
    public record ChangeResult(Outcome outcome, WorkflowItem item, List<Event> events, String message) {
        public enum Outcome { OK, NOT_FOUND, CONFLICT, INVALID }

        static ChangeResult ok(WorkflowItem item, List<Event> events) {
            return new ChangeResult(Outcome.OK, item, events, null);
        }

        static ChangeResult notFound(long id) {
            return new ChangeResult(Outcome.NOT_FOUND, null, List.of(), "no item with id " + id);
        }

        static ChangeResult conflict(WorkflowItem item, String message) {
            return new ChangeResult(Outcome.CONFLICT, item, List.of(), message);
        }

        static ChangeResult invalid(WorkflowItem item, String message) {
            return new ChangeResult(Outcome.INVALID, item, List.of(), message);
        }
    }
}
