package io.mailroute.approvals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.workflow.Classification;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.MessageFacts;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowItem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;

/**
 * The approvals: requests (from the API, a route, or an item triage typed approval), decisions, cancel and expiry.
 * Each is one transaction with its rows, its history, its events ({@code approval.requested}, {@code approval.decided},
 * {@code approval.cancelled}, {@code approval.expired}; from the timers {@code approval.reminder} and
 * {@code approval.escalated}) and its audit records; decisions on one approval take turns on
 * its row lock, so of two at once one wins and the other is told who decided, when and how. The outcome moves the
 * approval's workflow item (APPROVED, REJECTED, CHANGES_REQUESTED, EXPIRED, CANCELLED).
 *
 * <p>Who is asked, and when, is {@link ApprovalPolicy}'s to say; sending the requests (email, push, links) belongs to
 * the subscribers of {@code approval.requested}, whose data carries everything they need. Its timers (reminders,
 * expiry) are scheduled through an {@link ApprovalSchedule} in the same transactions ({@link ApprovalTimers}).
 */
public final class Approvals {

    public static final String REQUESTED = "approval.requested";
    public static final String DECIDED = "approval.decided";
    public static final String CANCELLED = "approval.cancelled";
    public static final String EXPIRED = "approval.expired";
    public static final String REMINDER = "approval.reminder";
    public static final String ESCALATED = "approval.escalated";
    private static final Logger LOG = LoggerFactory.getLogger(Approvals.class);
    private static final int MAX_COMMENT = 2000;

    private final Database db;
    private final ApprovalStore store;
    private final EventLog events;
    private final AuditTrail audit;
    private final Workflow workflow;
    private final ApprovalsConfig config;
    private final Set<String> mailboxes;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile ApprovalSchedule schedule = ApprovalSchedule.NONE;

    /** @param mailboxes the mailbox ids of mailboxes.yaml, which a request's {@code mailbox} must name */
    public Approvals(Database db, EventLog events, AuditTrail audit, Workflow workflow, ApprovalsConfig config,
            Set<String> mailboxes, ObjectMapper json, Clock clock) {
        this.db = db;
        this.store = new ApprovalStore(db);
        this.events = events;
        this.audit = audit;
        this.workflow = workflow;
        this.config = config;
        this.mailboxes = Set.copyOf(mailboxes);
        this.json = json;
        this.clock = clock;
    }

    /** The timers of reminders and expiry, told of every ask and end in its transaction; set once, at start. */
    public void scheduledBy(ApprovalSchedule schedule) {
        this.schedule = schedule;
    }

    // ---- results ----------------------------------------------------------------------------------------

    /** A request's answer: the approval, whether this call made it (false: the same idempotency key again), its events. */
    public record Requested(Approval approval, boolean created, List<Event> events) {
    }

    /** The same idempotency key with a different request: never a second approval, never the first one changed. */
    public static final class IdempotencyConflict extends RuntimeException {
        private final String key;
        private final long approvalId;

        IdempotencyConflict(String key, long approvalId) {
            super("idempotency key '" + key + "' was used for approval " + approvalId + " with a different request; "
                    + "send that request again unchanged, or use a new key");
            this.key = key;
            this.approvalId = approvalId;
        }

        public String key() {
            return key;
        }

        public long approvalId() {
            return approvalId;
        }
    }

    /** What a decision (or a cancel, or expiry) came to. */
    public sealed interface Result permits Done, AlreadyDecided, Refused, NotFound {
    }

    /** It took effect: the approval after it, and the events committed. */
    public record Done(Approval approval, List<Event> events) implements Result {
    }

    /** Too late: the approval was already decided (or cancelled, or expired) by {@code by} at {@code at}, {@code how}. */
    public record AlreadyDecided(Approval approval) implements Result {
        public String state() {
            return approval.state();
        }

        public String by() {
            return approval.decidedBy();
        }

        public Instant at() {
            return approval.decidedAt();
        }

        public String how() {
            return approval.decidedHow();
        }
    }

    /** Not a decision this approver may make now (not an approver, not their turn yet, decided already); recorded. */
    public record Refused(Approval approval, String reason) implements Result {
    }

    public record NotFound(long approvalId) implements Result {
    }

    // ---- requests ---------------------------------------------------------------------------------------

    /**
     * Creates the approval, its approvers, the first {@code approval.requested} and the audit record, in one
     * transaction; the same idempotency key again answers the approval it made.
     *
     * @throws IllegalArgumentException naming the field that cannot work (an unknown group, policy or mailbox)
     * @throws IdempotencyConflict      the key was used for a different request
     */
    public Requested request(ApprovalRequest request) {
        Prepared prepared = prepare(request);
        try {
            return db.transactions().execute(tx -> {
                if (request.idempotencyKey() != null) {
                    Optional<Approval> earlier = store.byKey(request.idempotencyKey());
                    if (earlier.isPresent()) {
                        return repeat(earlier.get(), prepared);
                    }
                }
                return create(request, prepared);
            });
        } catch (DuplicateKeyException e) {
            // the same key, committed by a concurrent request between our look and our insert
            Approval earlier = store.byKey(request.idempotencyKey()).orElseThrow(() -> e);
            return repeat(earlier, prepared);
        }
    }

    private Requested repeat(Approval earlier, Prepared prepared) {
        if (!earlier.requestHash().equals(prepared.hash())) {
            throw new IdempotencyConflict(earlier.idempotencyKey(), earlier.id());
        }
        return new Requested(earlier, false, List.of());
    }

    /**
     * For an item that triage typed APPROVAL, in the transaction that creates it: its approval, with the rule's
     * approvers and policy. A rule whose approvers or policy do not resolve (check and reload refuse such rules)
     * leaves the item without an approval, said in the log and the audit trail, rather than failing triage.
     */
    public List<Event> itemCreated(WorkflowItem item, MessageFacts message, Classification classification) {
        ApprovalRequest request = new ApprovalRequest(title(item.subject()), requesterFrom(message.fromAddress()),
                ApprovalsConfig.forQueue(classification.approvers(), item.queue()), classification.policy(), json.createObjectNode(), messageAttachments(message.id()),
                null, "item:" + item.id(), item.mailbox(), item.priority(), item.id(), message.messageIdHeader(),
                message.threadId(), ApprovalRequest.Source.EMAIL, "triage rule " + classification.ruleId());
        Prepared prepared;
        try {
            prepared = prepare(request);
        } catch (IllegalArgumentException e) {
            LOG.error("Mailbox {}: approval item {} (rule {}) has no approval: {}; fix the rule's approvers or policy",
                    item.mailbox(), item.id(), classification.ruleId(), e.getMessage());
            audit.record("approval.not-requested", item.mailbox(), "item:" + item.id(), json.createObjectNode()
                    .put("ruleId", classification.ruleId()).put("reason", e.getMessage()));
            return List.of();
        }
        return create(request, prepared).events();
    }

    /** What a request resolves to before anything is written: its policy, approvers, expiry and hash. */
    private record Prepared(ApprovalsConfig.Policy policy, List<String> approvers, String mailbox, boolean urgent, String hash) {
    }

    private Prepared prepare(ApprovalRequest request) {
        ApprovalsConfig.Policy policy = config.policy(request.policy()).orElseThrow(() -> new IllegalArgumentException(
                "policy '" + request.policy() + "' is not defined in " + config.source() + "; name one of "
                        + new java.util.TreeSet<>(config.policies().keySet())));
        List<String> approvers;
        try {
            approvers = config.expand(request.approvers());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("approvers: " + e.getMessage());
        }
        String problem = policy.rule().problemWith(approvers.size());
        if (problem != null) {
            throw new IllegalArgumentException("approvers: policy '" + policy.name() + "' (" + policy.rule() + ") " + problem);
        }
        String mailbox = request.mailbox() != null ? request.mailbox() : config.mailbox();
        if (mailbox == null) {
            throw new IllegalArgumentException("mailbox is required: name the mailbox the requests go from (or set mailbox: in "
                    + config.source() + ")");
        }
        if (!mailboxes.contains(mailbox)) {
            throw new IllegalArgumentException("mailbox '" + mailbox + "' is not a mailbox of mailboxes.yaml " + new java.util.TreeSet<>(mailboxes));
        }
        boolean urgent = policy.urgent().applies(request.priority(), ApprovalRequestReader.amount(request.fields()),
                request.fields().path("currency").asText(null));
        return new Prepared(policy, approvers, mailbox, urgent, hash(request, policy, approvers, mailbox));
    }

    private Requested create(ApprovalRequest request, Prepared prepared) {
        Instant now = clock.instant();
        ApprovalsConfig.Policy policy = prepared.policy();
        Instant expiresAt = policy.expires() == null ? null : now.plus(policy.expires());
        long id = store.insert(new ApprovalStore.NewApproval(request.itemId(), prepared.mailbox(), request.title(),
                request.requester(), policy.name(), policy.rule(), request.priority(), prepared.urgent(), text(request.fields()),
                text(json.valueToTree(request.attachments())), request.callbackUrl(), request.idempotencyKey(), prepared.hash(),
                request.source().name(), request.originalMessageId(), request.originalThreadId(), request.actor(), expiresAt),
                prepared.approvers(), now);
        store.history(id, "REQUESTED", request.actor(), request.source().name().toLowerCase(java.util.Locale.ROOT),
                "policy " + policy.name() + " (" + policy.rule() + "), " + prepared.approvers().size() + " approver(s)", null, now);
        Approval approval = store.approval(id).orElseThrow();
        List<String> asked = askDue(approval, now);
        if (approval.expiresAt() != null) {
            schedule.expires(approval);
        }
        ObjectNode data = requestedData(approval, asked, policy);
        audit.record(REQUESTED, approval.mailbox(), "approval:" + id, data);
        LOG.info("Approval {} requested by {} ({}): \"{}\", asking {}", id, request.requester(), request.actor(), request.title(), asked);
        return new Requested(store.approval(id).orElseThrow(), true,
                List.of(events.append(REQUESTED, approval.mailbox(), approval.itemId(), null, data)));
    }

    /** Marks ASKED whoever the policy says may decide now and was not asked yet, with their reminders; returns their addresses. */
    private List<String> askDue(Approval approval, Instant now) {
        List<Approval.Approver> approvers = store.approvers(approval.id());
        ApprovalPolicy.Outcome outcome = approval.rule().outcome(votes(approvers));
        List<String> asked = new ArrayList<>();
        List<Approval.Approver> askedNow = new ArrayList<>();
        for (Approval.Approver approver : approvers) {
            if (outcome.askNow().contains(approver.address()) && store.ask(approval.id(), approver.position(), now)) {
                asked.add(approver.address());
                askedNow.add(approver);
                store.history(approval.id(), "ASKED", approver.address(), null,
                        approval.rule().mode() == ApprovalMode.SEQUENCE ? "turn " + approver.position() + " of " + approvers.size() : null,
                        null, now);
            }
        }
        schedule.asked(approval, askedNow, now);
        return asked;
    }

    // ---- decisions --------------------------------------------------------------------------------------

    /**
     * An approver's decision. Refused (and recorded on the approval and in the audit trail) when the address is not
     * an approver, has decided already, or it is not their turn yet in a sequence; {@link AlreadyDecided} once the
     * approval is no longer pending.
     *
     * @param how      how it reached us
     * @param evidence what it rests on (the API token, the link, a reply's authentication verdict); may be null
     */
    public Result decide(long approvalId, String approver, Decision decision, DecisionChannel how, String comment,
            JsonNode evidence) {
        if (comment != null && comment.length() > MAX_COMMENT) {
            throw new IllegalArgumentException("comment is longer than " + MAX_COMMENT + " characters");
        }
        String evidenceText = evidence == null || evidence.isNull() ? null : text(evidence);
        Result result = db.transactions().execute(tx -> {
            Optional<Approval> locked = store.lock(approvalId);
            if (locked.isEmpty()) {
                return new NotFound(approvalId);
            }
            Approval approval = locked.get();
            Instant now = clock.instant();
            if (!approval.pending()) {
                return refuse(approval, approver, how, "already " + approval.state().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + (approval.decidedBy() == null ? "" : " by " + approval.decidedBy()) + " at " + approval.decidedAt()
                        + (approval.decidedHow() == null ? "" : " (" + approval.decidedHow().toLowerCase(java.util.Locale.ROOT) + ")"),
                        evidenceText, now, new AlreadyDecided(approval));
            }
            List<Approval.Approver> approvers = store.approvers(approvalId);
            Approval.Approver who = approvers.stream().filter(a -> a.address().equalsIgnoreCase(approver)).findFirst().orElse(null);
            if (who == null) {
                return refuse(approval, approver, how, approver + " is not an approver of approval " + approvalId, evidenceText, now, null);
            }
            if (who.decision() != null) {
                return refuse(approval, approver, how, approver + " decided already (" + who.state() + " at " + who.decidedAt() + ")",
                        evidenceText, now, null);
            }
            if (!"ASKED".equals(who.state())) {
                String turn = approvers.stream().filter(a -> "ASKED".equals(a.state())).map(Approval.Approver::address)
                        .findFirst().orElse("nobody");
                return refuse(approval, approver, how, approver + " is not asked yet: approver " + who.position() + " of the sequence, "
                        + "after " + turn, evidenceText, now, null);
            }
            if (!store.decide(approvalId, who.position(), decision, how.name(), comment, evidenceText, now) || !store.touch(approval)) {
                throw new IllegalStateException("approval " + approvalId + " changed while locked");
            }
            store.history(approvalId, "DECIDED", who.address(), how.name(), decision.wireName()
                    + (comment == null || comment.isBlank() ? "" : ": " + comment), evidenceText, now);
            ObjectNode decided = decisionData(approval, who.address(), decision, how, comment, evidence, now);
            audit.record("approval.decision", approval.mailbox(), "approval:" + approvalId, decided);
            return afterDecision(store.approval(approvalId).orElseThrow(), who, decision, how, decided, now);
        });
        return result;
    }

    /**
     * An attempt that was no decision before it reached {@link #decide} (a reply from someone Gmail could not vouch
     * for, in words that decide nothing): recorded on the approval's history and in the audit trail with its evidence.
     */
    public Result refused(long approvalId, String who, DecisionChannel how, String reason, JsonNode evidence) {
        String evidenceText = evidence == null || evidence.isNull() ? null : text(evidence);
        return db.transactions().execute(tx -> store.lock(approvalId)
                .map(approval -> refuse(approval, who, how, reason, evidenceText, clock.instant(), null))
                .orElseGet(() -> new NotFound(approvalId)));
    }

    /** Applies the policy after a decision: the next approvers asked, or the outcome. A backup's decision is the outcome. */
    private Result afterDecision(Approval approval, Approval.Approver who, Decision decision, DecisionChannel how,
            ObjectNode decided, Instant now) {
        String approver = who.address();
        ApprovalPolicy.Outcome outcome = who.backup()
                ? new ApprovalPolicy.Outcome(ApprovalPolicy.Verdict.valueOf(decision.outcome()), List.of())
                : approval.rule().outcome(votes(store.approvers(approval.id())));
        List<Event> raised = new ArrayList<>();
        if (outcome.pending()) {
            List<String> asked = askDue(approval, now);
            if (!asked.isEmpty()) {
                ObjectNode data = requestedData(approval, asked, config.policy(approval.policy()).orElse(null));
                audit.record(REQUESTED, approval.mailbox(), "approval:" + approval.id(), data);
                raised.add(events.append(REQUESTED, approval.mailbox(), approval.itemId(), null, data));
            }
            LOG.info("Approval {}: {} decided {} ({}); still pending, asking {}", approval.id(), approver,
                    decided.path("decision").asText(), how.wireName(), outcome.askNow());
            return new Done(store.approval(approval.id()).orElseThrow(), raised);
        }
        String state = outcome.verdict().name();
        raised.addAll(finish(approval, state, approver, how.name(), DECIDED, decided.put("outcome", state), now));
        LOG.info("Approval {} {} by {} ({})", approval.id(), state, approver, how.wireName());
        return new Done(store.approval(approval.id()).orElseThrow(), raised);
    }

    /** Cancels a pending approval (the requester withdrew it); its item becomes CANCELLED. */
    public Result cancel(long approvalId, String actor, String reason) {
        if (reason != null && reason.length() > MAX_COMMENT) {
            throw new IllegalArgumentException("reason is longer than " + MAX_COMMENT + " characters");
        }
        return whilePending(approvalId, (approval, now) -> {
            ObjectNode data = baseData(approval).put("by", actor).put("reason", reason).put("at", now.toString());
            List<Event> raised = finish(approval, "CANCELLED", actor, "API", CANCELLED, data, now);
            LOG.info("Approval {} cancelled by {}", approvalId, actor);
            return new Done(store.approval(approvalId).orElseThrow(), raised);
        });
    }

    /**
     * Expires a pending approval whose time is up: EXPIRED, {@code approval.expired} (carrying whom the policy escalates
     * to), its item EXPIRED. An approval not due yet is left alone ({@link Refused}). The expiry timer calls
     * {@link #timeUp}, which escalates first when the policy says so.
     */
    public Result expire(long approvalId) {
        return whenDue(approvalId, this::expireNow);
    }

    /**
     * The expiry timer's work, in its transaction: a pending approval whose time is up is escalated when its policy
     * names {@code escalate-to} and it was not escalated yet (and a backup is not an approver already); otherwise it
     * expires as {@link #expire} does. Escalation adds the backups as approvers, asks them ({@code approval.escalated}
     * and an {@code approval.requested} whose {@code askNow} is the backups), gives the approval one more
     * {@code expires} period, and from then on a backup's decision decides it alone, whatever the mode; the approvers
     * still asked may still decide by the policy. Then, unanswered again, it expires.
     */
    public Result timeUp(long approvalId) {
        return whenDue(approvalId, (approval, now) -> {
            List<String> backups = backupsFor(approval);
            return backups.isEmpty() ? expireNow(approval, now) : escalate(approval, backups, now);
        });
    }

    private Result whenDue(long approvalId, java.util.function.BiFunction<Approval, Instant, Result> action) {
        return whilePending(approvalId, (approval, now) -> approval.expiresAt() == null || approval.expiresAt().isAfter(now)
                ? new Refused(approval, "approval " + approvalId + " expires at " + approval.expiresAt() + ", not yet")
                : action.apply(approval, now));
    }

    /** In one transaction with the approval locked: the action when it is still pending, else NotFound / AlreadyDecided. */
    private Result whilePending(long approvalId, java.util.function.BiFunction<Approval, Instant, Result> action) {
        return db.transactions().execute(tx -> store.lock(approvalId)
                .map(approval -> approval.pending() ? action.apply(approval, clock.instant()) : new AlreadyDecided(approval))
                .orElseGet(() -> new NotFound(approvalId)));
    }

    private Result expireNow(Approval approval, Instant now) {
        ObjectNode data = baseData(approval).put("expiredAt", now.toString());
        ArrayNode waiting = data.putArray("waitingFor");
        store.approvers(approval.id()).stream().filter(a -> "ASKED".equals(a.state())).forEach(a -> waiting.add(a.address()));
        ArrayNode escalate = data.putArray("escalateTo");
        config.policy(approval.policy()).ifPresent(p -> p.escalateTo().forEach(escalate::add));
        List<Event> raised = finish(approval, "EXPIRED", null, "TIMER", EXPIRED, data, now);
        LOG.info("Approval {} expired unanswered (waiting for {})", approval.id(), waiting);
        return new Done(store.approval(approval.id()).orElseThrow(), raised);
    }

    /** The policy's backups who are not approvers of it yet; none once it was escalated, or without escalate-to or expiry. */
    private List<String> backupsFor(Approval approval) {
        ApprovalsConfig.Policy policy = config.policy(approval.policy()).orElse(null);
        List<Approval.Approver> approvers = store.approvers(approval.id());
        if (policy == null || policy.expires() == null || approvers.stream().anyMatch(Approval.Approver::backup)) {
            return List.of();
        }
        Set<String> known = new java.util.HashSet<>();
        approvers.forEach(a -> known.add(a.address().toLowerCase(java.util.Locale.ROOT)));
        return policy.escalateTo().stream().filter(b -> known.add(b.toLowerCase(java.util.Locale.ROOT))).toList();
    }

    private Result escalate(Approval approval, List<String> backups, Instant now) {
        ApprovalsConfig.Policy policy = config.policy(approval.policy()).orElseThrow();
        Instant expiresAt = now.plus(policy.expires());
        if (!store.escalate(approval, backups, expiresAt, now)) {
            throw new IllegalStateException("approval " + approval.id() + " changed while locked");
        }
        List<Approval.Approver> added = store.approvers(approval.id()).stream()
                .filter(a -> a.backup() && backups.contains(a.address())).toList();
        store.history(approval.id(), "ESCALATED", null, "TIMER", "unanswered at " + approval.expiresAt() + "; asking "
                + String.join(", ", backups) + "; now expires at " + expiresAt, null, now);
        added.forEach(b -> store.history(approval.id(), "ASKED", b.address(), null, "backup", null, now));
        Approval escalated = store.approval(approval.id()).orElseThrow();
        schedule.asked(escalated, added, now);
        schedule.expires(escalated);
        ObjectNode data = baseData(escalated).put("escalatedAt", now.toString())
                .put("previousExpiresAt", approval.expiresAt().toString());
        data.set("escalatedTo", json.valueToTree(backups));
        ArrayNode waiting = data.putArray("waitingFor");
        store.approvers(approval.id()).stream().filter(a -> !a.backup() && "ASKED".equals(a.state()))
                .forEach(a -> waiting.add(a.address()));
        audit.record(ESCALATED, approval.mailbox(), "approval:" + approval.id(), data);
        ObjectNode requested = requestedData(escalated, backups, policy);
        audit.record(REQUESTED, approval.mailbox(), "approval:" + approval.id(), requested);
        LOG.info("Approval {} unanswered at its expiry: escalated to {}, now expires at {}", approval.id(), backups, expiresAt);
        return new Done(escalated, List.of(events.append(ESCALATED, approval.mailbox(), approval.itemId(), null, data),
                events.append(REQUESTED, approval.mailbox(), approval.itemId(), null, requested)));
    }

    /**
     * A reminder timer's work, in its transaction: {@code approval.reminder} (and an audit record) when the approval is
     * still pending and the approver at {@code position} still has to decide; nothing otherwise.
     *
     * @param reminder which reminder (the policy's offset, PT24H), counted from when the approver was asked
     * @return the event, or none
     */
    public List<Event> remind(long approvalId, int position, String reminder, int number) {
        return db.transactions().execute(tx -> {
            Approval approval = store.lock(approvalId).filter(Approval::pending).orElse(null);
            if (approval == null) {
                return List.<Event>of();
            }
            Approval.Approver who = store.approvers(approvalId).stream()
                    .filter(a -> a.position() == position && "ASKED".equals(a.state())).findFirst().orElse(null);
            if (who == null) {
                return List.<Event>of();
            }
            Instant now = clock.instant();
            ObjectNode data = baseData(approval).put("approver", who.address()).put("reminder", reminder)
                    .put("reminderNumber", number).put("askedAt", who.askedAt() == null ? null : who.askedAt().toString())
                    .put("backup", who.backup());
            data.putArray("askNow").add(who.address()); // asked again: the request's email, as a reminder, to them alone
            store.history(approvalId, "REMINDED", who.address(), "TIMER", "reminder " + number + " (" + reminder + ")", null, now);
            audit.record(REMINDER, approval.mailbox(), "approval:" + approvalId, data);
            LOG.info("Approval {}: reminding {} ({} after asking)", approvalId, who.address(), reminder);
            return List.of(events.append(REMINDER, approval.mailbox(), approval.itemId(), null, data));
        });
    }

    /** Ends a pending approval: its state, the rest of its approvers skipped, history, audit, event, and its item moved. */
    private List<Event> finish(Approval approval, String state, String by, String how, String eventType, ObjectNode data,
            Instant now) {
        if (!store.finish(approval, state, by, how, now)) {
            throw new IllegalStateException("approval " + approval.id() + " changed while locked");
        }
        store.skipRest(approval.id());
        schedule.ended(approval);
        store.history(approval.id(), state, by, how, null, null, now);
        audit.record(eventType, approval.mailbox(), "approval:" + approval.id(), data);
        List<Event> raised = new ArrayList<>();
        raised.add(events.append(eventType, approval.mailbox(), approval.itemId(), null, data));
        if (approval.itemId() != null) {
            Workflow.ChangeResult moved = workflow.change(approval.itemId(), null, ItemState.valueOf(state), null, false,
                    "approval " + approval.id());
            if (moved.outcome() == Workflow.ChangeResult.Outcome.OK) {
                raised.addAll(moved.events());
            } else {
                LOG.warn("Approval {} is {}, but its item {} stays as it is: {}", approval.id(), state, approval.itemId(),
                        moved.message());
            }
        }
        return raised;
    }

    private Result refuse(Approval approval, String who, DecisionChannel how, String reason, String evidence, Instant now,
            Result answer) {
        store.history(approval.id(), "REFUSED", who, how.name(), reason, evidence, now);
        ObjectNode details = json.createObjectNode().put("approvalId", approval.id()).put("from", who)
                .put("how", how.wireName()).put("reason", reason);
        if (evidence != null) {
            details.set("evidence", parse(evidence));
        }
        audit.record("approval.refused", approval.mailbox(), "approval:" + approval.id(), details);
        LOG.info("Approval {}: attempt by {} ({}) refused: {}", approval.id(), who, how.wireName(), reason);
        return answer != null ? answer : new Refused(approval, reason);
    }

    // ---- reading ----------------------------------------------------------------------------------------

    /** The policies and approvers it works with (approvals.yaml). */
    public ApprovalsConfig config() {
        return config;
    }

    public Optional<Approval> approval(long id) {
        return store.approval(id);
    }

    /**
     * Why an item's state may not be changed by hand: a pending approval decides it (its outcome moves the item).
     * Empty when no approval of the item is pending.
     */
    public Optional<String> decidesStateOf(long itemId) {
        return store.pendingForItem(itemId).map(id -> "item " + itemId + " waits for approval " + id + ", whose outcome "
                + "decides its state: decide it with POST /api/approvals/" + id + "/decision, or withdraw it with POST /api/approvals/"
                + id + "/cancel");
    }

    public List<Approval.Approver> approvers(long id) {
        return store.approvers(id);
    }

    public List<Approval.HistoryEntry> history(long id) {
        return store.history(id);
    }

    /** @param state PENDING ... or null for any; @param approver an address (any case) or null */
    public List<Approval> list(String state, String approver, long after, int limit) {
        return store.list(state, approver, after, limit);
    }

    // ---- event data -------------------------------------------------------------------------------------

    /** What every approval event carries: enough to tell, mail or push about it without asking back. */
    ObjectNode baseData(Approval a) {
        ObjectNode data = json.createObjectNode()
                .put("approvalId", a.id())
                .put("itemId", a.itemId())
                .put("mailbox", a.mailbox())
                .put("title", a.title())
                .put("requester", a.requester())
                .put("policy", a.policy())
                .put("mode", a.rule().mode().configName());
        if (a.rule().mode() == ApprovalMode.QUORUM) {
            data.put("quorum", a.rule().quorum());
        }
        data.put("priority", a.priority())
                .put("urgent", a.urgent())
                .put("source", a.source().toLowerCase(java.util.Locale.ROOT))
                .put("originalMessageId", a.originalMessageId())
                .put("originalThreadId", a.originalThreadId())
                .put("expiresAt", a.expiresAt() == null ? null : a.expiresAt().toString())
                .put("callbackUrl", a.callbackUrl()); // decided, expired and cancelled are posted to it
        return data;
    }

    private ObjectNode requestedData(Approval a, List<String> askNow, ApprovalsConfig.Policy policy) {
        ObjectNode data = baseData(a);
        data.set("askNow", json.valueToTree(askNow));
        data.set("approvers", json.valueToTree(store.approvers(a.id()).stream().map(Approval.Approver::address).toList()));
        data.set("fields", parse(a.fieldsJson()));
        data.set("attachments", parse(a.attachmentsJson()));
        ArrayNode reminders = data.putArray("reminders");
        ArrayNode escalate = data.putArray("escalateTo");
        if (policy != null) {
            policy.reminders().forEach(r -> reminders.add(r.toString()));
            policy.escalateTo().forEach(escalate::add);
        }
        return data;
    }

    private ObjectNode decisionData(Approval a, String approver, Decision decision, DecisionChannel how, String comment,
            JsonNode evidence, Instant at) {
        ObjectNode data = baseData(a)
                .put("decision", decision.wireName())
                .put("approver", approver)
                .put("how", how.wireName())
                .put("decidedAt", at.toString())
                .put("comment", comment);
        data.set("evidence", evidence == null ? json.nullNode() : evidence);
        return data;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static List<ApprovalPolicy.Vote> votes(List<Approval.Approver> approvers) {
        return approvers.stream().filter(a -> !a.backup()).map(a -> new ApprovalPolicy.Vote(a.address(), a.decision())).toList();
    }

    private List<ApprovalRequest.Attachment> messageAttachments(long messageId) {
        return db.jdbc().query("""
                SELECT filename, sha256 FROM attachment
                WHERE message_id = :id AND NOT (inline_part AND content_id IS NOT NULL) ORDER BY position""",
                Map.of("id", messageId), (rs, n) -> new ApprovalRequest.Attachment(
                        title(rs.getString("filename") == null ? "(unnamed)" : rs.getString("filename")), rs.getString("sha256")));
    }

    /** A subject as an approval's title: one line, at most the title's length. */
    private static String title(String subject) {
        String flat = subject == null ? "" : subject.replaceAll("\\s*[\\p{Cntrl}\\u2028\\u2029]+\\s*", " ").strip();
        if (flat.isEmpty()) {
            return "(no subject)";
        }
        return flat.length() > ApprovalRequestReader.MAX_TITLE ? flat.substring(0, ApprovalRequestReader.MAX_TITLE - 3) + "..." : flat;
    }

    private static String requesterFrom(String from) {
        if (from == null || from.isBlank()) {
            return "(unknown sender)";
        }
        String flat = from.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", "");
        return flat.length() > Addresses.MAX_LENGTH ? flat.substring(0, Addresses.MAX_LENGTH) : flat;
    }

    /** The request as it resolved, hashed: a repeat with the same key must say the same. */
    private String hash(ApprovalRequest r, ApprovalsConfig.Policy policy, List<String> approvers, String mailbox) {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("title", r.title());
        canonical.put("requester", r.requester());
        canonical.put("approvers", r.approvers());
        canonical.put("resolvedApprovers", approvers);
        canonical.put("policy", policy.name());
        canonical.put("fields", new TreeMap<>(json.convertValue(r.fields(), Map.class)));
        canonical.put("attachments", r.attachments());
        canonical.put("callbackUrl", r.callbackUrl());
        canonical.put("mailbox", mailbox);
        canonical.put("priority", r.priority());
        canonical.put("itemId", r.itemId());
        try {
            byte[] bytes = json.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash an approval request", e);
        }
    }

    private String text(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    JsonNode parse(String text) {
        if (text == null) {
            return json.nullNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
