package io.mailroute.reports.sources;

import static io.mailroute.reports.sources.SourceFixtures.WEEK;
import static io.mailroute.reports.sources.SourceFixtures.config;
import static io.mailroute.reports.sources.SourceFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.HttpSource;
import io.mailroute.reports.ReportDefinition.TableFormat;
import io.mailroute.reports.render.DocumentFormat;
import io.mailroute.reports.render.Documents;
import io.mailroute.testing.TestDatabases;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http sources against an HTTP server in this JVM on 127.0.0.1: JSON and CSV read, bad answers named. */
class HttpSourcesTest {

    /** A small cap, so that a body "too large" is small too. */
    private static final long CAP = 64 * 1024;

    private static HttpServer server;
    private static Database db;
    private static ReportSources sources;

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        answer("/invoices.json", 200, "application/json", """
                [{"no": 1, "customer": "Acme", "total": 10.50, "paid": true, "lines": [{"sku": "A"}]},
                 {"no": 2, "total": 2E3, "paid": false, "customer": null},
                 {"customer": "<b>Bolt</b>", "no": 3}]
                """);
        answer("/empty.json", 200, "application/json", " [ ] ");
        answer("/invoices.csv", 200, "text/csv; charset=utf-8", "\uFEFFno,customer,note\r\n1,Acme,\"says \"\"hi\"\", twice\"\r\n"
                + "\r\n2,Bolt,\"two\r\nlines\"\r\n");
        answer("/latin1.csv", 200, "text/csv; charset=ISO-8859-1", "name\nM\u00fcller\n");
        answer("/bad-syntax.json", 200, "application/json", "[{\"no\": 1, \"total\": 5},\n {\"no\": 2, \"total\": }]");
        answer("/new-key.json", 200, "application/json", "[{\"no\": 1},\n{\"no\": 2},\n{\"no\": 3, \"total\": 7}]");
        answer("/not-array.json", 200, "application/json", "{\"rows\": []}");
        answer("/short-row.csv", 200, "text/csv", "no,customer\n1,\"Acme\nCorp\"\n2\n3,Bolt\n");
        answer("/failing", 500, "text/plain", "Internal error: the export database is locked\n" + "x".repeat(400));
        answer("/moved", 302, "text/plain", "", "Location", "/invoices.json");
        answer("/away", 302, "text/plain", "", "Location", "http://localhost:" + server.getAddress().getPort() + "/invoices.json");
        server.createContext("/huge.csv", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, 0); // chunked: no length to refuse it by
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("n\n".getBytes(StandardCharsets.US_ASCII));
                byte[] row = "123456789\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 2 * CAP / row.length; i++) {
                    out.write(row);
                }
            } catch (IOException e) {
                // the client stopped reading at the cap
            }
        });
        answer("/huge-declared.json", 200, "application/json", "[" + "{\"n\": 1},".repeat((int) (CAP / 9)) + "{\"n\": 1}]");
        server.start();
        db = TestDatabases.h2("report-http-sources");
        sources = new ReportSources(db, config(Map.of()), name -> null, ReportSources.httpClient(), Clock.systemUTC(), CAP);
    }

    @AfterAll
    static void stop() {
        sources.close();
        db.close();
        server.stop(0);
    }

    private static void answer(String path, int status, String type, String body, String... headers) {
        byte[] bytes = body.getBytes(type.contains("ISO-8859-1") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        server.createContext(path, exchange -> respond(exchange, status, type, bytes, headers));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body, String... headers)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) {
            exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // the client stopped reading
        }
    }

    private static ReportDefinition http(String path, TableFormat format) {
        return report("feed", new HttpSource(url(path), format));
    }

    private static URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static List<List<String>> read(String path, TableFormat format) throws Exception {
        return sources.read(http(path, format), WEEK, null, SourceFixtures::all);
    }

    private static String failure(String path, TableFormat format) {
        return assertThrows(SourceException.class, () -> read(path, format)).getMessage();
    }

    @Test
    void aJsonArrayOfObjectsIsATableWhoseColumnsAreTheFirstObjectsKeys() throws Exception {
        assertEquals(List.of(
                List.of("no", "customer", "total", "paid", "lines"),
                List.of("1", "Acme", "10.50", "yes", "[{\"sku\":\"A\"}]"),
                Arrays.asList("2", null, "2000", "no", null),
                Arrays.asList("3", "<b>Bolt</b>", null, null, null)), read("/invoices.json", TableFormat.JSON));
    }

    @Test
    void anEmptyJsonArrayIsATableWithoutRows() throws Exception {
        assertEquals(List.of(List.of(JsonRows.NO_ROWS)), read("/empty.json", TableFormat.JSON));
    }

    @Test
    void csvWithAByteOrderMarkQuotedCommasQuotesAndLineBreaksIsRead() throws Exception {
        assertEquals(List.of(
                List.of("no", "customer", "note"),
                List.of("1", "Acme", "says \"hi\", twice"),
                List.of("2", "Bolt", "two\r\nlines")), read("/invoices.csv", TableFormat.CSV));
        assertEquals(List.of(List.of("name"), List.of("M\u00fcller")), read("/latin1.csv", TableFormat.CSV));
    }

    @Test
    void aRedirectIsFollowedOnTheSameHostOnly() throws Exception {
        assertEquals(4, read("/moved", TableFormat.JSON).size());

        String message = failure("/away", TableFormat.JSON);
        assertTrue(message.startsWith("report 'feed': the GET of " + url("/away") + " (source.url, line 9, report 'feed', "
                + "source.url) was redirected (302) to http://localhost:"), message);
        assertTrue(message.contains("a report follows redirects on its own host only"), message);
    }

    @Test
    void malformedJsonNamesTheLineAndRow() {
        String message = failure("/bad-syntax.json", TableFormat.JSON);
        assertTrue(message.startsWith("report 'feed': the JSON answered by " + url("/bad-syntax.json")
                + " is not a JSON array of objects: line 2, column "), message);
        assertTrue(message.contains("(row 2): Unexpected character"), message);
        assertTrue(message.endsWith("Have the system behind the URL fix its answer (or correct source.url), then run the report again"),
                message);

        assertTrue(failure("/new-key.json", TableFormat.JSON).contains("row 3 has the key \"total\", which the first object "
                + "does not have: the first object's keys are the columns [no]"));
        assertTrue(failure("/not-array.json", TableFormat.JSON).contains("it starts with an object where an array of objects"));
    }

    @Test
    void aCsvRowWithAnotherNumberOfFieldsNamesItsLine() {
        assertEquals("report 'feed': the CSV answered by " + url("/short-row.csv") + ": line 4 has 1 field but the header "
                + "line has 2 columns (a value with a comma must be in double quotes). Have the system behind the URL fix its "
                + "answer (or correct source.url), then run the report again", failure("/short-row.csv", TableFormat.CSV));
    }

    @Test
    void aFailureFoundWhileRenderingIsTheSourcesAndLeavesNoDocument(@TempDir Path out) {
        Path file = out.resolve("feed.pdf");

        SourceException e = assertThrows(SourceException.class, () -> sources.read(http("/short-row.csv", TableFormat.CSV),
                WEEK, null, table -> new Documents(Clock.systemUTC()).render(table, DocumentFormat.PDF, file)));

        assertTrue(e.getMessage().contains(": line 4 has 1 field"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void anAnswerOtherThan2xxNamesItsStatusAndTheStartOfItsBody() {
        String message = failure("/failing", TableFormat.CSV);

        assertTrue(message.startsWith("report 'feed': the GET of " + url("/failing") + " (source.url, line 9, report 'feed', "
                + "source.url) answered HTTP 500: \"Internal error: the export database is locked " + "x".repeat(154) + "...\""),
                message);
    }

    @Test
    void anAnswerLargerThanTheCapIsRefusedWithOrWithoutItsLength() {
        assertTrue(failure("/huge.csv", TableFormat.CSV).startsWith("report 'feed': the CSV answered by " + url("/huge.csv")
                + " is larger (more than 65536 bytes) than the 65536 bytes a report reads"));
        assertTrue(failure("/huge-declared.json", TableFormat.JSON).contains("'s answer is larger ("));
    }

    @Test
    void theClientMustNotFollowRedirectsItself() {
        assertThrows(IllegalArgumentException.class, () -> new ReportSources(db, config(Map.of()), name -> null,
                java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.ALWAYS).build(),
                Clock.systemUTC()));
    }
}
