package io.mailroute.approvals;

import static io.mailroute.approvals.TestApprovals.data;
import static io.mailroute.approvals.TestApprovals.strings;
import static io.mailroute.approvals.TestApprovals.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.workflow.Classification;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/** The approvals service on an in-memory H2 migrated like the service's, with the real event log and audit trail. */
class ApprovalsTest {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    private static final String A = "a.approver@acme.example";
    private static final String B = "b.approver@acme.example";
    private static final String C = "c.approver@acme.example";
    private static final String POLICIES = """
            mailbox: accounts
            approvers:
              finance: [a.approver@acme.example, b.approver@acme.example]
            queues:
              order-desk: [c.approver@acme.example, finance]
            policies:
              default: {mode: any, expires: P3D, reminders: [PT24H, PT48H], escalate-to: boss@acme.example}
              everyone: {mode: all, expires: P3D}
              chain: {mode: sequence}
              two: {mode: quorum, quorum: 2, expires: PT1H}
            """;

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final AtomicBoolean auditFails = new AtomicBoolean();
    private Database db;
    private Workflow workflow;
    private Approvals approvals;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabases.h2("approvals");
        TestDatabases.addMailbox(db, "accounts");
        TestApprovals.World world = TestApprovals.world(db, dir, POLICIES, Set.of("accounts", "support"), auditFails, json, clock);
        workflow = world.workflow();
        approvals = world.approvals();
        workflow.requestingApprovalsWith(approvals::itemCreated).stateDecidedBy(approvals::decidesStateOf);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    // ---- requests ---------------------------------------------------------------------------------------

    @Test
    void aRequestMakesTheApprovalItsApproversItsEventAndItsAuditRecord() {
        Approvals.Requested requested = approvals.request(request("PO-4471", List.of("finance", C), null, "erp-po-4471"));

        assertTrue(requested.created());
        Approval approval = requested.approval();
        assertEquals("PENDING", approval.state());
        assertEquals(T0.plus(Duration.ofDays(3)), approval.expiresAt());
        assertEquals(List.of(A, B, C), addresses(approval.id()));
        assertEquals(List.of("ASKED", "ASKED", "ASKED"), approvals.approvers(approval.id()).stream().map(Approval.Approver::state).toList());
        assertEquals(List.of(Approvals.REQUESTED), types(requested.events()));
        JsonNode data = data(requested.events().get(0));
        assertEquals(List.of(A, B, C), strings(data.get("askNow")));
        assertEquals("PO-4471", data.get("title").asText());
        assertEquals("j.smith@acme.example", data.get("requester").asText());
        assertEquals("accounts", data.get("mailbox").asText());
        assertEquals(12480, data.get("fields").get("amount").asInt());
        assertEquals(List.of("PT24H", "PT48H"), strings(data.get("reminders")));
        assertEquals(List.of("boss@acme.example"), strings(data.get("escalateTo")));
        assertEquals(List.of("approval.requested"), audited(approval.id()));
        assertEquals(List.of("REQUESTED", "ASKED", "ASKED", "ASKED"), actions(approval.id()));
    }

    @Test
    void theSameIdempotencyKeyAnswersTheSameApprovalAndADifferentRequestWithItIsRefused() {
        Approvals.Requested first = approvals.request(request("PO-4471", List.of("finance"), null, "erp-po-4471"));
        Approvals.Requested again = approvals.request(request("PO-4471", List.of("finance"), null, "erp-po-4471"));

        assertFalse(again.created());
        assertEquals(first.approval().id(), again.approval().id());
        assertEquals(List.of(), again.events(), "no second approval.requested");
        Approvals.IdempotencyConflict conflict = assertThrows(Approvals.IdempotencyConflict.class,
                () -> approvals.request(request("PO-4472", List.of("finance"), null, "erp-po-4471")));
        assertTrue(conflict.getMessage().contains("'erp-po-4471'"), conflict.getMessage());
        assertEquals(1L, count("SELECT COUNT(*) FROM approval"));
        assertEquals(1L, count("SELECT COUNT(*) FROM workflow_event WHERE type = 'approval.requested'"));
    }

    @Test
    void whatCannotWorkIsRefusedNamingTheField() {
        assertRefused("approvers: 'finanse' is neither", request("x", List.of("finanse"), null, null));
        assertRefused("policy 'po' is not defined", request("x", List.of(A), "po", null));
        assertRefused("approvers: policy 'two' (quorum 2) quorum 2 needs at least 2 approvers, got 1",
                request("x", List.of(A), "two", null));
        ApprovalRequest elsewhere = request("x", List.of(A), null, null);
        assertRefused("mailbox 'hr' is not a mailbox of mailboxes.yaml", new ApprovalRequest(elsewhere.title(),
                elsewhere.requester(), elsewhere.approvers(), null, elsewhere.fields(), List.of(), null, null, "hr", "NORMAL",
                null, null, null, ApprovalRequest.Source.API, "token:test"));
        assertEquals(0L, count("SELECT COUNT(*) FROM approval"));
    }

    @Test
    void theApprovalItsEventsAndItsAuditRecordsCommitTogetherOrNotAtAll() {
        auditFails.set(true);
        assertThrows(IllegalStateException.class, () -> approvals.request(request("PO-1", List.of(A), null, "k1")));
        assertEquals(0L, count("SELECT COUNT(*) FROM approval"));
        assertEquals(0L, count("SELECT COUNT(*) FROM approval_approver"));
        assertEquals(0L, count("SELECT COUNT(*) FROM workflow_event"));

        auditFails.set(false);
        long id = approvals.request(request("PO-1", List.of(A), null, "k1")).approval().id();
        auditFails.set(true);
        assertThrows(IllegalStateException.class, () -> approvals.decide(id, A, Decision.APPROVE, DecisionChannel.API, null, null));
        assertEquals("PENDING", approvals.approval(id).orElseThrow().state(), "the decision rolled back with its audit record");
        assertEquals(0L, count("SELECT COUNT(*) FROM workflow_event WHERE type = 'approval.decided'"));
        assertEquals(List.of("REQUESTED", "ASKED"), actions(id));
    }

    // ---- decisions --------------------------------------------------------------------------------------

    @Test
    void anyTheFirstDecisionWinsAndALaterOneIsToldWhoDecidedWhenAndHow() {
        long id = approvals.request(request("PO-1", List.of(A, B), null, null)).approval().id();
        clock.advance(Duration.ofMinutes(5));

        Approvals.Done done = assertInstanceOf(Approvals.Done.class, approvals.decide(id, "A.Approver@ACME.example",
                Decision.APPROVE, DecisionChannel.API, "fine", json.createObjectNode().put("token", "erp")));
        assertEquals("APPROVED", done.approval().state());
        assertEquals(List.of(Approvals.DECIDED), types(done.events()));
        JsonNode decided = data(done.events().get(0));
        assertEquals("approve", decided.get("decision").asText());
        assertEquals(A, decided.get("approver").asText());
        assertEquals("api", decided.get("how").asText());
        assertEquals("fine", decided.get("comment").asText());
        assertEquals("erp", decided.get("evidence").get("token").asText());
        assertEquals(T0.plus(Duration.ofMinutes(5)).toString(), decided.get("decidedAt").asText());
        assertEquals(List.of("APPROVED", "SKIPPED"), states(id));

        Approvals.AlreadyDecided late = assertInstanceOf(Approvals.AlreadyDecided.class,
                approvals.decide(id, B, Decision.REJECT, DecisionChannel.LINK, null, null));
        assertEquals(A, late.by());
        assertEquals(T0.plus(Duration.ofMinutes(5)), late.at());
        assertEquals("API", late.how());
        assertEquals(List.of("REQUESTED", "ASKED", "ASKED", "DECIDED", "APPROVED", "REFUSED"), actions(id));
        assertEquals(List.of("approval.requested", "approval.decision", "approval.decided", "approval.refused"), audited(id));
    }

    @Test
    void allNeedsEveryApprovalAndOneRejectEndsIt() {
        long approved = approvals.request(request("PO-1", List.of(A, B), "everyone", null)).approval().id();
        Approvals.Done first = (Approvals.Done) approvals.decide(approved, A, Decision.APPROVE, DecisionChannel.LINK, null, null);
        assertEquals("PENDING", first.approval().state());
        assertEquals(List.of(), first.events(), "nobody new to ask, nothing decided yet");
        Approvals.Refused twice = assertInstanceOf(Approvals.Refused.class,
                approvals.decide(approved, A, Decision.REJECT, DecisionChannel.LINK, null, null));
        assertTrue(twice.reason().contains("decided already"), twice.reason());
        Approvals.Done second = (Approvals.Done) approvals.decide(approved, B, Decision.APPROVE, DecisionChannel.REPLY, null, null);
        assertEquals("APPROVED", second.approval().state());
        assertEquals(B, second.approval().decidedBy());

        long rejected = approvals.request(request("PO-2", List.of(A, B), "everyone", null)).approval().id();
        Approvals.Done no = (Approvals.Done) approvals.decide(rejected, B, Decision.REJECT, DecisionChannel.API, "too dear", null);
        assertEquals("REJECTED", no.approval().state());
        assertEquals("REJECTED", data(no.events().get(0)).get("outcome").asText());
        assertEquals(List.of("SKIPPED", "REJECTED"), states(rejected));
    }

    @Test
    void aSequenceAsksTheNextAfterEachApproveAndRefusesOneWhoseTurnHasNotCome() {
        long id = approvals.request(request("Contract", List.of(A, B, C), "chain", null)).approval().id();
        assertEquals(List.of("ASKED", "WAITING", "WAITING"), states(id));

        Approvals.Refused early = assertInstanceOf(Approvals.Refused.class,
                approvals.decide(id, B, Decision.APPROVE, DecisionChannel.LINK, null, null));
        assertTrue(early.reason().contains("not asked yet"), early.reason());

        Approvals.Done first = (Approvals.Done) approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null);
        assertEquals(List.of(Approvals.REQUESTED), types(first.events()), "the next approver is asked");
        assertEquals(List.of(B), strings(data(first.events().get(0)).get("askNow")));
        assertEquals(List.of("APPROVED", "ASKED", "WAITING"), states(id));

        approvals.decide(id, B, Decision.APPROVE, DecisionChannel.LINK, null, null);
        Approvals.Done last = (Approvals.Done) approvals.decide(id, C, Decision.REQUEST_CHANGES, DecisionChannel.REPLY,
                "section 4 needs a cap", null);
        assertEquals("CHANGES_REQUESTED", last.approval().state());
        assertEquals("REFUSED", actions(id).get(2));
        assertTrue(audited(id).contains("approval.refused"));
    }

    @Test
    void aQuorumIsRejectedOnceItCanNoLongerBeReached() {
        long id = approvals.request(request("Access", List.of(A, B, C), "two", null)).approval().id();
        assertEquals("PENDING", ((Approvals.Done) approvals.decide(id, A, Decision.REJECT, DecisionChannel.API, null, null))
                .approval().state());
        Approvals.Done done = (Approvals.Done) approvals.decide(id, C, Decision.REJECT, DecisionChannel.API, null, null);
        assertEquals("REJECTED", done.approval().state());
        assertEquals(List.of("REJECTED", "SKIPPED", "REJECTED"), states(id));

        long yes = approvals.request(request("Access 2", List.of(A, B, C), "two", null)).approval().id();
        approvals.decide(yes, B, Decision.APPROVE, DecisionChannel.API, null, null);
        assertEquals("APPROVED", ((Approvals.Done) approvals.decide(yes, C, Decision.APPROVE, DecisionChannel.API, null, null))
                .approval().state());
    }

    @Test
    void aNonApproverIsRefusedAndTheAttemptIsRecordedWithItsEvidence() {
        long id = approvals.request(request("PO-1", List.of(A), null, null)).approval().id();
        Approvals.Refused refused = assertInstanceOf(Approvals.Refused.class, approvals.decide(id, "mallory@evil.example",
                Decision.APPROVE, DecisionChannel.REPLY, null, json.createObjectNode().put("dmarc", "fail")));
        assertTrue(refused.reason().contains("mallory@evil.example is not an approver"), refused.reason());
        assertEquals("PENDING", approvals.approval(id).orElseThrow().state());
        Approval.HistoryEntry last = approvals.history(id).get(approvals.history(id).size() - 1);
        assertEquals("REFUSED", last.action());
        assertEquals("mallory@evil.example", last.actor());
        assertEquals("REPLY", last.how());
        assertEquals("{\"dmarc\":\"fail\"}", last.evidence());
        assertEquals(List.of("approval.requested", "approval.refused"), audited(id));
        assertInstanceOf(Approvals.NotFound.class, approvals.decide(999, A, Decision.APPROVE, DecisionChannel.API, null, null));
    }

    @Test
    void ofTwoDecisionsAtOnceOneWinsAndTheOtherIsToldItWasAlreadyDecided() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                long id = approvals.request(request("Race " + round, List.of(A, B), null, null)).approval().id();
                CountDownLatch start = new CountDownLatch(1);
                Callable<Approvals.Result> byA = () -> {
                    start.await();
                    return approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null);
                };
                Callable<Approvals.Result> byB = () -> {
                    start.await();
                    return approvals.decide(id, B, Decision.REJECT, DecisionChannel.REPLY, null, null);
                };
                Future<Approvals.Result> a = pool.submit(byA);
                Future<Approvals.Result> b = pool.submit(byB);
                start.countDown();
                List<Approvals.Result> results = List.of(a.get(), b.get());
                assertEquals(1, results.stream().filter(r -> r instanceof Approvals.Done).count(), results.toString());
                Approvals.AlreadyDecided loser = (Approvals.AlreadyDecided) results.stream()
                        .filter(r -> r instanceof Approvals.AlreadyDecided).findFirst().orElseThrow();
                Approval winner = approvals.approval(id).orElseThrow();
                assertEquals(winner.decidedBy(), loser.by());
                assertEquals(winner.state(), loser.state());
                assertEquals(1L, count("SELECT COUNT(*) FROM workflow_event WHERE type = 'approval.decided' AND payload LIKE '%\"approvalId\":" + id + ",%'"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- cancel, expiry ---------------------------------------------------------------------------------

    @Test
    void aCancelledApprovalTakesNoMoreDecisions() {
        long id = approvals.request(request("PO-1", List.of(A, B), null, null)).approval().id();
        Approvals.Done cancelled = (Approvals.Done) approvals.cancel(id, "token:erp", "ordered elsewhere");
        assertEquals("CANCELLED", cancelled.approval().state());
        assertEquals(List.of(Approvals.CANCELLED), types(cancelled.events()));
        assertEquals("ordered elsewhere", data(cancelled.events().get(0)).get("reason").asText());
        assertEquals(List.of("SKIPPED", "SKIPPED"), states(id));
        assertInstanceOf(Approvals.AlreadyDecided.class, approvals.cancel(id, "token:erp", null));
        Approvals.AlreadyDecided late = assertInstanceOf(Approvals.AlreadyDecided.class,
                approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null));
        assertEquals("CANCELLED", late.state());
        assertEquals("token:erp", late.by());
    }

    @Test
    void anApprovalExpiresOnlyOnceItsTimeIsUpAndSaysWhomToEscalateTo() {
        long id = approvals.request(request("PO-1", List.of(A, B), null, null)).approval().id();
        approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null); // any: decided
        long open = approvals.request(request("PO-2", List.of(A, B), null, null)).approval().id();

        assertInstanceOf(Approvals.Refused.class, approvals.expire(open), "not due yet");
        clock.advance(Duration.ofDays(3));
        assertInstanceOf(Approvals.AlreadyDecided.class, approvals.expire(id), "a decided approval never expires");

        Approvals.Done expired = (Approvals.Done) approvals.expire(open);
        assertEquals("EXPIRED", expired.approval().state());
        assertEquals("TIMER", expired.approval().decidedHow());
        JsonNode data = data(expired.events().get(0));
        assertEquals(Approvals.EXPIRED, expired.events().get(0).type());
        assertEquals(List.of(A, B), strings(data.get("waitingFor")));
        assertEquals(List.of("boss@acme.example"), strings(data.get("escalateTo")));
        assertInstanceOf(Approvals.AlreadyDecided.class, approvals.expire(open));
    }

    // ---- items ------------------------------------------------------------------------------------------

    @Test
    void anItemTypedApprovalGetsItsApprovalInTheSameTransactionAndMovesWithTheOutcome() {
        long message = message("thread-po", "a1f0c3e2-po4471-approval@acme.example", "Please approve PO-4471\r\n now");
        Classification po = new Classification("approval-request", "APPROVAL", "approval/purchase", "approvals", null, "HIGH",
                Duration.ofDays(1), List.of(), List.of("finance"), null);

        List<Event> created = workflow.triage(message, (m, reply) -> po);
        assertEquals(List.of("case.created", Approvals.REQUESTED), created.stream().map(Event::type).toList());
        long itemId = created.get(0).itemId();
        JsonNode requested = data(created.get(1));
        assertEquals(itemId, requested.get("itemId").asLong());
        assertEquals("a1f0c3e2-po4471-approval@acme.example", requested.get("originalMessageId").asText());
        assertEquals("thread-po", requested.get("originalThreadId").asText());
        assertEquals("j.smith@acme.example", requested.get("requester").asText());
        assertEquals("Please approve PO-4471 now", requested.get("title").asText(), "one line: it becomes a Subject");
        assertEquals("email", requested.get("source").asText());
        assertEquals(List.of(A, B), strings(requested.get("askNow")));
        long approvalId = requested.get("approvalId").asLong();
        Workflow.ChangeResult byHand = workflow.change(itemId, null, ItemState.APPROVED, null, false, "token:ops");
        assertEquals(Workflow.ChangeResult.Outcome.CONFLICT, byHand.outcome(), "the approval decides the item's state");
        assertTrue(byHand.message().contains("POST /api/approvals/" + approvalId + "/decision"), byHand.message());
        assertEquals(Workflow.ChangeResult.Outcome.OK, workflow.change(itemId, null, null, "mei@acme.example", true, "token:ops")
                .outcome(), "its assignee may change");

        Approvals.Done done = (Approvals.Done) approvals.decide(approvalId, B, Decision.REJECT, DecisionChannel.API, "no budget", null);
        assertEquals(List.of(Approvals.DECIDED, "item.state-changed"), types(done.events()));
        assertEquals(ItemState.REJECTED, workflow.store().item(itemId).orElseThrow().state());

        long second = message("thread-2", "po-2@acme.example", "Please approve PO-2");
        long secondItem = workflow.triage(second, (m, reply) -> po).get(0).itemId();
        long secondApproval = approvals.list("PENDING", null, 0, 10).get(0).id();
        clock.advance(Duration.ofDays(4));
        approvals.expire(secondApproval);
        assertEquals(ItemState.EXPIRED, workflow.store().item(secondItem).orElseThrow().state());

        long third = message("thread-3", "po-3@acme.example", "Please approve PO-3");
        long thirdItem = workflow.triage(third, (m, reply) -> po).get(0).itemId();
        approvals.cancel(approvals.list("PENDING", null, 0, 10).get(0).id(), "token:erp", null);
        assertEquals(ItemState.CANCELLED, workflow.store().item(thirdItem).orElseThrow().state());
    }

    @Test
    void aRuleOrRequestCanAskAQueuesApprovers() {
        long message = message("thread-q", "q-1@acme.example", "Please approve Q-1");
        Classification toTheQueue = new Classification("approval-request", "APPROVAL", "approval", "order-desk", null, "HIGH", null,
                List.of(), List.of("$queue", A), null);
        List<Event> created = workflow.triage(message, (m, reply) -> toTheQueue);
        assertEquals(List.of(C, A, B), strings(data(created.get(1)).get("askNow")), "the queue's approvers, each once, in order");

        Approvals.Requested byApi = approvals.request(request("y", List.of("queue:order-desk"), null, null));
        assertEquals(List.of(C, A, B), approvals.approvers(byApi.approval().id()).stream().map(Approval.Approver::address).toList());

        assertRefused("approvers: queue 'approvals' has no approvers", request("z", List.of("queue:approvals"), null, null));
        long other = message("thread-r", "r-1@acme.example", "Please approve R-1");
        Classification elsewhere = new Classification("approval-request", "APPROVAL", "approval", "approvals", null, "HIGH", null,
                List.of(), List.of("$queue"), null);
        assertEquals(List.of("case.created"), workflow.triage(other, (m, reply) -> elsewhere).stream().map(Event::type).toList(),
                "a queue without approvers makes no approval (check refuses such a rule first)");
    }

    @Test
    void anItemWhoseRuleNamesAnUnknownGroupStaysWithoutAnApprovalAndSaysSo() {
        long message = message("thread-x", "x@acme.example", "Please approve X");
        Classification broken = new Classification("approval-request", "APPROVAL", "approval", "approvals", null, "HIGH", null,
                List.of(), List.of("finanse"), null);
        List<Event> created = workflow.triage(message, (m, reply) -> broken);
        assertEquals(List.of("case.created"), created.stream().map(Event::type).toList());
        assertEquals(List.of("approval.not-requested"), db.jdbc().queryForList(
                "SELECT action FROM audit_log WHERE subject_ref = :ref", Map.of("ref", "item:" + created.get(0).itemId()), String.class)
                .stream().filter(a -> a.startsWith("approval")).toList());
    }

    @Test
    void listsFilterByStateAndApproverAndPageById() {
        long one = approvals.request(request("one", List.of(A), null, null)).approval().id();
        long two = approvals.request(request("two", List.of(B, C), null, null)).approval().id();
        long three = approvals.request(request("three", List.of(C), null, null)).approval().id();
        approvals.decide(three, C, Decision.APPROVE, DecisionChannel.API, null, null);

        assertEquals(List.of(one, two), ids(approvals.list("PENDING", null, 0, 10)));
        assertEquals(List.of(two, three), ids(approvals.list(null, "C.Approver@acme.example", 0, 10)));
        assertEquals(List.of(two), ids(approvals.list(null, null, one, 1)));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private ApprovalRequest request(String title, List<String> approvers, String policy, String key) {
        return new ApprovalRequest(title, "j.smith@acme.example", approvers, policy,
                json.createObjectNode().put("amount", 12480).put("currency", "EUR"), List.of(), null, key, null, "NORMAL",
                null, null, null, ApprovalRequest.Source.API, "token:test");
    }

    private void assertRefused(String expected, ApprovalRequest request) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> approvals.request(request));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private long message(String threadId, String messageId, String subject) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, subject, from_address,
                    internal_date, ingested_at)
                VALUES ('accounts', :gmailId, :threadId, 'INGESTED', :messageId, :subject, 'j.smith@acme.example', :at, :at)""",
                new MapSqlParameterSource("gmailId", "g" + System.nanoTime()).addValue("threadId", threadId)
                        .addValue("messageId", messageId).addValue("subject", subject)
                        .addValue("at", Timestamp.from(clock.instant())), keys, new String[] {"id"});
        return keys.getKey().longValue();
    }

    private List<String> addresses(long id) {
        return approvals.approvers(id).stream().map(Approval.Approver::address).toList();
    }

    private List<String> states(long id) {
        return approvals.approvers(id).stream().map(Approval.Approver::state).toList();
    }

    private List<String> actions(long id) {
        return approvals.history(id).stream().map(Approval.HistoryEntry::action).toList();
    }

    private List<String> audited(long id) {
        return db.jdbc().queryForList("SELECT action FROM audit_log WHERE subject_ref = :ref ORDER BY seq",
                Map.of("ref", "approval:" + id), String.class);
    }

    private long count(String sql) {
        return db.jdbc().getJdbcTemplate().queryForObject(sql, Long.class);
    }

    private static List<Long> ids(List<Approval> approvals) {
        return approvals.stream().map(Approval::id).toList();
    }

}
