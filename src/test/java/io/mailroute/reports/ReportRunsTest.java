package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.reports.ReportRun.State;
import io.mailroute.reports.RunRecipient.Planned;
import io.mailroute.reports.RunRecipient.Status;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The report run ledger on H2: one run per (report, period), resume, forward-only statuses, each event once. */
class ReportRunsTest {

    private static final Instant T0 = Instant.parse("2026-11-23T06:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final ReportRun.Document PDF = new ReportRun.Document("ab".repeat(32), 12_345, "pdf");

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private Database db;
    private EventLog events;
    private ReportRuns runs;

    @BeforeEach
    void open() {
        db = TestDatabases.h2("report-runs");
        events = new EventLog(db, json, clock);
        runs = new ReportRuns(db, events, clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static List<Planned> team(int n) {
        List<Planned> team = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            team.add(new Planned("member" + i, "Member" + i + "@Acme.example"));
        }
        return team;
    }

    /** The events of a type in the log, each checked against the shipped schema. */
    private List<JsonNode> logged(String type) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (Event event : events.page(0, type, null, 1000)) {
            JsonNode node = json.readTree(event.json());
            EventSchemas.assertValid("report-events.schema.json", node);
            found.add(node);
        }
        return found;
    }

    /** A run claimed, generated and planned: what distribution starts from. */
    private ReportRuns.Claim distributing(String reportId, int recipients) {
        ReportRun run = runs.begin(reportId, "2026-W48").run();
        ReportRuns.Claim claim = runs.claim(run.id(), "node-a", LEASE).orElseThrow();
        assertTrue(runs.generating(claim));
        assertTrue(runs.generated(claim, PDF).isPresent());
        assertEquals(recipients, runs.plan(run.id(), team(recipients)));
        return claim;
    }

    @Test
    void beginningTheSamePeriodTwiceGivesOneRun() {
        ReportRuns.Begun first = runs.begin("sla-weekly", "2026-W48");
        clock.advance(Duration.ofHours(1));
        ReportRuns.Begun again = new ReportRuns(db, events, clock).begin("sla-weekly", "2026-W48");

        assertTrue(first.created());
        assertFalse(again.created(), "the second begin says the run existed");
        assertEquals(first.run().id(), again.run().id());
        assertEquals(State.PLANNED, again.run().state());
        assertEquals(T0, again.run().createdAt(), "left as it was");
        assertNotEquals(first.run().id(), runs.begin("sla-weekly", "2026-W49").run().id(), "another period");
        assertNotEquals(first.run().id(), runs.begin("approvals-monthly", "2026-W48").run().id(), "another report");
        assertEquals(3, db.jdbc().queryForObject("SELECT COUNT(*) FROM report_run", Map.of(), Integer.class));
    }

    @Test
    void twoLedgersOnOneDatabaseBeginningAtOnceCreateOneRunPerPeriod() throws Exception {
        List<ReportRuns> ledgers = List.of(runs, new ReportRuns(db, events, clock));
        int threads = 4;
        int periods = 25;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<ReportRuns.Begun>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                ReportRuns ledger = ledgers.get(t % 2);
                results.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<ReportRuns.Begun> begun = new ArrayList<>();
                    for (int p = 1; p <= periods; p++) {
                        begun.add(ledger.begin("sla-weekly", String.format("2026-W%02d", p)));
                    }
                    return begun;
                }));
            }
            int created = 0;
            Map<String, Set<Long>> idsByPeriod = new java.util.HashMap<>();
            for (Future<List<ReportRuns.Begun>> result : results) {
                for (ReportRuns.Begun begun : result.get(60, TimeUnit.SECONDS)) {
                    created += begun.created() ? 1 : 0;
                    idsByPeriod.computeIfAbsent(begun.run().period(), k -> new HashSet<>()).add(begun.run().id());
                }
            }
            assertEquals(periods, created, "each period created by exactly one caller");
            idsByPeriod.forEach((period, ids) -> assertEquals(1, ids.size(), period + " has one run for everyone"));
            assertEquals(periods, db.jdbc().queryForObject("SELECT COUNT(*) FROM report_run", Map.of(), Integer.class));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aResumedRunListsOnlyTheRecipientsNotSentYet() throws Exception {
        ReportRuns.Claim claim = distributing("sla-weekly", 5);
        long runId = claim.runId();
        assertTrue(runs.markSent(runId, "member1@acme.example", "<r1@mailroute>").isPresent());
        assertTrue(runs.prepare(runId, "member2@acme.example", "<r2@mailroute>", "a".repeat(32), null).isPresent());
        assertTrue(runs.markSent(runId, "MEMBER2@acme.example", "<r2@mailroute>").isPresent(), "addresses ignore case");
        assertEquals("<r3@mailroute>", runs.prepare(runId, "member3@acme.example", "<r3@mailroute>", null, 77L)
                .orElseThrow().messageId());
        // the node dies here; after its lease another one (a new ledger: a restarted service) resumes the run
        clock.advance(LEASE.plusSeconds(1));
        ReportRuns restarted = new ReportRuns(db, events, clock);
        assertEquals(List.of(runId), restarted.resumable(10).stream().map(ReportRun::id).toList());
        ReportRuns.Claim resumed = restarted.claim(runId, "node-b", LEASE).orElseThrow();
        assertEquals(State.DISTRIBUTING, resumed.run().state());
        assertFalse(restarted.generating(resumed), "past generating: distribution goes on with the same document");
        assertEquals(0, restarted.plan(runId, team(5)), "planned once");

        List<RunRecipient> pending = restarted.pending(runId);
        assertEquals(List.of("member3@acme.example", "member4@acme.example", "member5@acme.example"),
                pending.stream().map(RunRecipient::address).toList());
        RunRecipient member3 = pending.get(0);
        assertEquals("<r3@mailroute>", member3.messageId(), "the Message-ID chosen before the crash, to look for in SENT");
        assertEquals(77L, member3.deliveryId());
        assertEquals("<r3@mailroute>", restarted.prepare(runId, "member3@acme.example", "<other@mailroute>", null, null)
                .orElseThrow().messageId(), "the first one stays");
        assertFalse(restarted.done(resumed), "recipients still pending");
        for (RunRecipient r : pending) {
            assertTrue(restarted.markSent(runId, r.address(), "<" + r.address() + ">").isPresent());
        }
        assertTrue(restarted.markSent(runId, "member1@acme.example", "<again@mailroute>").isEmpty(), "never sent twice");
        assertTrue(restarted.done(resumed));
        ReportRun done = restarted.find(runId).orElseThrow();
        assertEquals(State.DONE, done.state());
        assertNull(done.claimedBy());
        assertEquals(PDF, done.document());
        assertTrue(restarted.resumable(10).isEmpty());
        assertTrue(restarted.claim(runId, "node-c", LEASE).isEmpty(), "a DONE run is not worked on again");

        List<JsonNode> sent = logged("report.sent");
        assertEquals(5, sent.size(), "one report.sent per recipient");
        assertEquals(5, sent.stream().map(e -> e.at("/data/address").asText()).distinct().count());
        assertEquals("<r1@mailroute>", sent.get(0).at("/data/messageId").asText());
        assertEquals("sla-weekly", sent.get(0).at("/data/reportId").asText());
        assertEquals("2026-W48", sent.get(0).at("/data/period").asText());
        assertEquals(1, logged("report.generated").size());
    }

    @Test
    void eachRecipientStatusMovesForwardOnlyAndAppendsItsEventOnce() throws Exception {
        long runId = distributing("statements", 4).runId();
        String linkOf2 = "0123456789abcdef0123456789abcdef";
        String linkOf3 = "fedcba9876543210fedcba9876543210";
        runs.prepare(runId, "member2@acme.example", null, linkOf2, null);
        runs.prepare(runId, "member3@acme.example", null, linkOf3, null);
        for (int i = 1; i <= 4; i++) {
            runs.markSent(runId, "member" + i + "@acme.example", "<m" + i + "@mailroute>");
        }
        Instant t1 = T0.plus(Duration.ofHours(2));

        // member1 bounces: once, and nothing after a bounce moves it
        assertEquals(1, runs.bounced("<m1@mailroute>", t1).size());
        assertTrue(runs.bounced("<m1@mailroute>", t1.plusSeconds(5)).isEmpty());
        assertTrue(runs.bounced("<unknown@elsewhere>", t1).isEmpty());
        assertTrue(runs.acknowledged(runId, "member1@acme.example", t1).isEmpty());
        assertTrue(runs.markSent(runId, "member1@acme.example", "<m1b@mailroute>").isEmpty());
        assertEquals(Status.BOUNCED, runs.recipient(runId, "member1@acme.example").orElseThrow().status());

        // member2 downloads twice (the first counts), then acknowledges; a bounce after that changes nothing
        RunRecipient downloaded = runs.downloaded(linkOf2, t1).get(0).recipient();
        assertEquals(Status.DOWNLOADED, downloaded.status());
        assertEquals(t1, downloaded.downloadedAt());
        assertTrue(runs.downloaded(linkOf2, t1.plusSeconds(60)).isEmpty());
        assertTrue(runs.acknowledged(runId, "member2@acme.example", t1.plusSeconds(90)).isPresent());
        assertTrue(runs.acknowledged(runId, "member2@acme.example", t1.plusSeconds(95)).isEmpty());
        assertTrue(runs.bounced("<m2@mailroute>", t1.plusSeconds(99)).isEmpty());
        RunRecipient member2 = runs.recipient(runId, "member2@acme.example").orElseThrow();
        assertEquals(Status.ACKNOWLEDGED, member2.status());
        assertEquals(t1, member2.downloadedAt());
        assertEquals(t1.plusSeconds(90), member2.acknowledgedAt());

        // the deadline passes: member3 (sent) and member4 (sent) become OVERDUE, not the bounced or acknowledged one
        Instant deadline = T0.plus(Duration.ofDays(3));
        assertEquals(List.of("member3@acme.example", "member4@acme.example"),
                runs.overdue(runId, deadline).stream().map(RunRecipient::address).toList());
        assertTrue(runs.overdue(runId, deadline).isEmpty(), "once");
        // member3 downloads late: recorded with its event, the status stays OVERDUE; then a late acknowledgement counts
        assertEquals(Status.OVERDUE, runs.downloaded(linkOf3, deadline.plusSeconds(1)).get(0).recipient().status());
        assertEquals(Status.ACKNOWLEDGED, runs.acknowledged(runId, "member3@acme.example", deadline.plusSeconds(2))
                .orElseThrow().recipient().status());
        assertTrue(runs.overdue(runId, deadline.plusSeconds(3)).isEmpty(), "never back from ACKNOWLEDGED");
        assertTrue(runs.acknowledged(runId, "nobody@acme.example", deadline).isEmpty());

        assertEquals(4, logged("report.sent").size());
        assertEquals(1, logged("report.bounced").size());
        assertEquals("<m1@mailroute>", logged("report.bounced").get(0).at("/data/messageId").asText());
        assertEquals(2, logged("report.downloaded").size());
        assertEquals(t1.toString(), logged("report.downloaded").get(0).at("/data/at").asText());
        assertEquals(2, logged("report.acknowledged").size());
    }

    @Test
    void aPendingRecipientCanFailForGoodAndIsNotPendingAfterwards() {
        long runId = distributing("statements", 2).runId();
        RunRecipient failed = runs.sendFailed(runId, "member1@acme.example", "550 no such user").orElseThrow().recipient();
        assertEquals(Status.FAILED, failed.status());
        assertEquals("550 no such user", failed.lastError());
        assertTrue(runs.markSent(runId, "member1@acme.example", "<late@mailroute>").isEmpty());
        assertEquals(List.of("member2@acme.example"), runs.pending(runId).stream().map(RunRecipient::address).toList());
    }

    @Test
    void aFailedRunCountsItsAttemptsTellsOnceAndIsRetriedByPolicy() throws Exception {
        ReportRun run = runs.begin("sla-weekly", "2026-11").run();
        ReportRuns.Claim first = runs.claim(run.id(), "node-a", LEASE).orElseThrow();
        assertTrue(runs.claim(run.id(), "node-b", LEASE).isEmpty(), "held by node-a");
        assertTrue(runs.generating(first));
        assertTrue(runs.failed(first, "source sla-by-queue: column \"queue\" does not exist").isPresent());
        assertTrue(runs.failed(first, "again").isEmpty(), "the claim ended with the failure");

        ReportRun failed = runs.find(run.id()).orElseThrow();
        assertEquals(State.FAILED, failed.state());
        assertEquals(1, failed.attempts());
        assertTrue(failed.lastError().contains("does not exist"));
        assertTrue(runs.resumable(10).isEmpty(), "FAILED waits for its retry policy");
        assertTrue(runs.claim(run.id(), "node-b", LEASE).isEmpty());
        assertTrue(ReportRuns.mayRetry(failed, 2));
        assertFalse(ReportRuns.mayRetry(failed, 1));
        assertFalse(runs.retry(run.id(), 1), "one attempt allowed, one made");

        assertTrue(runs.retry(run.id(), 2));
        assertFalse(runs.retry(run.id(), 2), "not FAILED any more");
        ReportRuns.Claim second = runs.claim(run.id(), "node-b", LEASE).orElseThrow();
        assertEquals(State.PLANNED, second.run().state());
        runs.failed(second, "x".repeat(5000));
        failed = runs.find(run.id()).orElseThrow();
        assertEquals(2, failed.attempts());
        assertEquals(2000, failed.lastError().length());
        assertFalse(failed.mayRetry(2));
        assertFalse(runs.retry(run.id(), 2));

        List<JsonNode> told = logged("report.failed");
        assertEquals(2, told.size(), "one report.failed per failed attempt");
        assertEquals(1, told.get(0).at("/data/attempts").asInt());
        assertEquals(2, told.get(1).at("/data/attempts").asInt());
    }

    @Test
    void aWorkerWhoseLeaseWasTakenOverChangesNothing() throws Exception {
        ReportRun run = runs.begin("sla-weekly", "2026-W48").run();
        ReportRuns.Claim slow = runs.claim(run.id(), "node-a", LEASE).orElseThrow();
        assertTrue(runs.generating(slow));
        clock.advance(Duration.ofMinutes(2));
        assertTrue(runs.renew(slow, LEASE), "renewed while it holds");
        clock.advance(LEASE.plusSeconds(1));
        ReportRuns.Claim taker = runs.claim(run.id(), "node-b", LEASE).orElseThrow();
        assertEquals("node-b", taker.run().claimedBy());

        assertFalse(runs.renew(slow, LEASE));
        assertTrue(runs.generated(slow, PDF).isEmpty());
        assertTrue(runs.failed(slow, "late").isEmpty());
        assertFalse(runs.release(slow));
        assertEquals(State.GENERATING, runs.find(run.id()).orElseThrow().state());
        assertTrue(logged("report.generated").isEmpty() && logged("report.failed").isEmpty());

        assertTrue(runs.generating(taker), "a resumed GENERATING run generates again");
        assertTrue(runs.generated(taker, PDF).isPresent());
        assertTrue(runs.release(taker));
        assertNotNull(runs.claim(run.id(), "node-c", LEASE).orElseThrow().token(), "released: free at once");
    }

    @Test
    void badInputIsRefusedNamingWhatItShouldBe() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.begin("sla-weekly", "last week"))
                .getMessage().contains("2026-W48"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.begin(" ", "2026-W48"))
                .getMessage().contains("report id"));
        long runId = runs.begin("sla-weekly", "2026-W48").run().id();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> runs.plan(runId,
                List.of(new Planned("ann", "ann@acme.example"), new Planned("x", "not-an-address"))))
                .getMessage().contains("'not-an-address'"));
        assertEquals(0, runs.recipients(runId, null).size(), "the plan is one transaction");
        assertThrows(IllegalArgumentException.class, () -> runs.markSent(runId, "member1@acme.example", " "));
        assertThrows(IllegalArgumentException.class, () -> new ReportRun.Document("ABC", 1, "pdf"));
        assertThrows(IllegalArgumentException.class, () -> new ReportRun.Document("ab".repeat(32), 1, "docx"));
    }
}
