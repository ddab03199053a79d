package io.mailroute.reports.links;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportRun;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.ReportsFile;
import io.mailroute.reports.RunRecipient;
import io.mailroute.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The report link pages on an in-memory H2 with the real run ledger, signed links and templates, and a document store
 * in a test's directory: report {@value #REPORT} (owner {@value #OWNER}, acknowledge within 2 days) has one run for
 * {@value #PERIOD}, its PDF generated and stored, sent to the given addresses. Links are issued and recorded as the
 * spine does.
 */
final class ReportPagesFixture implements AutoCloseable {

    static final String REPORT = "weekly-status";
    static final String PERIOD = "2026-W48";
    static final String OWNER = "ops-lead@acme.example";

    final Database db;
    final EventLog events;
    final ReportRuns runs;
    final ReportFiles files;
    final SignedLinks links;
    final ReportLinks reportLinks;
    final ReportLinkRevocations revocations;
    final ReportDownloads downloads;
    final ReportPages pages;
    final long runId;
    private final Clock clock;

    /**
     * @param title    the report's title in reports.yaml
     * @param document the run's document (a PDF)
     * @param linkPort the port the links point to
     */
    ReportPagesFixture(Path dir, Clock clock, String title, byte[] document, List<String> addresses, int linkPort)
            throws IOException {
        this.clock = clock;
        db = TestDatabases.h2("report-pages");
        events = new EventLog(db, Json.newMapper(), clock);
        runs = new ReportRuns(db, events, clock);
        files = new ReportFiles(dir.resolve("reports"));
        links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(linkPort), db, clock);
        reportLinks = new ReportLinks(links, clock);
        revocations = new ReportLinkRevocations(db, clock);
        downloads = new ReportDownloads(db);
        Path config = dir.resolve("reports.yaml");
        Files.writeString(config, """
                reports:
                  - id: %s
                    title: '%s'
                    owner: %s
                    mailbox: support
                    schedule: {cron: "0 0 7 ? * MON", zone: Europe/Berlin}
                    source: {type: sql, query: "SELECT 1 AS one"}
                    format: pdf
                    recipients: [ops@acme.example]
                    delivery: link
                    acknowledgeWithin: 2d
                    subject: "Weekly status {{period}}"
                    body: "Your weekly status."
                """.formatted(REPORT, title.replace("'", "''"), OWNER));
        pages = new ReportPages(ReportsFile.load(config), runs, files, revocations, downloads, links, db,
                new Pages(), clock);
        runId = distributed(store(document, "pdf"), document.length, addresses);
    }

    /** A download link as the spine sends it: issued for 7 days, its id recorded with the recipient; the token. */
    String sendDownloadLink(String address, boolean oneTime) {
        ReportLinks.Issued issued = reportLinks.download(runId, address, clock.instant().plus(Duration.ofDays(7)), oneTime);
        db.jdbc().update("UPDATE report_recipient SET link_id = :linkId WHERE run_id = :runId AND address = :address",
                Map.of("linkId", issued.linkId(), "runId", runId, "address", address));
        return token(issued.url());
    }

    /** An acknowledgement link as the spine sends it: issued for 2 days, its id recorded; the token. */
    String sendAckLink(String address) {
        ReportLinks.Issued issued = reportLinks.acknowledge(runId, address, clock.instant().plus(Duration.ofDays(2)));
        db.jdbc().update("UPDATE report_recipient SET ack_link_id = :linkId WHERE run_id = :runId AND address = :address",
                Map.of("linkId", issued.linkId(), "runId", runId, "address", address));
        return token(issued.url());
    }

    /** Puts a document in the store as the renderer would; its content address. */
    String store(byte[] bytes, String format) throws IOException {
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path path = files.path(sha, format);
        Files.createDirectories(path.getParent());
        Files.write(path, bytes);
        return sha;
    }

    /** The CSRF token the page of a genuine link carries (also of one used up or expired since the page was opened). */
    String csrf(String token, String purpose) {
        LinkCheck check = links.verify(token, purpose);
        SignedLink link = check instanceof LinkCheck.Valid valid ? valid.link()
                : ((LinkCheck.Refused) check).link().orElseThrow(() -> new AssertionError("not a genuine link: " + check));
        return links.csrfToken(link);
    }

    static String token(String url) {
        String query = URI.create(url).getRawQuery();
        assertTrue(query.startsWith("t="), url);
        return query.substring(2);
    }

    @Override
    public void close() {
        db.close();
    }

    /** A run generated with this document and sent to these recipients. */
    private long distributed(String sha256, long size, List<String> addresses) {
        ReportRun run = runs.begin(REPORT, PERIOD).run();
        ReportRuns.Claim claim = runs.claim(run.id(), "node-a", Duration.ofMinutes(5)).orElseThrow();
        assertTrue(runs.generating(claim));
        assertTrue(runs.generated(claim, new ReportRun.Document(sha256, size, "pdf")).isPresent());
        runs.plan(run.id(), addresses.stream().map(a -> new RunRecipient.Planned(a, a)).toList());
        for (String address : addresses) {
            String messageId = "<" + Integer.toHexString(address.hashCode()) + "@mailroute.test>";
            assertTrue(runs.prepare(run.id(), address, messageId, null, null).isPresent());
            assertTrue(runs.markSent(run.id(), address, messageId).isPresent());
        }
        assertTrue(runs.done(claim));
        return run.id();
    }
}
