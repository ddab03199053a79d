package io.mailroute.reports.links;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.FormFields;
import io.mailroute.pages.Page;
import io.mailroute.reports.ReportFiles;
import io.mailroute.reports.ReportRun;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.RunRecipient;
import io.mailroute.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report download and acknowledgement pages on an in-memory H2 with the real run ledger, signed links, templates
 * and a document store in a temporary directory; no server, no browser.
 */
class ReportPagesTest {

    private static final Instant T0 = Instant.parse("2026-11-23T06:00:00Z");
    private static final String HOSTILE = "<script>alert(1)</script>\"'";
    private static final String ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;";
    /** Allowed in an address, and each must still be escaped on a page. */
    private static final String RECIPIENT = "o'brien&x=`y@acme.example";
    private static final String OTHER = "b.other@acme.example";
    private static final String PERIOD = ReportPagesFixture.PERIOD;
    private static final byte[] PDF = "%PDF-1.7 the team's report\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
    private static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) " + "x".repeat(600);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private ReportPagesFixture fixture;
    private Database db;
    private EventLog events;
    private ReportRuns runs;
    private ReportFiles files;
    private SignedLinks links;
    private ReportLinks reportLinks;
    private ReportLinkRevocations revocations;
    private ReportDownloads downloads;
    private ReportPages pages;
    private long runId;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ReportPagesFixture(dir, clock, HOSTILE + " weekly status", PDF, List.of(RECIPIENT, OTHER), 8080);
        db = fixture.db;
        events = fixture.events;
        runs = fixture.runs;
        files = fixture.files;
        links = fixture.links;
        reportLinks = fixture.reportLinks;
        revocations = fixture.revocations;
        downloads = fixture.downloads;
        pages = fixture.pages;
        runId = fixture.runId;
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    // ---- downloads --------------------------------------------------------------------------------------

    @Test
    void theDownloadPageShowsTheReportEscapedAndChangesNothing() {
        String token = sendDownloadLink(RECIPIENT, true);

        Page page = pages.showDownload(token);
        Page again = pages.showDownload(token);

        assertEquals(200, page.status(), page.html());
        String html = page.html();
        assertFalse(html.contains("<script"), html);
        assertTrue(html.contains("<h1>" + ESCAPED + " weekly status</h1>"), "the title, escaped: " + html);
        assertTrue(html.contains("<dd>" + PERIOD + "</dd>"), html);
        assertTrue(html.contains("<dd>PDF</dd>"), html);
        assertTrue(html.contains("<dd>" + PDF.length + " bytes</dd>"), html);
        assertTrue(html.contains("o&#39;brien&amp;x&#61;&#96;y@acme.example"), "the recipient, escaped: " + html);
        assertTrue(html.contains("<form class=\"card download\" method=\"post\" action=\"download\">"), html);
        assertTrue(html.contains("name=\"csrf\" value=\"" + csrf(token, ReportLinks.DOWNLOAD) + "\""), html);
        assertTrue(html.contains("This link works for one download."), html);
        assertEquals(page, again, "a GET reads only, so a one-time link shows again");
        assertEquals(0, count("report_download"));
        assertEquals(0, count("link_use"));
        assertEquals(RunRecipient.Status.SENT, status(RECIPIENT));
        assertEquals(0, logged("report.downloaded"));
    }

    @Test
    void aPostWithoutTheFormsCsrfTokenIsRefusedAndChangesNothing() throws IOException {
        String token = sendDownloadLink(RECIPIENT, true);
        String othersCsrf = csrf(sendDownloadLink(OTHER, true), ReportLinks.DOWNLOAD);

        for (String csrf : new String[] {null, "", othersCsrf, csrf(token, ReportLinks.DOWNLOAD) + "x"}) {
            ReportPages.Answer answer = pages.submitDownload(form(token, csrf), USER_AGENT, "127.0.0.1");
            assertNull(answer.document(), "no document for csrf " + csrf);
            assertEquals(403, answer.page().status(), answer.page().html());
            assertTrue(answer.page().html().contains("This download was not asked for from its page"), answer.page().html());
            assertEquals(List.of(), answer.events());
        }
        assertEquals(0, count("report_download"));
        assertEquals(0, count("link_use"));
        assertEquals(RunRecipient.Status.SENT, status(RECIPIENT));

        ReportPages.Answer answer = download(token);
        assertArrayEquals(PDF, read(answer), "the one-time link still works after the refused POSTs");
    }

    @Test
    void aDownloadAnswersTheDocumentAndIsRecordedTheFirstMakingTheRecipientDownloadedOnce() throws IOException {
        String token = sendDownloadLink(RECIPIENT, false);

        ReportPages.Answer first = download(token);

        assertNull(first.page());
        assertArrayEquals(PDF, read(first));
        assertEquals("application/pdf", first.document().contentType());
        assertEquals("weekly-status-" + PERIOD + ".pdf", first.document().fileName());
        assertEquals(List.of("report.downloaded"), first.events().stream().map(Event::type).toList());
        assertEquals(RunRecipient.Status.DOWNLOADED, status(RECIPIENT));
        assertEquals(T0, runs.recipient(runId, RECIPIENT).orElseThrow().downloadedAt());
        assertEquals(RunRecipient.Status.SENT, status(OTHER), "only the link's own recipient");

        clock.advance(Duration.ofHours(1));
        ReportPages.Answer second = download(token);

        assertArrayEquals(PDF, read(second), "a link that is not one-time downloads again");
        assertEquals(List.of(), second.events(), "the first download only is an event");
        assertEquals(1, logged("report.downloaded"));
        assertEquals(RunRecipient.Status.DOWNLOADED, status(RECIPIENT));
        List<ReportDownloads.Download> recorded = downloads.of(runId);
        assertEquals(2, recorded.size(), "every download is recorded: " + recorded);
        assertEquals(new ReportDownloads.Download(RECIPIENT, T0, USER_AGENT.substring(0, 500), "127.0.0.1"), recorded.get(0));
        assertEquals(T0.plus(Duration.ofHours(1)), recorded.get(1).downloadedAt());
    }

    @Test
    void aOneTimeLinkDownloadsOnceThenSaysWhenItWasUsed() throws IOException {
        String token = sendDownloadLink(RECIPIENT, true);
        assertArrayEquals(PDF, read(download(token)));
        clock.advance(Duration.ofMinutes(5));

        ReportPages.Answer second = download(token);

        assertNull(second.document());
        assertEquals(410, second.page().status());
        assertTrue(second.page().html().contains("it was already used on 2026-11-23 06:00 UTC"), second.page().html());
        assertTrue(second.page().html().contains("Ask the report&#39;s owner (ops-lead@acme.example) for a new link."),
                second.page().html());
        assertEquals(410, pages.showDownload(token).status(), "the page says so too");
        assertEquals(1, count("report_download"));
    }

    @Test
    void anExpiredLinkIsRefusedWithAPageThatSaysWhen() {
        String token = sendDownloadLink(RECIPIENT, true);
        clock.advance(Duration.ofDays(7));

        Page page = pages.showDownload(token);
        ReportPages.Answer posted = download(token);

        assertEquals(410, page.status());
        assertTrue(page.html().contains("expired on 2026-11-30 06:00 UTC"), page.html());
        assertTrue(page.html().contains("for a new link"), page.html());
        assertEquals(410, posted.page().status());
        assertNull(posted.document());
        assertEquals(0, count("report_download"));
        assertEquals(RunRecipient.Status.SENT, status(RECIPIENT));
    }

    @Test
    void aTamperedOrForeignTokenIsRefusedWithThePageOfRefusedLinks() {
        String token = sendDownloadLink(RECIPIENT, false);
        int middle = token.length() / 2;
        String tampered = token.substring(0, middle) + (token.charAt(middle) == 'A' ? 'B' : 'A') + token.substring(middle + 1);

        for (String bad : new String[] {tampered, "not a token", null, sendAckLink(RECIPIENT)}) {
            Page page = pages.showDownload(bad);
            assertEquals(400, page.status(), page.html());
            assertTrue(page.html().contains("This link cannot be used"), page.html());
            ReportPages.Answer posted = pages.submitDownload(form(bad, "x"), USER_AGENT, "127.0.0.1");
            assertEquals(400, posted.page().status());
            assertNull(posted.document());
        }
        assertTrue(pages.showDownload(tampered).html().contains("it was changed after it was sent"));
        assertEquals(0, count("report_download"));
    }

    @Test
    void aRevokedRunsLinksAreRefusedOnEveryPage() {
        String download = sendDownloadLink(RECIPIENT, true);
        String ack = sendAckLink(RECIPIENT);
        String csrf = csrf(download, ReportLinks.DOWNLOAD);
        clock.advance(Duration.ofHours(2));

        assertTrue(revocations.revoke(runId, "ops-lead"));
        assertFalse(revocations.revoke(runId, "someone-else"), "once");
        assertEquals(new ReportLinkRevocations.Revocation(T0.plus(Duration.ofHours(2)), "ops-lead"),
                revocations.of(runId).orElseThrow());

        for (Page page : List.of(pages.showDownload(download), pages.submitDownload(form(download, csrf), null, null).page(),
                pages.showAcknowledge(ack), pages.submitAcknowledge(form(ack, csrf(ack, ReportLinks.ACKNOWLEDGE))).page())) {
            assertEquals(410, page.status(), page.html());
            assertTrue(page.html().contains("was withdrawn by its owner on 2026-11-23 08:00 UTC"), page.html());
        }
        assertEquals(0, count("report_download"));
        assertEquals(0, count("link_use"), "a one-time link is not used up by a refusal");
        assertEquals(RunRecipient.Status.SENT, status(RECIPIENT));
    }

    @Test
    void aDocumentRetentionDeletedIsNoLongerKept() throws IOException {
        String token = sendDownloadLink(RECIPIENT, true);
        ReportRun.Document document = runs.find(runId).orElseThrow().document();
        assertTrue(files.delete(document.sha256(), document.format()));

        Page page = pages.showDownload(token);
        ReportPages.Answer posted = download(token);

        assertEquals(410, page.status());
        assertTrue(page.html().contains("has been deleted: reports are kept for a limited time"), page.html());
        assertEquals(410, posted.page().status());
        assertEquals(0, count("link_use"));
    }

    @Test
    void aRecipientWithADocumentOfTheirOwnGetsThatOne() throws IOException {
        byte[] own = "%PDF-1.7 only the other's rows\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
        String sha = store(own);
        db.jdbc().update("UPDATE report_recipient SET document_sha256 = :sha, document_size = :size WHERE address = :address",
                Map.of("sha", sha, "size", own.length, "address", OTHER));

        assertArrayEquals(own, read(download(sendDownloadLink(OTHER, false))));
        assertArrayEquals(PDF, read(download(sendDownloadLink(RECIPIENT, false))), "the others get the run's");
    }

    @Test
    void theRouteBeanAnswersTheFileAsAnAttachmentWithTheEventsToPublish() throws Exception {
        String token = sendDownloadLink(RECIPIENT, true);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setHeader("CamelVertxPlatformHttpRemoteAddress", "127.0.0.1");
            exchange.getMessage().setHeader(SignedLinks.TOKEN_PARAMETER, "a token in the query is not echoed");

            pages.download(Map.of("t", token, "csrf", csrf(token, ReportLinks.DOWNLOAD)), "curl/8", exchange);

            assertEquals(200, exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE));
            assertEquals("application/pdf", exchange.getMessage().getHeader(Exchange.CONTENT_TYPE));
            assertEquals("attachment; filename=\"weekly-status-2026-W48.pdf\"", exchange.getMessage().getHeader("Content-Disposition"));
            assertEquals("nosniff", exchange.getMessage().getHeader("X-Content-Type-Options"));
            assertEquals("no-store", exchange.getMessage().getHeader("Cache-Control"));
            assertEquals("no-referrer", exchange.getMessage().getHeader("Referrer-Policy"));
            assertNull(exchange.getMessage().getHeader(SignedLinks.TOKEN_PARAMETER));
            try (InputStream body = exchange.getMessage().getBody(InputStream.class)) {
                assertArrayEquals(PDF, body.readAllBytes());
            }
            List<?> published = exchange.getProperty(EventLog.COMMITTED, List.class);
            assertEquals(List.of("report.downloaded"), published.stream().map(e -> ((Event) e).type()).toList());
            assertEquals(new ReportDownloads.Download(RECIPIENT, T0, "curl/8", "127.0.0.1"), downloads.of(runId).get(0));
        }
    }

    @Test
    void anHtmlReportIsSavedNeverShown() throws Exception {
        byte[] html = ("<html><body>" + HOSTILE + "</body></html>").getBytes(StandardCharsets.UTF_8);
        db.jdbc().update("UPDATE report_run SET document_sha256 = :sha, document_format = 'html' WHERE id = :id",
                Map.of("sha", store(html, "html"), "id", runId));

        ReportPages.Answer answer = download(sendDownloadLink(RECIPIENT, false));

        assertArrayEquals(html, read(answer));
        assertEquals("text/html; charset=utf-8", answer.document().contentType());
        assertEquals("weekly-status-" + PERIOD + ".html", answer.document().fileName());
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            String token = sendDownloadLink(RECIPIENT, false);
            pages.download(Map.of("t", token, "csrf", csrf(token, ReportLinks.DOWNLOAD)), null, exchange);
            assertTrue(exchange.getMessage().getHeader("Content-Disposition", String.class).startsWith("attachment;"));
            exchange.getMessage().getBody(InputStream.class).close();
        }
    }

    // ---- acknowledgements -------------------------------------------------------------------------------

    @Test
    void theAcknowledgementPageAsksAndChangesNothing() {
        String token = sendAckLink(RECIPIENT);

        Page page = pages.showAcknowledge(token);

        assertEquals(200, page.status(), page.html());
        String html = page.html();
        assertFalse(html.contains("<script"), html);
        assertTrue(html.contains("Confirm you have received and read <strong>" + ESCAPED + " weekly status</strong> for "
                + PERIOD + "."), html);
        assertTrue(html.contains("<dt>Please confirm by</dt><dd>2026-11-25 06:00 UTC</dd>"), "sent + acknowledgeWithin: " + html);
        assertTrue(html.contains("name=\"csrf\" value=\"" + csrf(token, ReportLinks.ACKNOWLEDGE) + "\""), html);
        assertEquals(RunRecipient.Status.SENT, status(RECIPIENT));
        assertEquals(0, logged("report.acknowledged"));
    }

    @Test
    void anAcknowledgementIsRecordedOnceAndSaysSoAfter() {
        String token = sendAckLink(RECIPIENT);
        assertEquals(403, pages.submitAcknowledge(form(token, null)).page().status(), "not without the page's CSRF token");
        assertEquals(403, pages.submitAcknowledge(form(token, csrf(sendAckLink(OTHER), ReportLinks.ACKNOWLEDGE))).page().status());
        assertEquals(RunRecipient.Status.SENT, status(RECIPIENT));

        ReportPages.Answer first = pages.submitAcknowledge(ackForm(token));
        clock.advance(Duration.ofHours(3));
        ReportPages.Answer second = pages.submitAcknowledge(ackForm(token));

        assertEquals(200, first.page().status(), first.page().html());
        assertTrue(first.page().html().contains("is recorded"), first.page().html());
        assertEquals(List.of("report.acknowledged"), first.events().stream().map(Event::type).toList());
        assertEquals(RunRecipient.Status.ACKNOWLEDGED, status(RECIPIENT));
        assertEquals(RunRecipient.Status.SENT, status(OTHER));
        assertEquals(200, second.page().status());
        assertTrue(second.page().html().contains("Acknowledged on 2026-11-23 06:00 UTC"), second.page().html());
        assertEquals(List.of(), second.events());
        assertEquals(1, logged("report.acknowledged"));
        assertTrue(pages.showAcknowledge(token).html().contains("Already acknowledged"));
        clock.advance(Duration.ofDays(30));
        assertTrue(pages.showAcknowledge(token).html().contains("Already acknowledged"), "also once the link expired");
    }

    @Test
    void aRecipientWhoseEmailBouncedHasNothingToAcknowledge() {
        String token = sendAckLink(RECIPIENT);
        String messageId = runs.recipient(runId, RECIPIENT).orElseThrow().messageId();
        assertEquals(1, runs.bounced(messageId, T0).size());

        assertEquals(409, pages.showAcknowledge(token).status());
        assertEquals(409, pages.submitAcknowledge(ackForm(token)).page().status());
        assertEquals(RunRecipient.Status.BOUNCED, status(RECIPIENT));
    }

    // ---- links ------------------------------------------------------------------------------------------

    @Test
    void issuedLinksOpenTheirPagesAndNameTheirIds() {
        ReportLinks.Issued download = reportLinks.download(runId, RECIPIENT, T0.plus(Duration.ofDays(7)), true);
        ReportLinks.Issued ack = reportLinks.acknowledge(runId, RECIPIENT, T0.plus(Duration.ofDays(2)));

        assertTrue(download.url().startsWith("http://127.0.0.1:8080/p/reports/download?t="), download.url());
        assertTrue(ack.url().startsWith("http://127.0.0.1:8080/p/reports/ack?t="), ack.url());
        LinkCheck.Valid valid = (LinkCheck.Valid) links.verify(token(download.url()), ReportLinks.DOWNLOAD);
        assertEquals(download.linkId(), valid.link().linkId());
        assertEquals(String.valueOf(runId), valid.link().subjectId());
        assertEquals(RECIPIENT, valid.link().recipient());
        assertTrue(valid.link().singleUse());
        assertFalse(((LinkCheck.Valid) links.verify(token(ack.url()), ReportLinks.ACKNOWLEDGE)).link().singleUse());
        assertEquals(T0.plus(Duration.ofDays(2)), ack.expiresAt());

        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> reportLinks.download(runId, RECIPIENT, T0, false));
        assertTrue(past.getMessage().contains("report run " + runId), past.getMessage());
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    private String sendDownloadLink(String address, boolean oneTime) {
        return fixture.sendDownloadLink(address, oneTime);
    }

    private String sendAckLink(String address) {
        return fixture.sendAckLink(address);
    }

    private String store(byte[] bytes) throws IOException {
        return fixture.store(bytes, "pdf");
    }

    private String store(byte[] bytes, String format) throws IOException {
        return fixture.store(bytes, format);
    }

    private ReportPages.Answer download(String token) {
        return pages.submitDownload(form(token, csrf(token, ReportLinks.DOWNLOAD)), USER_AGENT, "127.0.0.1");
    }

    /** The acknowledgement page's form, as its page filled it. */
    private FormFields ackForm(String token) {
        return form(token, csrf(token, ReportLinks.ACKNOWLEDGE));
    }

    private static FormFields form(String token, String csrf) {
        StringBuilder body = new StringBuilder();
        if (token != null) {
            body.append("t=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        }
        if (csrf != null) {
            body.append("&csrf=").append(URLEncoder.encode(csrf, StandardCharsets.UTF_8));
        }
        return FormFields.parse(body.toString());
    }

    private String csrf(String token, String purpose) {
        return fixture.csrf(token, purpose);
    }

    private static String token(String url) {
        return ReportPagesFixture.token(url);
    }

    private static byte[] read(ReportPages.Answer answer) throws IOException {
        assertNotNull(answer.document(), () -> "a page instead of the document: " + answer.page());
        try (InputStream body = answer.document().body()) {
            return body.readAllBytes();
        }
    }

    private RunRecipient.Status status(String address) {
        return runs.recipient(runId, address).orElseThrow().status();
    }

    private int count(String table) {
        return db.jdbc().queryForObject("SELECT COUNT(*) FROM " + table, Map.of(), Integer.class);
    }

    private int logged(String type) {
        return events.page(0, type, null, 1000).size();
    }
}
