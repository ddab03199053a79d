package io.mailroute.reports.digest;

import static io.mailroute.reports.digest.DigestFixture.ANNA;
import static io.mailroute.reports.digest.DigestFixture.BERLIN;
import static io.mailroute.reports.digest.DigestFixture.BORIS;
import static io.mailroute.reports.digest.DigestFixture.CARL;
import static io.mailroute.reports.digest.DigestFixture.END;
import static io.mailroute.reports.digest.DigestFixture.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.reports.ReportDefinition.DigestSource;
import io.mailroute.reports.ReportDefinition.DigestSource.Section;
import io.mailroute.reports.ReportDefinition.DigestSource.Unowned;
import io.mailroute.reports.ReportRunner;
import io.mailroute.reports.RunWindow;
import io.mailroute.reports.render.RenderedDocument;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * A digest's figures for a seeded week equal what the database holds (the expectation computed here with SQL of its
 * own, one figure at a time), only for the recipient's queues; an empty period and a recipient who owns nothing give
 * nothing to send.
 */
class DigestTest {

    private static final RunWindow WEEK = new RunWindow(0, "2026-W49", START, END, BERLIN);
    private static final List<Section> BOTH = List.of(Section.ACTIVITY, Section.ENGAGEMENT);

    @TempDir
    Path dir;
    private Database db;
    private Digests digests;
    private DigestMail mail;

    /** The database the digest is computed on: H2 here, PostgreSQL in {@link DigestPostgresIT}. */
    Database database() throws Exception {
        return DigestFixture.seeded("digest");
    }

    @BeforeEach
    void open() throws Exception {
        db = database();
        digests = new Digests(new DigestQueries(db), DigestFixture.CHANNELS, DigestFixture.OWNERS, Json.newMapper());
        mail = new DigestMail(Path.of("config", "templates").toFile(), Json.newMapper());
    }

    @AfterEach
    void close() throws Exception {
        if (db != null) { // null when database() skipped the test (no PostgreSQL for DigestPostgresIT)
            db.close();
        }
    }

    @Test
    void aManagersDigestCountsWhatTheDatabaseHoldsForTheQueuesTheyOwn() throws Exception {
        Digest digest = render(ANNA, new DigestSource(BOTH, Unowned.NOTHING, false));

        assertEquals(List.of("finance-exceptions", "ops-oncall"), digest.queues());
        for (Digest.QueueActivity row : digest.activity()) {
            assertEquals(expectedActivity(row.queue()), row, "the figures of " + row.queue());
        }
        assertEquals(List.of("finance-exceptions", "ops-oncall"), digest.activity().stream().map(Digest.QueueActivity::queue).toList());
        // and by hand, so that the seed is known to exercise each figure and each edge of the period
        assertEquals(new Digest.QueueActivity("finance-exceptions", 2, 2, 1, 1, 1, 1), digest.activity().get(0));
        assertEquals(new Digest.QueueActivity("ops-oncall", 1, 0, 0, 0, 0, 0), digest.activity().get(1));
        assertEquals(List.of(), digest.mailboxes(), "anna owns no mailbox");

        List<String> queues = List.of("finance-exceptions", "ops-oncall");
        assertEquals(expectedEngagement("channel", queues), digest.byChannel());
        assertEquals(expectedEngagement("recipient", queues), digest.byPerson());
        assertEquals(List.of(new Digest.Engagement("email", 2, 2, 1, 0), new Digest.Engagement("team-hook", 1, 0, 0, 1)),
                digest.byChannel());
    }

    @Test
    void aManagerSeesOnlyTheirQueuesNeitherAnotherQueueNorWhatBelongsToNone() throws Exception {
        Digest digest = render(BORIS, new DigestSource(BOTH, Unowned.NOTHING, false));

        assertEquals(List.of("ops-oncall"), digest.queues());
        assertEquals(List.of(expectedActivity("ops-oncall")), digest.activity());
        assertEquals(expectedEngagement("channel", List.of("ops-oncall")), digest.byChannel());
        assertEquals(List.of(new Digest.Engagement(DigestFixture.HOSTILE, 1, 1, 0, 0)), digest.byPerson());
        assertEquals(List.of(expectedExceptions("support")), digest.mailboxes(), "boris owns support, not accounts");
        assertEquals(List.of(new Digest.MailboxExceptions("support", 2, 1)), digest.mailboxes());
    }

    @Test
    void whoOwnsOnlyAMailboxGetsItsExceptions() throws Exception {
        Digests mailboxOnly = new Digests(new DigestQueries(db), DigestFixture.CHANNELS, new io.mailroute.alerts.AlertOwners(
                Map.of(), Map.of("accounts", List.of("managers")), List.of()), Json.newMapper());
        RenderedDocument document = mailboxOnly.render(report(), new DigestSource(BOTH, Unowned.NOTHING, false), WEEK, CARL, dir);
        Digest digest = mail.read(document.file());

        assertEquals(List.of(), digest.queues());
        assertEquals(List.of(expectedExceptions("accounts")), digest.mailboxes());
        assertEquals(List.of(new Digest.MailboxExceptions("accounts", 1, 1)), digest.mailboxes());
        assertEquals(1, document.rows(), "a mailbox with exceptions is something to send");
        DigestMail.Body body = mail.write(digest, Map.of("report", Map.of("id", "weekly-digest", "title", "Weekly"),
                "period", Map.of("key", "2026-W49", "start", "2026-11-23", "end", "2026-11-30")), null);
        assertTrue(body.text().contains("accounts: 1 / 1"), body.text());
        assertTrue(body.html().contains("<td>accounts</td><td align=\"right\">1</td><td align=\"right\">1</td>"), body.html());
    }

    @Test
    void whoOwnsNoQueueGetsNothingUnlessTheDigestGivesThemEverything() throws Exception {
        ReportRunner.NothingToSend nothing = assertThrows(ReportRunner.NothingToSend.class,
                () -> render(CARL, new DigestSource(BOTH, Unowned.NOTHING, true)));
        assertTrue(nothing.getMessage().contains("owns no queue and no mailbox"), nothing.getMessage());

        Digest everything = render(CARL, new DigestSource(BOTH, Unowned.EVERYTHING, false));
        assertTrue(everything.everything());
        List<String> shown = everything.activity().stream().map(Digest.QueueActivity::queue).toList();
        assertEquals(List.of("finance-exceptions", "it", "ops-oncall", Digest.NO_QUEUE), shown);
        for (String queue : List.of("finance-exceptions", "it", "ops-oncall")) {
            assertEquals(expectedActivity(queue), everything.activity().get(shown.indexOf(queue)));
        }
        assertEquals(new Digest.QueueActivity(Digest.NO_QUEUE, 0, 0, 0, 1, 1, 0), everything.activity().get(3));
        assertEquals(List.of(expectedExceptions("accounts"), expectedExceptions("support")), everything.mailboxes());
        long sentInPeriod = count("SELECT COUNT(*) FROM delivery WHERE status IN ('SENT', 'DELIVERED') AND created_at >= :s "
                + "AND created_at < :e", Map.of());
        assertEquals(sentInPeriod, everything.byChannel().stream().mapToLong(Digest.Engagement::sent).sum());
    }

    @Test
    void anEmptyPeriodSendsNothingUnlessTheDigestSaysSendWhenEmpty() throws Exception {
        RunWindow quiet = new RunWindow(0, "2026-W40", START.minus(Duration.ofDays(56)), START.minus(Duration.ofDays(49)), BERLIN);
        ReportRunner.NothingToSend nothing = assertThrows(ReportRunner.NothingToSend.class, () -> digests.render(
                report(), new DigestSource(BOTH, Unowned.NOTHING, false), quiet, ANNA, dir));
        assertTrue(nothing.getMessage().contains("an empty period"), nothing.getMessage());

        RenderedDocument sent = digests.render(report(), new DigestSource(BOTH, Unowned.NOTHING, true), quiet, ANNA, dir);
        assertEquals(0, sent.rows());
        Digest empty = mail.read(sent.file());
        assertTrue(empty.isEmpty());
        assertEquals(List.of(new Digest.QueueActivity("finance-exceptions", 0, 0, 0, 0, 0, 0),
                new Digest.QueueActivity("ops-oncall", 0, 0, 0, 0, 0, 0)), empty.activity());
    }

    @Test
    void onlyTheSectionsAskedForAreComputed() throws Exception {
        Digest engagement = render(ANNA, new DigestSource(List.of(Section.ENGAGEMENT), Unowned.NOTHING, false));
        assertEquals(null, engagement.activity());
        assertEquals(2, engagement.byChannel().size());
    }

    @Test
    void theEmailShowsTheFiguresAsTextAndAsEscapedHtml() throws Exception {
        Digest digest = render(ANNA, new DigestSource(BOTH, Unowned.NOTHING, false));
        DigestMail.Body body = mail.write(digest, Map.of("report", Map.of("id", "weekly-digest", "title", "Weekly <digest>"),
                "period", Map.of("key", "2026-W49", "start", "2026-11-23", "end", "2026-11-30")), "Hello & welcome");

        assertTrue(body.text().contains("Weekly <digest>, 2026-11-23 to 2026-11-30"), body.text());
        assertTrue(body.text().contains("finance-exceptions: 2 / 2 / 1 / 1 / 1 / 1"), body.text());
        assertTrue(body.text().contains("email: 2 / 2 / 1 / 0"), body.text());
        assertTrue(body.text().contains(DigestFixture.HOSTILE + ": 1 / 1 / 0 / 0"), body.text());
        assertTrue(body.html().contains("Weekly &lt;digest&gt;"), body.html());
        assertTrue(body.html().contains("&lt;b&gt;boris&lt;/b&gt;"), body.html());
        assertTrue(body.html().contains("Hello &amp; welcome"), body.html());
        assertTrue(!body.html().contains("<b>boris"), body.html());
        assertTrue(body.html().contains("<td>finance-exceptions</td><td align=\"right\">2</td>"), body.html());
    }

    // ---- the expectation, figure by figure, with SQL of its own -------------------------------------------------

    private Digest.QueueActivity expectedActivity(String queue) {
        Map<String, Object> q = Map.of("q", queue);
        String items = "SELECT COUNT(*) FROM workflow_item WHERE queue = :q AND ";
        return new Digest.QueueActivity(queue,
                count(items + "created_at >= :s AND created_at < :e", q),
                count(items + "state IN ('RESOLVED', 'CLOSED') AND updated_at >= :s AND updated_at < :e", q),
                count(items + "sla_breached_at >= :s AND sla_breached_at < :e", q),
                count("SELECT COUNT(*) FROM workflow_event WHERE type = 'delivery.escalated' AND occurred_at >= :s "
                        + "AND occurred_at < :e AND item_id IN (SELECT id FROM workflow_item WHERE queue = :q)", q),
                count("SELECT COUNT(*) FROM approval WHERE decided_at >= :s AND decided_at < :e "
                        + "AND item_id IN (SELECT id FROM workflow_item WHERE queue = :q)", q),
                count("SELECT COUNT(*) FROM delivery WHERE status = 'FAILED' AND updated_at >= :s AND updated_at < :e "
                        + "AND item_id IN (SELECT id FROM workflow_item WHERE queue = :q)", q));
    }

    private Digest.MailboxExceptions expectedExceptions(String mailbox) {
        Map<String, Object> m = Map.of("m", mailbox);
        return new Digest.MailboxExceptions(mailbox,
                count("SELECT COUNT(*) FROM mail_message WHERE mailbox_id = :m AND status = 'QUARANTINED' "
                        + "AND ingested_at >= :s AND ingested_at < :e", m),
                count("SELECT COUNT(*) FROM workflow_event WHERE mailbox_id = :m AND type = 'connection.broken' "
                        + "AND occurred_at >= :s AND occurred_at < :e", m));
    }

    /** Per channel or per person (column), the deliveries sent in the period about items of these queues. */
    private List<Digest.Engagement> expectedEngagement(String column, List<String> queues) {
        String of = " FROM delivery WHERE status IN ('SENT', 'DELIVERED') AND created_at >= :s AND created_at < :e"
                + " AND item_id IN (SELECT id FROM workflow_item WHERE queue IN (:queues))";
        List<String> names = db.jdbc().queryForList("SELECT DISTINCT " + column + of + " ORDER BY " + column,
                params(Map.of("queues", queues)), String.class);
        List<Digest.Engagement> out = new ArrayList<>();
        for (String name : names) {
            Map<String, Object> p = Map.of("queues", queues, "name", name);
            String where = of + " AND " + column + " = :name";
            out.add(new Digest.Engagement(name, count("SELECT COUNT(*)" + where, p),
                    count("SELECT COUNT(*)" + where + " AND opened_at IS NOT NULL", p),
                    count("SELECT COUNT(*)" + where + " AND acted_at IS NOT NULL", p),
                    count("SELECT COUNT(*)" + where + " AND ignored_at IS NOT NULL", p)));
        }
        return out;
    }

    private long count(String sql, Map<String, Object> values) {
        return db.jdbc().queryForObject(sql, params(values), Long.class);
    }

    private static MapSqlParameterSource params(Map<String, Object> values) {
        return new MapSqlParameterSource(values).addValue("s", Timestamp.from(START)).addValue("e", Timestamp.from(END));
    }

    private Digest render(String address, DigestSource source) throws Exception {
        RenderedDocument document = digests.render(report(), source, WEEK, address, dir);
        Digest digest = mail.read(document.file());
        assertEquals(digest.lines(), document.rows());
        assertTrue(Set.of(ANNA, BORIS, CARL).contains(address));
        return digest;
    }

    private static io.mailroute.reports.ReportDefinition report() {
        return DigestRunTest.config(Path.of("config", "templates")).report("weekly-digest").orElseThrow();
    }
}
