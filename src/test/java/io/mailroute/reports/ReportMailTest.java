package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.EmailContent;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.reports.links.ReportLinks;
import io.mailroute.reports.render.DocumentFormat;
import io.mailroute.reports.render.Documents;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.timers.Timers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report emails as the delivery pipeline gets them: text as written, HTML escaped, the document, fresh links. */
class ReportMailTest {

    private static final String REPORTS = """
            reports:
              - id: weekly
                title: R&D <Weekly>
                owner: boss@acme.example
                mailbox: support
                schedule: {cron: "0 0 7 ? * MON", zone: Europe/Berlin}
                source: {type: sql, query: "SELECT 1 AS one"}
                format: csv
                recipients: [anna@acme.example]
                delivery: both
                oneTimeLink: true
                acknowledgeWithin: 2d
                subject: "{{report.title}} for {{period.key}}"
                body: |
                  Hello,

                  {{report.title}} from {{period.start}} to {{period.end}}.
            """;
    private static final Pattern DOWNLOAD = Pattern.compile("http://127\\.0\\.0\\.1:8080/p/reports/download\\?t=([A-Za-z0-9_-]+)");
    private static final Pattern ACK = Pattern.compile("http://127\\.0\\.0\\.1:8080/p/reports/ack\\?t=([A-Za-z0-9_-]+)");

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T06:00:00Z"));
    private final ObjectMapper json = Json.newMapper();
    private Database db;
    private ReportRuns runs;
    private ReportMail mail;
    private SignedLinks links;
    private DeliveryStore deliveries;
    private ReportRunner runner;

    @BeforeEach
    void open() throws Exception {
        db = TestDatabases.h2("report-mail");
        EventLog events = new EventLog(db, json, clock);
        runs = new ReportRuns(db, events, clock);
        Files.writeString(dir.resolve("reports.yaml"), REPORTS);
        ReportsConfig config = ReportsFile.load(dir.resolve("reports.yaml"), dir);
        ReportFiles files = new ReportFiles(dir.resolve("store"));
        links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), db, clock);
        deliveries = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        Timers timers = new Timers(db, json, clock, new Timers.Policy(100, 3, new Backoff(Duration.ofSeconds(10),
                Duration.ofMinutes(5), () -> 0.5)));
        runner = ReportSchedule.create(() -> config, runs, new ReportAudience(ChannelsConfig.empty(), m -> List.of()), files,
                (report, window, recipient, target) -> new Documents(clock).render(new Table(report.title(), List.of("Row"),
                        List.of(List.of("the row"))), DocumentFormat.CSV, target.resolve(UUID.randomUUID() + ".csv")),
                (r, w, ok) -> { }, deliveries, "report-email", timers, events, db,
                new ReportRunner.Policy(Duration.ofMinutes(2), 3, Duration.ofMinutes(15)), "node", clock).runner();
        mail = new ReportMail(() -> config, runs, files, new ReportLinks(links, clock), dir.toFile(), db, json, clock, 3);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Delivery delivery(String type) {
        long id = db.jdbc().queryForObject("SELECT id FROM delivery WHERE event_type = :t", Map.of("t", type), Long.class);
        return deliveries.get(id).orElseThrow();
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), pattern + " in " + text);
        return m.group(1);
    }

    @Test
    void theReportEmailCarriesItsDocumentAndLinksMadeForItsRecipientWithTheTextAsWrittenAndTheHtmlEscaped() throws Exception {
        runner.run("weekly", null);
        ReportRun run = runs.find("weekly", "2026-W49").orElseThrow();
        Delivery delivery = delivery(ReportMail.DOCUMENT);
        EmailContent.Mail written = mail.compose(delivery, null);

        assertEquals("R&D <Weekly> for 2026-W49", written.subject(), "a subject is text: nothing escaped");
        assertTrue(written.text().contains("R&D <Weekly> from 2026-11-23 to 2026-11-30."), written.text());
        assertTrue(written.html().contains("R&amp;D &lt;Weekly&gt; from 2026-11-23"), written.html());
        assertFalse(written.html().contains("<Weekly>"), written.html());
        assertEquals(1, written.attachments().size());
        EmailContent.Attachment attached = written.attachments().get(0);
        assertEquals("weekly-2026-W49.csv", attached.filename());
        assertTrue(attached.contentType().startsWith("text/csv"));
        assertTrue(Files.readString(attached.file()).contains("the row"));

        String download = group(DOWNLOAD, written.text());
        String ack = group(ACK, written.text());
        var downloadLink = ((LinkCheck.Valid) links.verify(download, ReportLinks.DOWNLOAD)).link();
        assertEquals(String.valueOf(run.id()), downloadLink.subjectId());
        assertEquals("anna@acme.example", downloadLink.recipient());
        assertTrue(downloadLink.singleUse(), "oneTimeLink: true");
        assertEquals(Instant.parse("2026-12-07T06:00:00Z"), downloadLink.expiresAt(), "the link lifetime (7 days) from now");
        assertTrue(links.verify(ack, ReportLinks.ACKNOWLEDGE) instanceof LinkCheck.Valid);
        assertEquals(downloadLink.linkId(), runs.recipient(run.id(), "anna@acme.example").orElseThrow().linkId());

        // a retry writes the email again: new links, and only they count from now on
        EmailContent.Mail again = mail.compose(delivery, null);
        String second = group(DOWNLOAD, again.text());
        assertNotEquals(download, second);
        assertEquals(((LinkCheck.Valid) links.verify(second, ReportLinks.DOWNLOAD)).link().linkId(),
                runs.recipient(run.id(), "anna@acme.example").orElseThrow().linkId());

        // Gmail took it: SENT, and the email is not written again
        mail.sent(delivery, "m1@acme.example", "g1", "t1", "support");
        assertEquals(RunRecipient.Status.SENT, runs.recipient(run.id(), "anna@acme.example").orElseThrow().status());
        IllegalStateException obsolete = assertThrows(IllegalStateException.class, () -> mail.compose(delivery, null));
        assertTrue(obsolete.getMessage().contains("already"), obsolete.getMessage());
        IllegalStateException noReminder = assertThrows(IllegalStateException.class,
                () -> mail.compose(withType(delivery, ReportMail.REMINDER, ReportMail.reminderEmailId(run.id())), null));
        assertTrue(noReminder.getMessage().contains("SENT"), noReminder.getMessage());
    }

    @Test
    void theOwnersAlertOfAFailureSaysWhyAndHowToRunItAgain() {
        db.jdbc().update("INSERT INTO report_run (report_id, period, state, attempts, created_at, updated_at) "
                + "VALUES ('weekly', '2026-W49', 'PLANNED', 0, :now, :now)", Map.of("now", java.sql.Timestamp.from(clock.instant())));
        long runId = runs.find("weekly", "2026-W49").orElseThrow().id();
        ReportRuns.Claim claim = runs.claim(runId, "node", Duration.ofMinutes(1)).orElseThrow();
        var failed = runs.failed(claim, "report 'weekly': the query failed: no such table").orElseThrow();
        deliveries.plan(failed.id(), ReportMail.FAILED_ALERT, "support", null, "report-email", "email", "boss@acme.example",
                "boss@acme.example", null, clock.instant());
        EmailContent.Mail alert = mail.compose(delivery(ReportMail.FAILED_ALERT), null);
        assertEquals("Report R&D <Weekly> failed for 2026-W49", alert.subject());
        assertTrue(alert.text().contains("the query failed: no such table"), alert.text());
        assertTrue(alert.text().contains("java -jar target/mailroute.jar reports run weekly --period 2026-W49"), alert.text());
        assertTrue(alert.text().contains("tried again automatically, up to 3 attempts"), alert.text());
        assertTrue(alert.attachments().isEmpty());
    }

    private static Delivery withType(Delivery d, String type, String eventId) {
        return new Delivery(d.id(), eventId, type, d.mailbox(), d.itemId(), d.channel(), d.channelType(), d.recipient(),
                d.address(), d.status(), d.attempts(), d.nextAttemptAt(), d.lastError(), d.providerId(), d.messageId(),
                d.fallbackOf(), d.createdAt(), d.sentVia(), d.claimToken());
    }
}
