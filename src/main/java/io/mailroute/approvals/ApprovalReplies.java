package io.mailroute.approvals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.gmail.StoredJson;
import io.mailroute.gmail.mime.AuthVerdicts;
import io.mailroute.workflow.MessageFacts;
import io.mailroute.workflow.Workflow;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Decision by reply, in triage's transaction: a received message that answers an approval's request email
 * ({@link ReplyMatcher}) never opens a case. It decides ({@link Approvals#decide} with how=reply and the evidence,
 * Gmail's verdict included) when {@link ReplyVerifier} accepts it and {@link ReplyDecisionReader} reads a decision in
 * its first words. Anything else is recorded on the approval and in the audit trail ({@link Approvals#refused}), and
 * its sender gets one answer ({@value #REPLY_REFUSED}, routed to {@code $sender}): one per reply message, and for a
 * sender Gmail could not vouch for only once per approval, as that From may be forged.
 */
public final class ApprovalReplies implements Workflow.ApprovalReplies {

    public static final String REPLY_REFUSED = "approval.reply-refused";
    static final String DECIDED = "DECIDED";
    static final String UNKNOWN_WORDS = "UNKNOWN_WORDS";
    static final String UNKNOWN_WORDS_SENTENCE = "Your reply does not start with a decision, so it was not taken as one.";
    static final String NOT_NOW_SENTENCE = "Your reply could not be taken as a decision at this point of the request.";
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalReplies.class);

    private static final String REPLY = """
            SELECT from_others, dkim, spf, dmarc, dkim_pass_domains, dmarc_pass_domains, text_body, html_body
            FROM mail_message WHERE id = :id""";
    private static final String TAKEN = "SELECT COUNT(*) FROM approval_reply WHERE message_id = :id";
    /** Answered once per approval and sender: a From Gmail could not vouch for, and the requester's own messages. */
    private static final List<String> ANSWERED_ONCE = List.of(ReplyRefusal.NOT_AUTHENTICATED.name(), ReplyRefusal.FROM_REQUESTER.name());
    private static final String ANSWERED_BEFORE = """
            SELECT COUNT(*) FROM approval_reply
            WHERE approval_id = :approvalId AND outcome = :outcome AND answered AND LOWER(sender) = :sender""";
    private static final String INSERT = """
            INSERT INTO approval_reply (message_id, approval_id, sender, outcome, answered, received_at)
            VALUES (:messageId, :approvalId, :sender, :outcome, :answered, :now)""";

    private final Approvals approvals;
    private final ReplyMatcher matcher;
    private final ReplyVerifier verifier = new ReplyVerifier();
    private final ReplyDecisionReader reader = new ReplyDecisionReader();
    private final EventLog events;
    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;

    public ApprovalReplies(Approvals approvals, ReplyMatcher matcher, EventLog events, Database db, ObjectMapper json, Clock clock) {
        this.approvals = approvals;
        this.matcher = matcher;
        this.events = events;
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public Optional<Workflow.TakenReply> take(MessageFacts message) {
        ReplyMatch match = matcher.match(message.mailbox(), message.threadId(), message.fromAddress(), message.inReplyTo(),
                message.references());
        if (!(match instanceof ReplyMatch.ApprovalReply reply)) {
            return Optional.empty();
        }
        Approval approval = approvals.approval(reply.approvalId()).orElseThrow(() -> new IllegalStateException(
                "approval_message names approval " + reply.approvalId() + ", which is not in the database"));
        Optional<Workflow.TakenReply> taken = Optional.of(new Workflow.TakenReply(approval.itemId(), List.of()));
        if (count(TAKEN, Map.of("id", message.id())) > 0) {
            return taken; // seen before (triage records each message once; this is the last line of defence)
        }
        return Optional.of(new Workflow.TakenReply(approval.itemId(), handle(message, reply, approval)));
    }

    private List<Event> handle(MessageFacts message, ReplyMatch.ApprovalReply match, Approval approval) {
        Stored stored = stored(message.id());
        ReplyMessage reply = new ReplyMessage(message.threadId(), message.fromAddress(), stored.otherFrom(), message.inReplyTo(),
                message.references(), stored.authentication());
        // Once decided, every approver is told "already decided" (not "you are no approver"): all of them are named.
        List<String> mayDecide = approvals.approvers(approval.id()).stream()
                .filter(a -> !approval.pending() || "ASKED".equals(a.state()) && a.decision() == null)
                .map(Approval.Approver::address).toList();
        ReplyVerification verification = verifier.verify(reply, new ReplyRequest(match.request().messageId(),
                match.request().gmailThreadId(), mayDecide, !approval.pending()));
        ReplyReading reading = reader.read(stored.text(), stored.html());
        ObjectNode evidence = evidence(message, match, verification, reading);
        String outcome;
        String sentence;
        if (fromRequester(message, approval)) {
            // "Any news?" from whoever asked: kept with the approval and its item, answered once, never a decision
            outcome = ReplyRefusal.FROM_REQUESTER.name();
            sentence = ReplyRefusal.FROM_REQUESTER.sentence();
            approvals.refused(approval.id(), message.fromAddress(), DecisionChannel.REPLY,
                    "a message from the requester, who does not decide: kept, not a decision", evidence);
        } else if (verification instanceof ReplyVerification.Accepted accepted && reading instanceof ReplyReading.Decided decided) {
            evidence.put("authentication", accepted.authentication());
            String comment = decided.comment().isBlank() ? null : decided.comment();
            Approvals.Result result = approvals.decide(approval.id(), accepted.approver(),
                    Decision.valueOf(decided.decision().name()), DecisionChannel.REPLY, comment, evidence);
            if (result instanceof Approvals.Done done) {
                record(message, approval, DECIDED, false);
                return done.events();
            }
            // decide recorded the refusal itself (decided meanwhile, or no longer this approver's turn)
            outcome = result instanceof Approvals.AlreadyDecided ? ReplyRefusal.ALREADY_DECIDED.name() : "NOT_NOW";
            sentence = result instanceof Approvals.AlreadyDecided ? ReplyRefusal.ALREADY_DECIDED.sentence() : NOT_NOW_SENTENCE;
        } else {
            if (verification instanceof ReplyVerification.Refused refused) {
                outcome = refused.reason().name();
                sentence = refused.sentence();
            } else {
                outcome = UNKNOWN_WORDS;
                sentence = UNKNOWN_WORDS_SENTENCE;
            }
            approvals.refused(approval.id(), message.fromAddress(), DecisionChannel.REPLY, "reply "
                    + outcome.toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + verification.evidence().get("finding"), evidence);
        }
        boolean answer = !(ANSWERED_ONCE.contains(outcome) && count(ANSWERED_BEFORE,
                Map.of("approvalId", approval.id(), "outcome", outcome, "sender", lower(message.fromAddress()))) > 0);
        record(message, approval, outcome, answer);
        if (!answer) {
            LOG.info("Approval {}: reply {} ({}) not answered: its sender was answered once already", approval.id(),
                    message.id(), outcome);
            return List.of();
        }
        ObjectNode data = approvals.baseData(approval)
                .put("sourceMessageId", message.id())
                .put("threadId", message.threadId())
                .put("reason", outcome)
                .put("sentence", sentence);
        return List.of(events.append(REPLY_REFUSED, message.mailbox(), approval.itemId(), message.id(), data));
    }

    /** The approval's requester wrote, and is none of its approvers (who decide by reply like any approver). */
    private boolean fromRequester(MessageFacts message, Approval approval) {
        String from = message.fromAddress();
        if (from == null || approval.requester() == null || !Addresses.sameAddress(from, approval.requester())) {
            return false;
        }
        return approvals.approvers(approval.id()).stream().noneMatch(a -> Addresses.sameAddress(a.address(), from));
    }

    /** What the refusal or decision rests on, for the approval's history and the audit trail. */
    private ObjectNode evidence(MessageFacts message, ReplyMatch.ApprovalReply match, ReplyVerification verification,
            ReplyReading reading) {
        ObjectNode evidence = json.createObjectNode()
                .put("replyMessageId", message.id())
                .put("replyGmailId", message.gmailId())
                .put("matchedBy", match.matchedBy())
                .put("requestMessageId", match.request().messageId());
        verification.evidence().forEach(evidence::put);
        if (reading instanceof ReplyReading.Decided decided) {
            evidence.put("reading", decided.decision().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        } else {
            evidence.put("reading", "unknown").put("firstWords", ((ReplyReading.Unknown) reading).firstWords());
        }
        return evidence;
    }

    private void record(MessageFacts message, Approval approval, String outcome, boolean answered) {
        db.jdbc().update(INSERT, new MapSqlParameterSource("messageId", message.id()).addValue("approvalId", approval.id())
                .addValue("sender", bounded(message.fromAddress())).addValue("outcome", outcome).addValue("answered", answered)
                .addValue("now", Timestamp.from(clock.instant())));
    }

    /** The reply's columns that triage's facts lack. */
    private record Stored(List<String> otherFrom, AuthVerdicts authentication, String text, String html) {
    }

    private Stored stored(long messageId) {
        return db.jdbc().query(REPLY, Map.of("id", messageId), (rs, n) -> new Stored(
                StoredJson.addresses(json, rs.getString("from_others")),
                new AuthVerdicts(orNone(rs.getString("dkim")), orNone(rs.getString("spf")), orNone(rs.getString("dmarc")),
                        StoredJson.strings(json, rs.getString("dkim_pass_domains")), StoredJson.strings(json, rs.getString("dmarc_pass_domains"))),
                rs.getString("text_body"), rs.getString("html_body"))).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stored message " + messageId));
    }

    private long count(String sql, Map<String, ?> params) {
        Long n = db.jdbc().queryForObject(sql, params, Long.class);
        return n == null ? 0 : n;
    }

    private static String orNone(String verdict) {
        return verdict == null ? "none" : verdict;
    }

    private static String lower(String address) {
        return address == null ? "" : address.toLowerCase(Locale.ROOT);
    }

    private static String bounded(String address) {
        return address == null || address.length() <= 320 ? address : address.substring(0, 320);
    }
}
