package io.mailroute.it;

import static io.mailroute.testing.TestMail.inbox;
import static io.mailroute.testing.TestMail.part;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import io.mailroute.testing.Browsers;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * Scheduled reports end to end: the packaged service, its database, the delivery pipeline and the real Google client
 * talking to the sandbox; recipients read their mail through the sandbox's Gmail API as any client would.
 */
class ReportsIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final Pattern DOWNLOAD = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/p/reports/download\\?t=[A-Za-z0-9_-]+");
    private static final Pattern ACK = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/p/reports/ack\\?t=[A-Za-z0-9_-]+");
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final String PROPERTIES = """
            mailroute.reports.resume-interval = 500
            mailroute.reports.catch-up-delay = 200
            """;

    @TempDir
    Path work;

    private IntakeFixture world(String reportsYaml, List<String> recipients) throws IOException {
        IntakeFixture world = new IntakeFixture(work, List.of("support"), PROPERTIES);
        Files.writeString(world.configDir.resolve("reports.yaml"), reportsYaml);
        recipients.forEach(address -> world.sandbox.admin().addUser(address, "refresh-" + address));
        return world;
    }

    @Test
    void aPdfReportArrivesWithItsRowsAndItsLinksDownloadOnceAcknowledgeAndRefuseWhenTamperedOrExpired() throws Exception {
        String reports = """
                reports:
                  - id: pack
                    title: Queue pack
                    owner: boss@acme.example
                    mailbox: support
                    schedule: {cron: "0 0 7 ? * MON", zone: Europe/Berlin}
                    source:
                      type: sql
                      query: SELECT subject AS "Subject", from_address AS "From" FROM mail_message WHERE mailbox_id = 'support' ORDER BY subject
                    format: pdf
                    recipients: [team@acme.example]
                    delivery: both
                    oneTimeLink: true
                    acknowledgeWithin: 2d
                    subject: "{{report.title}} for {{period.key}}"
                    body: "Hello,\\n\\nthe pack is attached.\\n"
                  - id: brief
                    owner: boss@acme.example
                    mailbox: support
                    schedule: {cron: "0 0 7 ? * MON", zone: Europe/Berlin}
                    source: {type: sql, query: "SELECT subject AS \\"Subject\\" FROM mail_message ORDER BY subject"}
                    format: csv
                    recipients: [team@acme.example]
                    delivery: link
                    linkLifetime: 4s
                    subject: "Brief {{period.key}}"
                    body: "Behind the link."
                """;
        try (IntakeFixture world = world(reports, List.of())) {
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                for (String subject : List.of("Order 1001 arrived damaged", "Invoice INV-7 question", "Login help please")) {
                    world.insert("support", subject);
                }
                service.await(WAIT, "three messages stored", () -> service.events("message.received").size() == 3);

                // a dry run renders and sends nothing
                Path out = work.resolve("dry");
                ServiceProcess.CommandResult dry = service.run("reports", "run", "pack", "--dry-run", out.toString());
                assertEquals(0, dry.exit(), dry.output());
                try (var files = Files.list(out)) {
                    Path pdf = files.findFirst().orElseThrow();
                    assertTrue(pdfText(Files.readAllBytes(pdf)).contains("Invoice INV-7 question"), dry.output());
                }
                assertEquals(0, service.api("/api/reports/pack/runs").path("runs").size(), "a dry run records nothing");

                HttpResponse<String> ran = service.request("POST", "/api/reports/pack/runs", "{}");
                assertEquals(201, ran.statusCode(), ran.body());
                assertEquals("DONE", JSON.readTree(ran.body()).path("state").asText(), ran.body());
                HttpResponse<String> again = service.request("POST", "/api/reports/pack/runs", "{}");
                assertEquals(200, again.statusCode(), "the period exists: " + again.body());

                Gmail team = world.gmailClientFor(IntakeFixture.TEAM);
                service.await(WAIT, "the report in team@'s inbox", () -> inbox(team).size() == 1);
                MimeMessage mail = inbox(team).get(0);
                assertTrue(mail.getSubject().startsWith("Queue pack for 20"), mail.getSubject());
                byte[] attached = part(mail, "application/pdf").orElseThrow(() -> new AssertionError("no PDF attached"));
                String text = pdfText(attached);
                for (String row : List.of("Queue pack", "Order 1001 arrived damaged", "Invoice INV-7 question", "Login help please",
                        "Page 1 of 1")) {
                    assertTrue(text.contains(row), row + " in:\n" + text);
                }
                String body = new String(part(mail, "text/plain").orElseThrow(), StandardCharsets.UTF_8);
                String download = find(DOWNLOAD, body);
                String ack = find(ACK, body);
                service.await(WAIT, "SENT", () -> "SENT".equals(recipient(service, "pack").path("status").asText()));

                // the download page shows and changes nothing; its form downloads the same PDF once
                HttpResponse<String> page = get(download);
                assertEquals(200, page.statusCode(), page.body());
                assertEquals("no-store", page.headers().firstValue("Cache-Control").orElse(null));
                assertEquals("SENT", recipient(service, "pack").path("status").asText(), "a GET records nothing");
                HttpResponse<byte[]> file = post(download, Map.of("t", token(download), "csrf", csrf(page.body())));
                assertEquals(200, file.statusCode());
                assertEquals("application/pdf", file.headers().firstValue("Content-Type").orElse(""));
                assertTrue(file.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"));
                assertArrayEquals(attached, file.body(), "the download is the attached document");
                JsonNode downloaded = recipient(service, "pack");
                assertEquals("DOWNLOADED", downloaded.path("status").asText(), downloaded.toString());
                assertEquals(1, downloaded.path("downloads").asInt());
                assertEquals(1, service.events("report.downloaded").size());
                HttpResponse<byte[]> twice = post(download, Map.of("t", token(download), "csrf", csrf(page.body())));
                assertEquals(410, twice.statusCode(), "a one-time link works once");
                assertTrue(new String(twice.body(), StandardCharsets.UTF_8).contains("already been used"));

                // a tampered link is refused with a page
                String token = token(download);
                String tampered = download.replace(token, token.substring(0, 30) + (token.charAt(30) == 'A' ? 'B' : 'A')
                        + token.substring(31));
                HttpResponse<String> refused = get(tampered);
                assertEquals(400, refused.statusCode());
                assertTrue(refused.body().contains("<h1>") && !refused.body().contains("csrf"), refused.body());

                // the acknowledgement, in a real browser: the page asks, the confirmation records it once
                WebDriver browser = Browsers.headlessChromium();
                try {
                    browser.get(ack);
                    assertTrue(browser.getTitle().startsWith("Confirm: Queue pack"), browser.getTitle());
                    assertEquals("DOWNLOADED", recipient(service, "pack").path("status").asText(), "opening it records nothing");
                    Browsers.clickAndLoad(browser, browser.findElement(By.cssSelector("form.acknowledge button[type=submit]")));
                    assertEquals("Thank you", browser.findElement(By.tagName("h1")).getText());
                    browser.get(ack);
                    assertEquals("Already acknowledged", browser.findElement(By.tagName("h1")).getText());
                } finally {
                    browser.quit();
                }
                assertEquals("ACKNOWLEDGED", recipient(service, "pack").path("status").asText());
                assertEquals(1, service.events("report.acknowledged").size());

                // a link past its lifetime is refused with a page
                assertEquals(201, service.request("POST", "/api/reports/brief/runs", "{}").statusCode());
                service.await(WAIT, "the brief in team@'s inbox", () -> inbox(team).size() == 2);
                MimeMessage brief = inbox(team).stream().filter(m -> subject(m).startsWith("Brief")).findFirst().orElseThrow();
                assertTrue(part(brief, "text/csv").isEmpty(), "delivery: link attaches nothing");
                String briefLink = find(DOWNLOAD, new String(part(brief, "text/plain").orElseThrow(), StandardCharsets.UTF_8));
                Instant expires = Instant.now().plusSeconds(5);
                while (Instant.now().isBefore(expires)) {
                    Thread.sleep(250);
                }
                HttpResponse<String> expired = get(briefLink);
                assertEquals(410, expired.statusCode(), expired.body());
                assertTrue(expired.body().contains("expired"), expired.body());
                assertEquals(List.of(), service.events("report.failed"));
            }
        }
    }

    @Test
    void eachCustomerGetsAStatementOfTheirOwnRowsAndABounceMarksThatCustomerBounced() throws Exception {
        List<String> customers = List.of("c1@globex.example", "c2@globex.example", "c3@globex.example");
        String reports = """
                reports:
                  - id: statements
                    title: Your statement
                    owner: boss@acme.example
                    mailbox: support
                    schedule: {cron: "0 0 6 1 * ?", zone: Europe/Berlin}
                    source:
                      type: sql
                      query: SELECT subject AS "Subject" FROM mail_message WHERE from_address = :customer ORDER BY subject
                    format: csv
                    recipients: [c1@globex.example, c2@globex.example, c3@globex.example]
                    perRecipient: true
                    recipientParameter: customer
                    subject: "{{report.title}}"
                    body: "Your statement is attached."
                """;
        try (IntakeFixture world = world(reports, customers)) {
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                Map<String, List<String>> rows = new LinkedHashMap<>();
                rows.put("c1@globex.example", List.of("Statement row A1", "Statement row A2"));
                rows.put("c2@globex.example", List.of("Statement row B1"));
                rows.put("c3@globex.example", List.of("Statement row C1", "Statement row C2", "Statement row C3"));
                int n = 0;
                for (Map.Entry<String, List<String>> customer : rows.entrySet()) {
                    for (String subject : customer.getValue()) {
                        world.insertText("support", "From: <" + customer.getKey() + ">\nTo: support@acme.example\nSubject: "
                                + subject + "\nMessage-ID: <row" + (++n) + "@globex.example>\n\nA row.\n");
                    }
                }
                int messages = n;
                service.await(WAIT, "six messages stored", () -> service.events("message.received").size() == messages);
                assertEquals(201, service.request("POST", "/api/reports/statements/runs", "{}").statusCode());

                Map<String, String> messageIds = new LinkedHashMap<>();
                for (String customer : customers) {
                    Gmail gmail = world.gmailClientFor(customer);
                    service.await(WAIT, "the statement for " + customer, () -> inbox(gmail).size() == 1);
                    MimeMessage mail = inbox(gmail).get(0);
                    messageIds.put(customer, mail.getMessageID());
                    String csv = new String(part(mail, "text/csv").orElseThrow(), StandardCharsets.UTF_8);
                    for (Map.Entry<String, List<String>> other : rows.entrySet()) {
                        for (String row : other.getValue()) {
                            assertEquals(other.getKey().equals(customer), csv.contains(row), customer + "'s statement and " + row
                                    + ":\n" + csv);
                        }
                    }
                }
                service.await(WAIT, "all SENT", () -> recipients(service, "statements").stream()
                        .allMatch(r -> "SENT".equals(r.path("status").asText())));

                // c2's mail bounces: Gmail's delivery status notification arrives in support@
                int casesBefore = service.events("case.created").size();
                String original = messageIds.get("c2@globex.example");
                world.insertText("support", """
                        From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
                        To: support@acme.example
                        Subject: Delivery Status Notification (Failure)
                        Message-ID: <dsn-1@mx.google.com>
                        MIME-Version: 1.0
                        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

                        --b1
                        Content-Type: text/plain; charset=UTF-8

                        Your message wasn't delivered to c2@globex.example because the address couldn't be found.
                        --b1
                        Content-Type: message/delivery-status

                        Reporting-MTA: dns; googlemail.com

                        Final-Recipient: rfc822; c2@globex.example
                        Action: failed
                        Status: 5.1.1
                        Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.
                        --b1
                        Content-Type: text/rfc822-headers

                        From: support@acme.example
                        To: c2@globex.example
                        Subject: Your statement
                        Message-ID: %s
                        --b1--
                        """.formatted(original));
                service.await(WAIT, "c2 BOUNCED", () -> recipients(service, "statements").stream()
                        .anyMatch(r -> "c2@globex.example".equals(r.path("address").asText()) && "BOUNCED".equals(r.path("status").asText())));
                assertEquals(1, service.events("report.bounced").size());
                assertEquals(List.of("SENT", "BOUNCED", "SENT"), recipients(service, "statements").stream()
                        .map(r -> r.path("status").asText()).toList());
                service.await(WAIT, "the bounce triaged", () -> service.events("message.received").size() == messages + 1);
                assertEquals(casesBefore, service.events("case.created").size(), "the bounce is no case");
            }
        }
    }

    @Test
    void killedWhileSendingToFiftyRecipientsEveryRecipientEndsWithExactlyOneEmail() throws Exception {
        List<String> recipients = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            recipients.add(String.format("r%02d@globex.example", i));
        }
        String reports = """
                reports:
                  - id: fifty
                    title: Fifty
                    owner: boss@acme.example
                    mailbox: support
                    schedule: {cron: "0 0 7 ? * MON", zone: Europe/Berlin}
                    source: {type: sql, query: "SELECT 1 AS \\"One\\""}
                    format: csv
                    recipients: [%s]
                    subject: "Fifty"
                    body: "One of fifty."
                """.formatted(String.join(", ", recipients));
        try (IntakeFixture world = world(reports, recipients)) {
            world.sandbox.admin().setFaults(0, 500, 150); // every Gmail call takes a while: the kill lands mid-way
            try (ServiceProcess first = world.service().start().awaitUp(WAIT)) {
                assertEquals(201, first.request("POST", "/api/reports/fifty/runs", "{}").statusCode());
                first.await(WAIT, "some sent", () -> recipients(first, "fifty").stream()
                        .filter(r -> "SENT".equals(r.path("status").asText())).count() >= 5);
                first.kill();
            }
            world.sandbox.admin().setFaults(0, 500, 0);
            int beforeRestart = sentTo(world, recipients);
            assertTrue(beforeRestart < 50, "the kill landed before the last email: " + beforeRestart);
            try (ServiceProcess second = world.service().start().awaitUp(WAIT)) {
                second.await(WAIT, "every recipient SENT", () -> recipients(second, "fifty").stream()
                        .filter(r -> "SENT".equals(r.path("status").asText())).count() == 50);
                for (String address : recipients) {
                    List<MimeMessage> inbox = inbox(world.gmailClientFor(address));
                    assertEquals(1, inbox.size(), address + " got " + inbox.size() + " emails");
                }
                assertEquals(1, second.api("/api/reports/fifty/runs").path("runs").size());
                assertEquals(50, second.events("report.sent").size(), "one report.sent per recipient");
            }
        }
    }

    @Test
    void aScheduleMissedTwiceWhileStoppedRunsOnceAtStartUpForItsLastFiring() throws Exception {
        String reports = """
                reports:
                  - id: minutely
                    owner: boss@acme.example
                    mailbox: support
                    schedule: {cron: "0 * * * * ?", zone: UTC, period: minute}
                    source: {type: sql, query: "SELECT 1 AS \\"One\\""}
                    format: csv
                    recipients: [team@acme.example]
                    subject: "Minutely {{period.key}}"
                    body: "Each minute."
                """;
        DateTimeFormatter minute = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC);
        try (IntakeFixture world = world(reports, List.of())) {
            Instant stopped;
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                service.await(WAIT, "the schedule registered", () -> service.log().contains("report-schedule-minutely"));
                stopped = Instant.now();
            }
            Instant firstMissed = stopped.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
            Instant lastMissed = firstMissed.plus(Duration.ofMinutes(1));
            while (Instant.now().isBefore(lastMissed.plusSeconds(2))) {
                Thread.sleep(500);
            }
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                service.await(WAIT, "the caught-up run of " + minute.format(lastMissed), () -> periods(service)
                        .contains(minute.format(lastMissed)));
                List<String> periods = periods(service);
                assertFalse(periods.contains(minute.format(firstMissed)), "one run for the missed firings, not one each: " + periods);
                assertTrue(service.log().contains("was missed while the service was down; running it once now"), "said so");
                // and the schedule goes on: the next firing runs its own minute
                Instant next = lastMissed.plus(Duration.ofMinutes(1));
                Instant afterStart = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
                Instant regular = next.isAfter(afterStart) ? next : afterStart;
                service.await(WAIT, "the regular firing of " + minute.format(regular), () -> periods(service)
                        .contains(minute.format(regular)));
                service.await(WAIT, "both runs DONE", () -> service.api("/api/reports/minutely/runs").path("runs").findValues("state")
                        .stream().allMatch(state -> "DONE".equals(state.asText())));
            }
        }
    }

    private static List<String> periods(ServiceProcess service) {
        List<String> periods = new ArrayList<>();
        service.api("/api/reports/minutely/runs?limit=50").path("runs").forEach(r -> periods.add(r.path("period").asText()));
        return periods;
    }

    private static int sentTo(IntakeFixture world, List<String> recipients) {
        int sent = 0;
        for (String address : recipients) {
            sent += inbox(world.gmailClientFor(address)).size();
        }
        return sent;
    }

    private static JsonNode recipient(ServiceProcess service, String report) {
        return recipients(service, report).get(0);
    }

    private static List<JsonNode> recipients(ServiceProcess service, String report) {
        List<JsonNode> out = new ArrayList<>();
        service.api("/api/reports/" + report + "/runs").path("runs").path(0).path("recipients").forEach(out::add);
        return out;
    }

    private static String subject(MimeMessage mail) {
        try {
            return mail.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError(e);
        }
    }

    private static String pdfText(byte[] pdf) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    private static String find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), pattern + " in:\n" + text);
        return m.group();
    }

    private static String token(String url) {
        return url.substring(url.indexOf("?t=") + 3);
    }

    private static String csrf(String html) {
        return find(CSRF, html).replaceFirst(".*value=\"", "").replace("\"", "");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> post(String url, Map<String, String> form) throws Exception {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url.substring(0, url.indexOf('?'))))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
