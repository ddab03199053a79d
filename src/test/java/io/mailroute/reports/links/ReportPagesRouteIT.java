package io.mailroute.reports.links;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.events.Event;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.PageRoutes;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code routes/reports-pages.camel.yaml} in Camel Main with the real {@code config/application.properties}
 * (its HTTP server on a free loopback port) and the real pages on an in-memory H2: a browser's GET shows the page, its
 * form's POST gets the document (larger than Camel's stream cache, streamed from the store) as an attachment with the
 * pages' headers, and the download is recorded with the TCP peer's address. The bus ({@code direct:events-publish})
 * is a list.
 */
class ReportPagesRouteIT {

    private static final String RECIPIENT = "a.recipient@acme.example";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T06:00:00Z"));
    private final List<Event> published = new CopyOnWriteArrayList<>();
    private final HttpClient browser = HttpClient.newHttpClient();
    private ReportPagesFixture fixture;
    private byte[] pdf;
    private Main main;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        pdf = new byte[600 * 1024];
        new Random(14).nextBytes(pdf);
        port = PageRoutes.freeLoopbackPort();
        fixture = new ReportPagesFixture(dir, clock, "Weekly status", pdf, List.of(RECIPIENT), port);

        main = PageRoutes.start(port, "reports-pages.camel.yaml", "reportPages", fixture.pages, published);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (main != null) {
            main.stop();
        }
        fixture.close();
    }

    @Test
    void thePageShowsAndItsFormDownloadsTheDocumentAsAnAttachmentRecorded() throws Exception {
        String token = fixture.sendDownloadLink(RECIPIENT, true);

        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/p/reports/download?t=" + token)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("<h1>Weekly status</h1>"), page.body());
        assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null));
        assertEquals(0, fixture.downloads.of(fixture.runId).size(), "a GET records nothing");

        String form = "t=" + token + "&csrf=" + URLEncoder.encode(fixture.csrf(token, ReportLinks.DOWNLOAD), StandardCharsets.UTF_8);
        HttpResponse<byte[]> file = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/p/reports/download")).header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "ReportPagesRouteIT/1").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, file.statusCode(), () -> new String(file.body(), StandardCharsets.UTF_8));
        assertArrayEquals(pdf, file.body());
        assertEquals("application/pdf", file.headers().firstValue("Content-Type").orElse(null));
        assertEquals("attachment; filename=\"weekly-status-2026-W48.pdf\"", file.headers().firstValue("Content-Disposition")
                .orElse(null));
        assertEquals("nosniff", file.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertEquals("no-store", file.headers().firstValue("Cache-Control").orElse(null));
        assertEquals(List.of(new ReportDownloads.Download(RECIPIENT, clock.instant(), "ReportPagesRouteIT/1", "127.0.0.1")),
                fixture.downloads.of(fixture.runId));
        assertEquals(List.of("report.downloaded"), published.stream().map(Event::type).toList(), "published on the bus");

        HttpResponse<String> again = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/p/reports/download")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(410, again.statusCode());
        assertTrue(again.body().contains("already used on"), again.body());
    }
}
