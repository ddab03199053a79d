package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.workflow.MessageFacts;
import io.mailroute.workflow.Workflow;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Decisions by reply ({@link ApprovalReplies}) on an in-memory H2 with the real approvals, the request emails recorded
 * in approval_message as the transport records them, and each reply stored in mail_message as intake stores it.
 */
class ApprovalRepliesTest {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    private static final String ANN = "ann@globex.example";
    private static final String BOB = "bob@globex.example";
    private static final String REQUEST_ID = "mailroute.req-ann@acme.example";
    private static final String THREAD = "18e9f0a1b2c3d4e5";

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private Database db;
    private Approvals approvals;
    private ApprovalReplies replies;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabases.h2("approval-replies");
        TestDatabases.addMailbox(db, "accounts");
        approvals = TestApprovals.on(db, dir, """
                mailbox: accounts
                policies:
                  default: {mode: any, expires: P3D}
                  chain: {mode: sequence}
                """, json, clock);
        replies = new ApprovalReplies(approvals, new ReplyMatcher(new ApprovalMessages(null, db, clock)),
                new EventLog(db, json, clock), db, json, clock);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void wordsThatDecideNothingAreRefusedRecordedAndAnsweredOnce() {
        long id = requestAsking("default", ANN, BOB);
        MessageFacts reply = storeReply("gm-r1", ANN, "Can we talk about this?\n\nAnn");

        List<Event> raised = replies.take(reply).orElseThrow().events();

        assertEquals(1, raised.size(), raised.toString());
        Event refused = raised.get(0);
        assertEquals(ApprovalReplies.REPLY_REFUSED, refused.type());
        JsonNode data = data(refused);
        assertEquals("UNKNOWN_WORDS", data.path("reason").asText());
        assertEquals(ApprovalReplies.UNKNOWN_WORDS_SENTENCE, data.path("sentence").asText());
        assertEquals(reply.id(), data.path("sourceMessageId").asLong());
        assertEquals(Approval.PENDING, approvals.approval(id).orElseThrow().state());
        assertTrue(approvals.approvers(id).stream().allMatch(a -> a.decision() == null), "nobody decided");

        Approval.HistoryEntry entry = last(id);
        assertEquals("REFUSED", entry.action());
        assertEquals(ANN, entry.actor());
        assertEquals("REPLY", entry.how());
        assertTrue(entry.detail().startsWith("reply unknown words: the approver " + ANN + " replied"), entry.detail());
        JsonNode evidence = read(entry.evidence());
        assertEquals("unknown", evidence.path("reading").asText());
        assertEquals("gm-r1", evidence.path("replyGmailId").asText());
        assertTrue(evidence.path("firstWords").asText().startsWith("Can we talk about this?"), evidence.toString());

        JsonNode audited = lastAudit(id, "approval.refused");
        assertEquals(ANN, audited.path("from").asText());
        assertEquals("reply", audited.path("how").asText());
        assertEquals("gm-r1", audited.path("evidence").path("replyGmailId").asText());
        assertEquals(Map.of("outcome", "UNKNOWN_WORDS", "answered", true), replyRow(reply.id()));

        // the same Gmail message delivered again: the same row, nothing more
        assertTrue(replies.take(reply).orElseThrow().events().isEmpty(), "no second answer");
        assertEquals(1L, count("SELECT COUNT(*) FROM workflow_event WHERE type = 'approval.reply-refused'"));
        assertEquals(1L, count("SELECT COUNT(*) FROM approval_reply"));
        assertEquals(entry.id(), last(id).id(), "no second history entry");
    }

    @Test
    void aRejectionByReplyDecidesWithItsCommentAndGmailsVerdict() {
        long id = requestAsking("default", ANN, BOB);
        MessageFacts reply = storeReply("gm-r2", ANN, "Reject – over budget\n\nOn Tue, Ann wrote:\n> Approve?");

        List<Event> raised = replies.take(reply).orElseThrow().events();

        assertTrue(raised.stream().anyMatch(e -> e.type().equals(Approvals.DECIDED)), raised.toString());
        assertTrue(raised.stream().noneMatch(e -> e.type().equals(ApprovalReplies.REPLY_REFUSED)), raised.toString());
        Approval approval = approvals.approval(id).orElseThrow();
        assertEquals("REJECTED", approval.state());
        assertEquals(ANN, approval.decidedBy());
        assertEquals("REPLY", approval.decidedHow());
        Approval.Approver ann = approvals.approvers(id).stream().filter(a -> a.address().equals(ANN)).findFirst().orElseThrow();
        assertEquals(Decision.REJECT, ann.decision());
        assertEquals("over budget", ann.comment());
        assertEquals("REPLY", ann.how());
        JsonNode evidence = read(ann.evidence());
        assertEquals("dmarc=pass header.from=globex.example", evidence.path("authentication").asText());
        assertEquals("reject", evidence.path("reading").asText());
        assertEquals("in-reply-to", evidence.path("matchedBy").asText());
        JsonNode audited = lastAudit(id, "approval.decision");
        assertEquals("reply", audited.path("how").asText());
        assertEquals("over budget", audited.path("comment").asText());
        assertEquals(Map.of("outcome", "DECIDED", "answered", false), replyRow(reply.id()));
    }

    @Test
    void anApproversReplyAfterTheDecisionChangesNothingAndIsRecorded() {
        long id = requestAsking("default", ANN, BOB);
        approvals.decide(id, BOB, Decision.APPROVE, DecisionChannel.LINK, null, null);
        Approval decided = approvals.approval(id).orElseThrow();
        MessageFacts reply = storeReply("gm-r3", ANN, "Approved.");

        List<Event> raised = replies.take(reply).orElseThrow().events();

        assertEquals(1, raised.size(), raised.toString());
        assertEquals(ApprovalReplies.REPLY_REFUSED, raised.get(0).type());
        Approval after = approvals.approval(id).orElseThrow();
        assertEquals("APPROVED", after.state());
        assertEquals(BOB, after.decidedBy());
        assertEquals("LINK", after.decidedHow());
        assertEquals(decided.decidedAt(), after.decidedAt());
        assertNull(approvals.approvers(id).stream().filter(a -> a.address().equals(ANN)).findFirst().orElseThrow().decision());
        Approval.HistoryEntry entry = last(id);
        assertEquals("REFUSED", entry.action());
        assertEquals(ANN, entry.actor());
        assertEquals("REPLY", entry.how());
        assertEquals("true", read(entry.evidence()).path("alreadyDecided").asText());
        assertEquals(ANN, lastAudit(id, "approval.refused").path("from").asText());
        assertEquals(1L, count("SELECT COUNT(*) FROM approval_reply WHERE outcome <> 'DECIDED'"));
    }

    @Test
    void anApproversReplyAfterTheDecisionIsRefusedAsAlreadyDecided() {
        long id = requestAsking("default", ANN, BOB);
        approvals.decide(id, BOB, Decision.APPROVE, DecisionChannel.LINK, null, null);
        MessageFacts reply = storeReply("gm-r3", ANN, "Approved.");

        List<Event> raised = replies.take(reply).orElseThrow().events();

        assertEquals(1, raised.size(), raised.toString());
        JsonNode data = data(raised.get(0));
        assertEquals(ReplyRefusal.ALREADY_DECIDED.name(), data.path("reason").asText());
        assertEquals(ReplyRefusal.ALREADY_DECIDED.sentence(), data.path("sentence").asText());
        assertTrue(last(id).detail().startsWith("reply already decided: "), last(id).detail());
        assertEquals(Map.of("outcome", "ALREADY_DECIDED", "answered", true), replyRow(reply.id()));
    }

    @Test
    void inASequenceAReplyFromTheApproverWhoseTurnHasNotComeIsRefused() {
        long id = requestAsking("chain", ANN, BOB); // only Ann is asked, and only Ann was emailed
        MessageFacts reply = storeReply("gm-r4", BOB, "Approved, go ahead");

        List<Event> raised = replies.take(reply).orElseThrow().events();

        assertEquals(1, raised.size(), raised.toString());
        assertEquals(ReplyRefusal.NOT_AN_APPROVER.name(), data(raised.get(0)).path("reason").asText());
        assertEquals(Approval.PENDING, approvals.approval(id).orElseThrow().state());
        assertTrue(approvals.approvers(id).stream().allMatch(a -> a.decision() == null), "nobody decided");
        Approval.HistoryEntry entry = last(id);
        assertEquals("REFUSED", entry.action());
        assertEquals(BOB, entry.actor());
        assertTrue(entry.detail().startsWith("reply not an approver: "), entry.detail());
        assertEquals(ANN, read(entry.evidence()).path("approvers").asText(), "only the asked approver may decide now");
        assertEquals(BOB, lastAudit(id, "approval.refused").path("from").asText());
        assertEquals(Map.of("outcome", "NOT_AN_APPROVER", "answered", true), replyRow(reply.id()));
    }

    @Test
    void theRequesterAskingForNewsIsKeptAnsweredOnceAndDecidesNothing() {
        long id = requestAsking("default", ANN, BOB);
        MessageFacts first = storeReply("gm-r5", "J.Smith@ACME.example", "Yes, any news on this? We need the chairs.");

        Workflow.TakenReply taken = replies.take(first).orElseThrow();

        assertEquals(1, taken.events().size(), taken.events().toString());
        JsonNode answer = data(taken.events().get(0));
        assertEquals(ReplyRefusal.FROM_REQUESTER.name(), answer.path("reason").asText());
        assertEquals(ReplyRefusal.FROM_REQUESTER.sentence(), answer.path("sentence").asText());
        assertEquals(Approval.PENDING, approvals.approval(id).orElseThrow().state(), "'Yes' from the requester decides nothing");
        assertTrue(approvals.approvers(id).stream().allMatch(a -> a.decision() == null), "nobody decided");
        Approval.HistoryEntry entry = last(id);
        assertEquals("REFUSED", entry.action());
        assertTrue(entry.detail().contains("from the requester"), entry.detail());
        assertEquals("J.Smith@ACME.example", lastAudit(id, "approval.refused").path("from").asText());
        assertEquals(Map.of("outcome", "FROM_REQUESTER", "answered", true), replyRow(first.id()));

        MessageFacts second = storeReply("gm-r6", "j.smith@acme.example", "Still nothing?");
        assertTrue(replies.take(second).orElseThrow().events().isEmpty(), "the requester is answered once per approval");
        assertEquals(Map.of("outcome", "FROM_REQUESTER", "answered", false), replyRow(second.id()));

        MessageFacts stranger = storeReply("gm-r7", "carol@globex.example", "Any news?");
        assertEquals(ReplyRefusal.NOT_AN_APPROVER.name(), data(replies.take(stranger).orElseThrow().events().get(0))
                .path("reason").asText(), "anyone else is no approver");
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    /** An approval whose request email to {@code first} went out in {@link #THREAD} with {@link #REQUEST_ID}. */
    private long requestAsking(String policy, String first, String second) {
        Approvals.Requested requested = approvals.request(new ApprovalRequest("PO-4471", "j.smith@acme.example",
                List.of(first, second), policy, json.createObjectNode().put("amount", 12480), List.of(), null, null, null,
                "NORMAL", null, null, null, ApprovalRequest.Source.API, "token:test"));
        long id = requested.approval().id();
        db.jdbc().update("""
                INSERT INTO approval_message (approval_id, approver, purpose, mailbox_id, message_id, gmail_message_id,
                    gmail_thread_id, sent_at)
                VALUES (:id, :approver, 'REQUEST', 'accounts', :messageId, 'gm-request', :thread, :at)""",
                new MapSqlParameterSource("id", id).addValue("approver", first).addValue("messageId", REQUEST_ID)
                        .addValue("thread", THREAD).addValue("at", Timestamp.from(T0)));
        return id;
    }

    /** A reply in the request's thread naming it in In-Reply-To, with Gmail's verdicts passing for globex.example. */
    private MessageFacts storeReply(String gmailId, String from, String text) {
        String header = "reply-" + gmailId + "@globex.example";
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, in_reply_to,
                    references_header, subject, from_address, ingested_at, text_body, dkim, spf, dmarc,
                    dkim_pass_domains, dmarc_pass_domains)
                VALUES ('accounts', :gmailId, :thread, 'INGESTED', :header, :request, :request, 'Re: PO-4471', :from, :at,
                    :text, 'pass', 'pass', 'pass', '["globex.example"]', '["globex.example"]')""",
                new MapSqlParameterSource("gmailId", gmailId).addValue("thread", THREAD).addValue("header", header)
                        .addValue("request", REQUEST_ID).addValue("from", from).addValue("at", Timestamp.from(T0))
                        .addValue("text", text));
        long messageId = db.jdbc().queryForObject("SELECT id FROM mail_message WHERE gmail_id = :g", Map.of("g", gmailId),
                Long.class);
        return new MessageFacts(messageId, "accounts", gmailId, THREAD, header, REQUEST_ID, List.of(REQUEST_ID),
                "Re: PO-4471", from, T0);
    }

    private Approval.HistoryEntry last(long approvalId) {
        List<Approval.HistoryEntry> history = approvals.history(approvalId);
        return history.get(history.size() - 1);
    }

    private JsonNode lastAudit(long approvalId, String action) {
        List<String> details = db.jdbc().queryForList(
                "SELECT details FROM audit_log WHERE subject_ref = :ref AND action = :action ORDER BY seq",
                Map.of("ref", "approval:" + approvalId, "action", action), String.class);
        assertTrue(!details.isEmpty(), "no " + action + " in the audit trail of approval " + approvalId);
        return read(details.get(details.size() - 1));
    }

    private Map<String, Object> replyRow(long messageId) {
        return db.jdbc().queryForObject("SELECT outcome, answered FROM approval_reply WHERE message_id = :id",
                Map.of("id", messageId), (rs, n) -> Map.of("outcome", rs.getString("outcome"), "answered", rs.getBoolean("answered")));
    }

    private long count(String sql) {
        return db.jdbc().queryForObject(sql, Map.of(), Long.class);
    }

    private JsonNode data(Event event) {
        return read(event.json()).path("data");
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("unreadable JSON: " + text, e);
        }
    }
}
