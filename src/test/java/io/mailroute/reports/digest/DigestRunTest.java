package io.mailroute.reports.digest;

import static io.mailroute.reports.digest.DigestFixture.ANNA;
import static io.mailroute.reports.digest.DigestFixture.BORIS;
import static io.mailroute.reports.digest.DigestFixture.CARL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.EmailContent;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.reports.ReportAudience;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportMail;
import io.mailroute.reports.ReportRun;
import io.mailroute.reports.ReportRunner;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.ReportSchedule;
import io.mailroute.reports.ReportsConfig;
import io.mailroute.reports.ReportsFile;
import io.mailroute.reports.RunRecipient;
import io.mailroute.reports.links.ReportLinks;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.timers.Timers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A digest run on the reports engine: once per period, one email per recipient who has something to be told (the
 * figures of their own queues in its body, text and HTML, nothing attached), the others SKIPPED with the reason, and
 * an empty period sends nothing at all.
 */
class DigestRunTest {

    static final String REPORTS = """
            reports:
              - id: weekly-digest
                title: Weekly digest
                owner: anna
                mailbox: support
                schedule: {cron: "0 0 8 ? * MON", zone: Europe/Berlin}
                source: {type: digest, sections: [activity, engagement]}
                recipients: [managers]
                subject: "{{report.title}}: {{period.start}} to {{period.end}}"
                body: "Your queues this week."
            """;

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(DigestFixture.END);
    private final ObjectMapper json = Json.newMapper();
    private final AtomicInteger tables = new AtomicInteger();
    private Database db;
    private ReportRuns runs;
    private ReportRunner runner;
    private ReportMail mail;
    private DeliveryStore deliveries;

    static ReportsConfig config(Path templates) {
        try {
            Path file = Files.createTempFile("digest-reports", ".yaml");
            Files.writeString(file, REPORTS);
            try {
                return ReportsFile.load(file, templates);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void open() throws Exception {
        db = DigestFixture.seeded("digest-run");
        EventLog events = new EventLog(db, json, clock);
        runs = new ReportRuns(db, events, clock);
        Path templates = Path.of("config", "templates");
        ReportsConfig config = config(templates);
        ReportFiles files = new ReportFiles(dir.resolve("store"));
        deliveries = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        Timers timers = new Timers(db, json, clock, new Timers.Policy(100, 3, new Backoff(Duration.ofSeconds(10),
                Duration.ofMinutes(5), () -> 0.5)));
        Digests digests = new Digests(new DigestQueries(db), DigestFixture.CHANNELS, DigestFixture.OWNERS, json);
        ReportRunner.Renderer tablesOnly = (report, window, recipient, target) -> {
            tables.incrementAndGet();
            throw new IllegalStateException("a digest is not rendered from a table");
        };
        runner = ReportSchedule.create(() -> config, runs, new ReportAudience(DigestFixture.CHANNELS, m -> List.of()), files,
                digests.or(tablesOnly), (r, w, ok) -> { }, deliveries, "report-email", timers, events, db,
                new ReportRunner.Policy(Duration.ofMinutes(2), 3, Duration.ofMinutes(15)), "node", clock).runner();
        SignedLinks links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), db, clock);
        mail = new ReportMail(() -> config, runs, files, new ReportLinks(links, clock), templates.toFile(), db, json, clock, 3);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void eachManagerGetsOneDigestOfTheirQueuesPerPeriodAndWhoOwnsNothingIsSkipped() {
        ReportRunner.Outcome outcome = runner.run("weekly-digest", null);
        ReportRun run = outcome.run();
        assertEquals("2026-W49", run.period());
        assertEquals(ReportRun.State.DONE, run.state(), outcome.said());
        assertEquals(List.of(ANNA, BORIS), digestDeliveries(run));
        RunRecipient carl = runs.recipient(run.id(), CARL).orElseThrow();
        assertEquals(RunRecipient.Status.SKIPPED, carl.status());
        assertTrue(carl.lastError().contains("owns no queue"), carl.lastError());

        // the period again, by hand and by a firing: still one email each
        ReportRunner.Outcome again = runner.run("weekly-digest", "2026-W49");
        assertFalse(again.created());
        runner.fire("weekly-digest", java.util.Date.from(clock.instant()));
        assertEquals(List.of(ANNA, BORIS), digestDeliveries(run));
        assertEquals(0, tables.get(), "a digest never reaches the table renderers");
    }

    @Test
    void theDigestEmailCarriesTheRecipientsFiguresInItsBodyAndNothingAttached() {
        ReportRun run = runner.run("weekly-digest", null).run();

        EmailContent.Mail anna = mail.compose(delivery(run, ANNA), null);
        assertEquals("Weekly digest: 2026-11-23 to 2026-11-30", anna.subject());
        assertTrue(anna.attachments().isEmpty());
        assertTrue(anna.text().contains("Your queues this week."), anna.text());
        assertTrue(anna.text().contains("Your queues: finance-exceptions, ops-oncall."), anna.text());
        assertTrue(anna.text().contains("finance-exceptions: 2 / 2 / 1 / 1 / 1 / 1"), anna.text());
        assertTrue(anna.text().contains("team-hook: 1 / 0 / 0 / 1"), anna.text());
        assertTrue(anna.html().contains("&lt;b&gt;boris&lt;/b&gt;"), anna.html());

        EmailContent.Mail boris = mail.compose(delivery(run, BORIS), null);
        assertTrue(boris.text().contains("ops-oncall: 1 / 0 / 0 / 0 / 0 / 0"), boris.text());
        assertFalse(boris.text().contains("finance-exceptions"), boris.text());
    }

    @Test
    void anEmptyPeriodSendsNothingAndTheRunSaysWhy() {
        ReportRunner.Outcome outcome = runner.run("weekly-digest", "2026-W40");
        ReportRun run = outcome.run();
        assertEquals(ReportRun.State.DONE, run.state(), outcome.said());
        assertEquals(List.of(), digestDeliveries(run));
        List<RunRecipient> recipients = runs.recipients(run.id(), null);
        assertEquals(3, recipients.size());
        for (RunRecipient recipient : recipients) {
            assertEquals(RunRecipient.Status.SKIPPED, recipient.status(), recipient.address());
        }
        assertTrue(runs.recipient(run.id(), ANNA).orElseThrow().lastError().contains("an empty period"));
        assertEquals(0, db.jdbc().queryForObject("SELECT COUNT(*) FROM delivery WHERE event_id LIKE 'report-run-%'", Map.of(),
                Integer.class));
    }

    @Test
    void aDryRunWritesEachRecipientsFiguresAndLeavesOutWhoWouldBeSkipped() throws Exception {
        io.mailroute.reports.ReportDryRun dryRun = new io.mailroute.reports.ReportDryRun(() -> config(Path.of("config", "templates")),
                new ReportAudience(DigestFixture.CHANNELS, m -> List.of()), new Digests(new DigestQueries(db),
                        DigestFixture.CHANNELS, DigestFixture.OWNERS, json).or((r, w, a, d) -> {
                            throw new IllegalStateException("not a table");
                        }), clock);
        io.mailroute.reports.ReportDryRun.Result result = dryRun.render("weekly-digest", "2026-W49", dir.resolve("out"));
        assertEquals(List.of(ANNA, BORIS), result.documents().stream().map(io.mailroute.reports.ReportDryRun.Output::recipient).toList());
        Path anna = result.documents().get(0).file();
        assertEquals("weekly-digest-2026-W49-anna@acme.example.json", anna.getFileName().toString());
        Digest figures = new DigestMail(dir.toFile(), json).read(anna);
        assertEquals(List.of("finance-exceptions", "ops-oncall"), figures.queues());
        assertEquals(0, db.jdbc().queryForObject("SELECT COUNT(*) FROM report_run", Map.of(), Integer.class), "nothing recorded");
    }

    private List<String> digestDeliveries(ReportRun run) {
        return db.jdbc().queryForList("SELECT address FROM delivery WHERE event_id = :e ORDER BY address",
                Map.of("e", "report-run-" + run.id()), String.class);
    }

    private Delivery delivery(ReportRun run, String address) {
        long id = db.jdbc().queryForObject("SELECT id FROM delivery WHERE event_id = :e AND address = :a",
                Map.of("e", "report-run-" + run.id(), "a", address), Long.class);
        return deliveries.get(id).orElseThrow();
    }
}
