package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.reports.render.DocumentFormat;
import io.mailroute.reports.render.Documents;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.retry.Backoff;
import io.mailroute.timers.Timers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run engine on H2 with the real ledger, delivery store, timers and document renderer: once per period, resumed
 * after a crash without a second delivery to anybody, a failure told to the owner once and retried by policy, a
 * document per recipient, the acknowledgement deadline, and a firing missed while down caught up once.
 */
class ReportRunnerTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String REPORTS = """
            reports:
              - id: weekly
                title: Weekly status
                owner: boss@acme.example
                mailbox: support
                schedule: {cron: "0 0 7 ? * MON", zone: Europe/Berlin}
                source: {type: sql, query: "SELECT queue FROM workflow_item WHERE created_at >= :periodStart AND created_at < :periodEnd"}
                format: csv
                recipients: [team, a@acme.example, $owners]
                delivery: both
                acknowledgeWithin: 2d
                subject: "{{report.title}}"
                body: "Hello"
              - id: statements
                owner: team
                mailbox: support
                schedule: {cron: "0 0 6 1 * ?", zone: Europe/Berlin}
                source: {type: sql, query: "SELECT queue FROM workflow_item WHERE assignee = :customer AND created_at < :periodEnd AND created_at >= :periodStart"}
                format: csv
                recipients: [c1@example.com, c2@example.com, c3@example.com]
                perRecipient: true
                recipientParameter: customer
                subject: "Statement"
                body: "Hello"
            """;
    private static final ChannelsConfig CHANNELS = new ChannelsConfig(
            Map.of("report-email", new ChannelsConfig.Channel("report-email", "email", Map.of("sender", "$mailbox"), null)),
            Map.of("team", new ChannelsConfig.Recipient("team", "Team", "Team@Acme.example", List.of())),
            Map.of("team", new ChannelsConfig.Audience("team", List.of("team", "$owners"), List.of("report-email"))),
            Map.of());

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(berlin("2026-11-30T07:00:00"));
    private final ObjectMapper json = Json.newMapper();
    private Database db;
    private EventLog events;
    private ReportRuns runs;
    private Timers timers;
    private ReportFiles files;
    private ReportsConfig config;
    private DeliveryStore deliveries;
    /** What the source "has": rows per recipient (null key: everybody); a failure to throw instead. */
    private final List<String> failures = new ArrayList<>();
    private final AtomicInteger renders = new AtomicInteger();

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    @BeforeEach
    void open() throws Exception {
        db = TestDatabases.h2("report-runner");
        events = new EventLog(db, json, clock);
        runs = new ReportRuns(db, events, clock);
        timers = new Timers(db, json, clock, new Timers.Policy(100, 3, new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), () -> 0.5)));
        files = new ReportFiles(dir.resolve("store"));
        Files.writeString(dir.resolve("reports.yaml"), REPORTS);
        config = ReportsFile.load(dir.resolve("reports.yaml"), dir);
        deliveries = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private ReportRunner runner(String node) {
        ReportAudience audience = new ReportAudience(CHANNELS, mailbox -> List.of("owner@acme.example", "team"));
        ReportRunner.Renderer renderer = (report, window, recipient, directory) -> {
            renders.incrementAndGet();
            if (!failures.isEmpty()) {
                throw new Exception(failures.get(0));
            }
            List<List<String>> rows = List.of(List.of(recipient == null ? "everybody" : "only " + recipient), List.of(window.period()));
            return new Documents(clock).render(new Table(report.title(), List.of("Row"), rows), DocumentFormat.CSV,
                    directory.resolve(UUID.randomUUID() + ".csv"));
        };
        return ReportSchedule.create(() -> config, runs, audience, files, renderer, (r, w, ok) -> { }, deliveries,
                "report-email", timers, events, db, new ReportRunner.Policy(Duration.ofMinutes(2), 3, Duration.ofMinutes(15)),
                node, clock).runner();
    }

    private List<String> deliveriesOf(String emailId) {
        return db.jdbc().queryForList("SELECT event_type || ' ' || address FROM delivery WHERE event_id = :e ORDER BY id",
                Map.of("e", emailId), String.class);
    }

    private int count(String sql) {
        return db.jdbc().queryForObject(sql, Map.of(), Integer.class);
    }

    @Test
    void aFiringQuartzRunsAMomentBeforeItsTimeIsForItsOwnPeriodNotTheOneBefore() throws Exception {
        // Quartz fires a trigger due within 2 ms: its fireTime header may be just before the firing it stands for
        ReportRunner runner = runner("node-a");
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("reportRunner", runner);
            camel.start();
            Exchange firing = new DefaultExchange(camel);
            firing.getMessage().setHeader("MailrouteReport", "weekly");
            firing.getMessage().setHeader("scheduledFireTime", java.util.Date.from(clock.instant()));
            firing.getMessage().setHeader("fireTime", java.util.Date.from(clock.instant().minusMillis(2)));
            camel.createProducerTemplate().send("bean:reportRunner?method=fire", firing); // as routes/reports.camel.yaml
            assertNull(firing.getException());
        }
        assertTrue(runs.find("weekly", "2026-W49").isPresent(), "the Monday 07:00 firing's own week");
        assertTrue(runs.find("weekly", "2026-W48").isEmpty(), "not the week before, which would count as sent already");
    }

    @Test
    void aPeriodRunsOnceAndEveryRecipientGetsOneEmailThroughTheDeliveryPipeline() throws Exception {
        ReportRunner runner = runner("node-a");
        List<Event> fired = runner.fire("weekly", java.util.Date.from(clock.instant()));
        ReportRun run = runs.find("weekly", "2026-W49").orElseThrow();
        assertEquals(ReportRun.State.DONE, run.state());
        assertEquals(List.of("report.document team@acme.example", "report.document owner@acme.example",
                "report.document a@acme.example"), deliveriesOf(ReportMail.documentEmailId(run.id())),
                "audience members, addresses and the mailbox's owners, each address once, lower case");
        assertEquals(List.of("report.generated"), fired.stream().map(Event::type).toList());
        EventSchemas.assertValid("report-events.schema.json", json.readTree(fired.get(0).json()));
        Path stored = files.find(run.document().sha256(), "csv").orElseThrow();
        assertTrue(Files.readString(stored, StandardCharsets.UTF_8).contains("2026-W49"));
        assertEquals(berlin("2026-11-23T07:00:00"), runs.windowOf(run.id(), BERLIN).orElseThrow().start());

        // the same firing again, a catch-up, a second node, and a run by hand for the same period: nothing more
        runner.fire("weekly", java.util.Date.from(clock.instant().plusSeconds(5)));
        runner("node-b").fire("weekly", java.util.Date.from(clock.instant()));
        ReportRunner.Outcome again = runner.run("weekly", "2026-W49");
        assertFalse(again.created());
        assertTrue(again.said().contains("a period is sent once"), again.said());
        assertEquals(1, renders.get());
        assertEquals(3, count("SELECT COUNT(*) FROM delivery"));
        assertEquals(1, count("SELECT COUNT(*) FROM report_run"));
    }

    @Test
    void aRunAbandonedMidDistributionIsResumedElsewhereWithoutASecondEmailToAnybody() {
        ReportRunner crashed = runner("node-a");
        ReportRuns.Begun begun = runs.begin("weekly", "2026-W49");
        long runId = begun.run().id();
        runs.window(runId, Periods.window("0 0 7 ? * MON", BERLIN, clock.instant(), null));
        // node-a claimed it, generated, and handed one recipient over before it died
        ReportRuns.Claim claim = runs.claim(runId, "node-a", Duration.ofMinutes(2)).orElseThrow();
        runs.plan(runId, new ReportAudience(CHANNELS, m -> List.of("owner@acme.example")).of(config.report("weekly").orElseThrow()));
        runs.generating(claim);
        runs.generated(claim, new ReportRun.Document("a".repeat(64), 10, "csv"));
        RunRecipient first = runs.undelivered(runId).get(0);
        ReportDeliveries handing = new ReportDeliveries(deliveries, db, "report-email", clock);
        runs.prepare(runId, first.address(), null, null, handing.plan(ReportMail.documentEmailId(runId), ReportMail.DOCUMENT,
                "support", first.recipient(), first.address()));

        assertTrue(crashed.resume().isEmpty() && runs.find(runId).orElseThrow().state() == ReportRun.State.DISTRIBUTING,
                "its lease still holds: nobody takes it over");
        clock.advance(Duration.ofMinutes(3));
        runner("node-b").resume();
        ReportRun done = runs.find(runId).orElseThrow();
        assertEquals(ReportRun.State.DONE, done.state());
        List<String> sent = deliveriesOf(ReportMail.documentEmailId(runId));
        assertEquals(3, sent.size());
        assertEquals(3, new HashSet<>(sent).size(), "one email per address: " + sent);
        assertEquals(0, renders.get(), "a run past generating is not rendered again");
        runs.recipients(runId, null).forEach(r -> assertTrue(r.deliveryId() != null, r.address()));
    }

    @Test
    void aFailingSourceFailsTheRunTellsTheOwnerOnceAndIsRetriedByPolicyThenGivenUp() throws Exception {
        failures.add("report 'weekly': the query failed: Table \"WORKFLOW_ITEMS\" not found");
        ReportRunner runner = runner("node-a");
        List<Event> fired = runner.fire("weekly", java.util.Date.from(clock.instant()));
        ReportRun run = runs.find("weekly", "2026-W49").orElseThrow();
        assertEquals(ReportRun.State.FAILED, run.state());
        assertEquals(1, run.attempts());
        assertTrue(run.lastError().contains("WORKFLOW_ITEMS"), run.lastError());
        assertEquals(List.of("report.failed"), fired.stream().map(Event::type).toList());
        EventSchemas.assertValid("report-events.schema.json", json.readTree(fired.get(0).json()));
        assertEquals(List.of("report.failed boss@acme.example"), deliveriesOf(fired.get(0).id()), "the owner is told");
        assertEquals(0, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.document'"), "no report email");

        for (int attempt = 2; attempt <= 3; attempt++) {
            clock.advance(Duration.ofMinutes(15));
            timers.fireDue();
            assertEquals(ReportRun.State.PLANNED, runs.find(run.id()).orElseThrow().state(), "the retry fell due");
            runner.resume();
            assertEquals(attempt, runs.find(run.id()).orElseThrow().attempts());
        }
        assertEquals(ReportRun.State.FAILED, runs.find(run.id()).orElseThrow().state());
        clock.advance(Duration.ofHours(1));
        timers.fireDue();
        runner.resume();
        assertEquals(3, runs.find(run.id()).orElseThrow().attempts(), "max-attempts 3: given up");
        assertEquals(1, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.failed'"), "the owner is told once");
        assertEquals(3, renders.get());

        // an operator fixes the source and runs the period by hand
        failures.clear();
        ReportRunner.Outcome rerun = runner.run("weekly", "2026-W49");
        assertEquals(ReportRun.State.DONE, rerun.run().state(), rerun.said());
        assertEquals(3, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.document'"));
    }

    @Test
    void eachRecipientOfAPerRecipientReportGetsADocumentOfTheirOwn() throws Exception {
        runner("node-a").run("statements", "2026-12");
        ReportRun run = runs.find("statements", "2026-12").orElseThrow();
        assertEquals(ReportRun.State.DONE, run.state());
        assertEquals(null, run.document(), "no document for everybody");
        List<String> shas = new ArrayList<>();
        for (String customer : List.of("c1@example.com", "c2@example.com", "c3@example.com")) {
            ReportRuns.OwnDocument own = runs.recipientDocument(run.id(), customer).orElseThrow();
            shas.add(own.sha256());
            String content = Files.readString(files.find(own.sha256(), "csv").orElseThrow());
            assertTrue(content.contains("only " + customer), content);
            for (String other : List.of("c1@example.com", "c2@example.com", "c3@example.com")) {
                if (!other.equals(customer)) {
                    assertFalse(content.contains(other), customer + "'s statement holds " + other + "'s rows");
                }
            }
        }
        assertEquals(3, new HashSet<>(shas).size());
        assertEquals(3, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.document'"));
    }

    @Test
    void pastTheAcknowledgementDeadlineTheUnconfirmedAreOverdueRemindedOnceAndTheOwnerToldOnce() throws Exception {
        runner("node-a").fire("weekly", java.util.Date.from(clock.instant()));
        ReportRun run = runs.find("weekly", "2026-W49").orElseThrow();
        for (RunRecipient r : runs.recipients(run.id(), null)) {
            runs.markSent(run.id(), r.address(), "m-" + r.id() + "@acme.example");
        }
        runs.acknowledged(run.id(), "a@acme.example", clock.instant());
        clock.advance(Duration.ofDays(1));
        assertTrue(timers.fireDue().isEmpty(), "not due before the deadline");
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        List<Event> fired = timers.fireDue();
        assertEquals(List.of("report.overdue"), fired.stream().map(Event::type).toList());
        EventSchemas.assertValid("report-events.schema.json", json.readTree(fired.get(0).json()));
        assertEquals(List.of("report.reminder team@acme.example", "report.reminder owner@acme.example"),
                deliveriesOf(ReportMail.reminderEmailId(run.id())));
        assertEquals(List.of("report.overdue boss@acme.example"), deliveriesOf(ReportMail.overdueEmailId(run.id())));
        assertEquals(RunRecipient.Status.ACKNOWLEDGED, runs.recipient(run.id(), "a@acme.example").orElseThrow().status());
        clock.advance(Duration.ofDays(3));
        assertTrue(timers.fireDue().isEmpty());
        assertEquals(3, count("SELECT COUNT(*) FROM delivery WHERE event_type IN ('report.reminder', 'report.overdue')"));
    }

    @Test
    void aFiringMissedWhileTheServiceWasDownIsRunOnceAtStartUpAndNotBeforeTheReportExisted() {
        ReportRunner runner = runner("node-a");
        clock.set(berlin("2026-11-25T10:00:00"));
        assertTrue(runner.catchUp().isEmpty());
        assertEquals(0, count("SELECT COUNT(*) FROM report_run"), "the Monday before the report was scheduled is not caught up");
        // down from Wednesday across two Mondays' firings, back on the second Tuesday
        clock.set(berlin("2026-12-08T09:00:00"));
        List<Event> caughtUp = runner("node-a").catchUp();
        assertEquals(1, count("SELECT COUNT(*) FROM report_run WHERE report_id = 'weekly'"), "once, not once per missed firing");
        assertEquals("2026-W50", runs.runs("weekly", 1).get(0).period(), "the period of the last missed firing");
        assertFalse(caughtUp.isEmpty());
        runner("node-a").catchUp();
        assertEquals(1, count("SELECT COUNT(*) FROM report_run WHERE report_id = 'weekly'"));
        assertNotEquals(0, count("SELECT COUNT(*) FROM report_run WHERE report_id = 'statements'"),
                "the monthly statements' firing of 1 December fell in the down time too");
    }

    @Test
    void documentsAreDeletedOnceEveryRunReferringToThemIsOlderThanTheRetention() {
        runner("node-a").fire("weekly", java.util.Date.from(clock.instant()));
        ReportRun old = runs.find("weekly", "2026-W49").orElseThrow();
        ReportRetention retention = new ReportRetention(db, files, Duration.ofDays(90), clock);
        clock.advance(Duration.ofDays(89));
        assertEquals(0, retention.prune());
        assertTrue(files.find(old.document().sha256(), "csv").isPresent());
        clock.advance(Duration.ofDays(2));
        assertEquals(1, retention.prune());
        assertTrue(files.find(old.document().sha256(), "csv").isEmpty());
        assertEquals(ReportRun.State.DONE, runs.find(old.id()).orElseThrow().state(), "the run and its statuses stay");
    }

    /** Each recipient's own document goes too: it records its format, and one recorded before that is found anyway. */
    @Test
    void perRecipientDocumentsAreDeletedPastTheRetentionToo() throws Exception {
        runner("node-a").run("statements", "2026-12");
        ReportRun run = runs.find("statements", "2026-12").orElseThrow();
        List<String> shas = new ArrayList<>();
        for (String customer : List.of("c1@example.com", "c2@example.com", "c3@example.com")) {
            shas.add(runs.recipientDocument(run.id(), customer).orElseThrow().sha256());
        }
        assertEquals(List.of("csv", "csv", "csv"), db.jdbc().queryForList(
                "SELECT document_format FROM report_recipient WHERE run_id = :id ORDER BY address", Map.of("id", run.id()), String.class));
        db.jdbc().update("UPDATE report_recipient SET document_format = NULL WHERE run_id = :id AND address = 'c1@example.com'",
                Map.of("id", run.id())); // as written before V38
        ReportRetention retention = new ReportRetention(db, files, Duration.ofDays(90), clock);
        assertEquals(0, retention.prune());
        clock.advance(Duration.ofDays(91));

        assertEquals(3, retention.prune());
        for (String sha : shas) {
            assertTrue(files.find(sha, "csv").isEmpty(), sha);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "bad-sql  | no_such_table",
            "bad-json | bad.json",
            "bad-csv  | line 3",
            "no-file  | no file matching 'ledger-*.csv'"})
    void aSourceThatFailsFailsTheRunWithItsReasonSendsNothingAndTellsTheOwnerOnce(String id, String reason) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/bad.json", exchange -> answer(exchange, "[{\"a\": 1}, {\"a\": "));
        server.createContext("/bad.csv", exchange -> answer(exchange, "a,b\n1,2\n3,4,5\n"));
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Files.createDirectories(dir.resolve("drop"));
            Files.writeString(dir.resolve("failing.yaml"), """
                    reports:
                      - {id: bad-sql, owner: boss@acme.example, mailbox: support, schedule: {cron: "0 0 7 ? * MON", zone: UTC},
                         source: {type: sql, query: "SELECT nothing FROM no_such_table"}, format: pdf, recipients: [a@acme.example],
                         subject: s, body: b}
                      - {id: bad-json, owner: boss@acme.example, mailbox: support, schedule: {cron: "0 0 7 ? * MON", zone: UTC},
                         source: {type: http, url: "%1$s/bad.json", format: json}, format: pdf, recipients: [a@acme.example],
                         subject: s, body: b}
                      - {id: bad-csv, owner: boss@acme.example, mailbox: support, schedule: {cron: "0 0 7 ? * MON", zone: UTC},
                         source: {type: http, url: "%1$s/bad.csv", format: csv}, format: pdf, recipients: [a@acme.example],
                         subject: s, body: b}
                      - {id: no-file, owner: boss@acme.example, mailbox: support, schedule: {cron: "0 0 7 ? * MON", zone: UTC},
                         source: {type: file, directory: "%2$s", pattern: "ledger-*.csv"}, format: pdf, recipients: [a@acme.example],
                         subject: s, body: b}
                    """.formatted(url, dir.resolve("drop")));
            config = ReportsFile.load(dir.resolve("failing.yaml"), dir);
            io.mailroute.reports.sources.ReportSources sources = new io.mailroute.reports.sources.ReportSources(db, config,
                    name -> null, io.mailroute.reports.sources.ReportSources.httpClient(), clock);
            ReportRunner.Renderer real = (report, window, recipient, directory) -> sources.read(report, window, recipient,
                    table -> new Documents(clock).render(table, DocumentFormat.PDF, directory.resolve(UUID.randomUUID() + ".pdf")));
            ReportRunner runner = ReportSchedule.create(() -> config, runs, new ReportAudience(CHANNELS, m -> List.of()), files,
                    real, sources::finished, deliveries, "report-email", timers, events, db,
                    new ReportRunner.Policy(Duration.ofMinutes(2), 3, Duration.ofMinutes(15)), "node-a", clock).runner();

            ReportRunner.Outcome outcome = runner.run(id, null);
            assertEquals(ReportRun.State.FAILED, outcome.run().state(), outcome.said());
            assertTrue(outcome.run().lastError().contains("'" + id + "'"), "names the report: " + outcome.run().lastError());
            assertTrue(outcome.run().lastError().contains(reason), outcome.run().lastError());
            assertEquals(0, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.document'"), "no email");
            assertEquals(1, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.failed' AND address = 'boss@acme.example'"));
            clock.advance(Duration.ofMinutes(16));
            timers.fireDue();
            runner.resume();
            assertEquals(2, runs.find(outcome.run().id()).orElseThrow().attempts(), "retried by policy");
            assertEquals(1, count("SELECT COUNT(*) FROM delivery WHERE event_type = 'report.failed'"), "the owner is told once");
            sources.close();
        } finally {
            server.stop(0);
        }
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
