package io.mailroute.approvals;

import static io.mailroute.approvals.TestApprovals.data;
import static io.mailroute.approvals.TestApprovals.strings;
import static io.mailroute.approvals.TestApprovals.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.timers.Timer;
import io.mailroute.timers.Timers;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reminders, expiry and escalation on the real timer mechanism, an in-memory H2 and a clock the test moves. */
class ApprovalTimersTest {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    private static final String A = "a.approver@acme.example";
    private static final String B = "b.approver@acme.example";
    private static final String BOSS = "boss@acme.example";
    private static final String POLICIES = """
            mailbox: accounts
            policies:
              default: {mode: any, expires: P3D, reminders: [PT24H, PT48H]}
              escalating: {mode: any, expires: P3D, reminders: [PT24H, PT48H], escalate-to: boss@acme.example}
              everyone: {mode: all, expires: P1D, reminders: [PT4H], escalate-to: boss@acme.example}
              chain: {mode: sequence, expires: P5D, reminders: [PT24H]}
              late: {mode: sequence, expires: PT12H, reminders: [PT4H, PT8H]}
            """;

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final AtomicBoolean auditFails = new AtomicBoolean();
    private Database db;
    private Approvals approvals;
    private Timers timers;
    private ApprovalTimers schedule;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabases.h2("approval-timers");
        TestDatabases.addMailbox(db, "accounts");
        approvals = TestApprovals.world(db, dir, POLICIES, Set.of("accounts"), auditFails, json, clock).approvals();
        timers = new Timers(db, json, clock, new Timers.Policy(100, 3,
                new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), () -> 0.5)));
        schedule = ApprovalTimers.install(timers, approvals, json);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void eachApproverAskedGetsAReminderPerOffsetAndTheExpiryInTheRequestsTransaction() {
        long id = request(List.of(A, B), null);

        assertEquals(List.of("approval.reminder 1:PT24H @" + T0.plus(Duration.ofHours(24)),
                "approval.reminder 2:PT24H @" + T0.plus(Duration.ofHours(24)),
                "approval.reminder 1:PT48H @" + T0.plus(Duration.ofHours(48)),
                "approval.reminder 2:PT48H @" + T0.plus(Duration.ofHours(48)),
                "approval.expiry " + T0.plus(Duration.ofDays(3)) + " @" + T0.plus(Duration.ofDays(3))), pending(id));
    }

    @Test
    void aReminderFiresOnceForEachApproverStillToDecideAndNeverAfterTheDecision() {
        long id = request(List.of(A, B), "everyone"); // all: A's approval leaves B to decide
        assertEquals(List.of(), fire(Duration.ofHours(3)));
        approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null);

        List<Event> fired = fire(Duration.ofHours(1));
        assertEquals(List.of(Approvals.REMINDER), types(fired), "A decided: no reminder for A");
        JsonNode data = data(fired.get(0));
        assertEquals(B, data.get("approver").asText());
        assertEquals(List.of(B), List.of(data.get("askNow").get(0).asText()), "the reminder's email goes to B alone");
        assertEquals(1, data.get("askNow").size());
        assertEquals("PT4H", data.get("reminder").asText());
        assertEquals(1, data.get("reminderNumber").asInt());
        assertEquals(T0.plus(Duration.ofDays(1)).toString(), data.get("expiresAt").asText());
        assertEquals(List.of(), fire(Duration.ZERO), "fired once");

        approvals.decide(id, B, Decision.APPROVE, DecisionChannel.LINK, null, null);
        assertEquals(List.of(), pending(id), "decided: the expiry is cancelled");
        assertEquals(List.of(), fire(Duration.ofDays(3)));
        assertEquals(1, history(id, "REMINDED"));
    }

    @Test
    void inASequenceTheNextApproverGetsTheirOwnRemindersFromWhenTheyAreAsked() {
        long id = request(List.of(A, B), "chain");
        clock.advance(Duration.ofHours(2));
        approvals.decide(id, A, Decision.APPROVE, DecisionChannel.REPLY, null, null);

        assertEquals(List.of(), fire(Duration.ofHours(22)), "A's reminder finds A decided");
        List<Event> fired = fire(Duration.ofHours(2));
        assertEquals(List.of(Approvals.REMINDER), types(fired));
        assertEquals(B, data(fired.get(0)).get("approver").asText());
        assertEquals(T0.plus(Duration.ofHours(2)).toString(), data(fired.get(0)).get("askedAt").asText());
    }

    @Test
    void unansweredAtItsExpiryItIsExpiredAndItsRemainingTimersGo() {
        long id = request(List.of(A, B), "late");
        assertEquals(List.of(Approvals.REMINDER), types(fire(Duration.ofHours(4))));
        clock.advance(Duration.ofHours(2));
        approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null);
        assertEquals(List.of("approval.reminder 1:PT8H @" + T0.plus(Duration.ofHours(8)),
                "approval.reminder 2:PT4H @" + T0.plus(Duration.ofHours(10)),
                "approval.expiry " + T0.plus(Duration.ofHours(12)) + " @" + T0.plus(Duration.ofHours(12))), pending(id),
                "B's second reminder would come after the expiry: not scheduled");
        assertEquals(List.of(), fire(Duration.ofHours(2)));
        assertEquals(List.of(Approvals.REMINDER), types(fire(Duration.ofHours(2))));

        List<Event> fired = fire(Duration.ofHours(2));
        assertEquals(List.of(Approvals.EXPIRED), types(fired));
        assertEquals(List.of(B), strings(data(fired.get(0)).get("waitingFor")));
        assertEquals("EXPIRED", approvals.approval(id).orElseThrow().state());
        assertEquals(List.of(), pending(id));
        assertEquals(List.of(), fire(Duration.ofDays(10)), "nothing twice");
    }

    @Test
    void withEscalateToTheBackupIsAskedWithANewExpiryAndItExpiresWhenTheBackupDoesNothingToo() {
        long id = request(List.of(A, B), "escalating");
        assertEquals(2, types(fire(Duration.ofHours(24))).size());
        assertEquals(2, types(fire(Duration.ofHours(24))).size());

        List<Event> escalated = fire(Duration.ofHours(24));
        assertEquals(List.of(Approvals.ESCALATED, Approvals.REQUESTED), types(escalated));
        Instant newExpiry = T0.plus(Duration.ofDays(6));
        JsonNode data = data(escalated.get(0));
        assertEquals(List.of(BOSS), strings(data.get("escalatedTo")));
        assertEquals(List.of(A, B), strings(data.get("waitingFor")));
        assertEquals(newExpiry.toString(), data.get("expiresAt").asText());
        assertEquals(List.of(BOSS), strings(data(escalated.get(1)).get("askNow")));
        Approval approval = approvals.approval(id).orElseThrow();
        assertEquals("PENDING", approval.state());
        assertEquals(newExpiry, approval.expiresAt());
        Approval.Approver boss = approvals.approvers(id).get(2);
        assertEquals(List.of(BOSS, "ASKED", "true"), List.of(boss.address(), boss.state(), String.valueOf(boss.backup())));
        assertEquals(List.of("approval.reminder 3:PT24H @" + T0.plus(Duration.ofDays(4)),
                "approval.reminder 3:PT48H @" + T0.plus(Duration.ofDays(5)),
                "approval.expiry " + newExpiry + " @" + newExpiry), pending(id));
        assertEquals(List.of("approval.requested", "approval.reminder", "approval.reminder", "approval.reminder",
                "approval.reminder", "approval.escalated", "approval.requested"), audited(id));

        List<Event> reminded = fire(Duration.ofDays(1));
        assertEquals(List.of(Approvals.REMINDER), types(reminded));
        assertTrue(data(reminded.get(0)).get("backup").asBoolean());
        fire(Duration.ofDays(1));
        List<Event> expired = fire(Duration.ofDays(1));
        assertEquals(List.of(Approvals.EXPIRED), types(expired), "escalated once, then it expires");
        assertEquals(List.of(A, B, BOSS), strings(data(expired.get(0)).get("waitingFor")));
        assertEquals("EXPIRED", approvals.approval(id).orElseThrow().state());
        assertEquals(List.of(), fire(Duration.ofDays(10)));
    }

    @Test
    void aBackupsDecisionDecidesTheApprovalWhateverTheMode() {
        long id = request(List.of(A, B), "everyone");
        approvals.decide(id, A, Decision.APPROVE, DecisionChannel.LINK, null, null);
        fire(Duration.ofDays(1));
        assertEquals(BOSS, approvals.approvers(id).get(2).address());

        Approvals.Done done = (Approvals.Done) approvals.decide(id, BOSS, Decision.REJECT, DecisionChannel.LINK, "no", null);
        assertEquals("REJECTED", done.approval().state());
        assertEquals(List.of("APPROVED", "SKIPPED", "REJECTED"),
                approvals.approvers(id).stream().map(Approval.Approver::state).toList());
        assertEquals(List.of(), pending(id));
    }

    @Test
    void aCancelledApprovalLosesItsTimers() {
        long id = request(List.of(A, B), null);
        approvals.cancel(id, "token:erp", "withdrawn");

        assertEquals(List.of(), pending(id));
        assertEquals(List.of(), fire(Duration.ofDays(4)));
    }

    @Test
    void theRequestAndItsTimersCommitTogetherOrNotAtAll() {
        auditFails.set(true);
        assertThrows(IllegalStateException.class, () -> request(List.of(A, B), null));

        assertEquals(0L, db.jdbc().getJdbcTemplate().queryForObject("SELECT COUNT(*) FROM timer", Long.class));
        assertEquals(0L, db.jdbc().getJdbcTemplate().queryForObject("SELECT COUNT(*) FROM approval", Long.class));
    }

    @Test
    void aLateTimerOfADecidedApprovalDoesNothing() {
        long id = request(List.of(A), null);
        Approvals.Done done = (Approvals.Done) approvals.decide(id, A, Decision.APPROVE, DecisionChannel.API, null, null);
        assertEquals("APPROVED", done.approval().state());

        assertEquals(List.of(), approvals.remind(id, 1, "PT24H", 1));
        clock.advance(Duration.ofDays(3));
        assertTrue(approvals.timeUp(id) instanceof Approvals.AlreadyDecided);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private long request(List<String> approvers, String policy) {
        return approvals.request(new ApprovalRequest("PO-4471", "j.smith@acme.example", approvers, policy,
                json.createObjectNode().put("amount", 12480).put("currency", "EUR"), List.of(), null, null, null, "NORMAL",
                null, null, null, ApprovalRequest.Source.API, "token:test")).approval().id();
    }

    /** Moves the clock on, then fires what is due, as the timers-tick route does. */
    private List<Event> fire(Duration later) {
        clock.advance(later);
        return timers.fireDue();
    }

    private List<String> pending(long id) {
        return schedule.pending(id).stream().map(ApprovalTimersTest::describe).toList();
    }

    private static String describe(Timer t) {
        return t.kind() + " " + t.slot() + " @" + t.dueAt();
    }

    private long history(long id, String action) {
        return approvals.history(id).stream().filter(h -> h.action().equals(action)).count();
    }

    private List<String> audited(long id) {
        return db.jdbc().queryForList("SELECT action FROM audit_log WHERE subject_ref = :ref ORDER BY seq",
                java.util.Map.of("ref", "approval:" + id), String.class);
    }

}
