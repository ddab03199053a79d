package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a new user meets it: the packaged jar with the shipped {@code config/} on a fresh data
 * directory (ports of its own). Every seeded message is ingested, nothing is past its SLA, every example
 * of the README's "What the demo shows" answers as the README says, the log is plain text, and what the
 * start wrote to disk is readable by its owner only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoFirstStartIT {

    private static final Duration WAIT = Duration.ofSeconds(300);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path work;

    private ServiceProcess demo;
    private int sandboxPort;
    private int seeded;
    private Instant startedAt;

    @BeforeAll
    void startTheDemoAndLetItSettle() throws Exception {
        try (Stream<Path> files = Files.walk(Path.of("config", "sandbox", "mail"))) {
            seeded = (int) files.filter(p -> p.toString().endsWith(".eml")).count();
        }
        assertTrue(seeded >= 12, "the demo seeds about a dozen messages, found " + seeded);
        sandboxPort = ServiceProcess.freePort();
        startedAt = Instant.now();
        demo = new ServiceProcess(Path.of("config"), work.resolve("data"), Map.of(), List.of(
                "-Dmailroute.sandbox.port=" + sandboxPort,
                "-Dmailroute.tokens.key-file=" + work.resolve("keys").resolve("token.key"),
                // the shipped 30 s, shortened so that an SLA check surely runs before the examples (as it would for a reader)
                "-Dmailroute.workflow.sla-check-interval=500",
                // links read as on a reader's machine (the README's examples grep for them); send() maps 8080 to this demo
                "-Dmailroute.links.base-url=http://127.0.0.1:8080/")).start();
        demo.awaitUp(WAIT);
        demo.await(WAIT, seeded + " seeded messages ingested or quarantined",
                () -> demo.events("message.received").size() + demo.events("message.quarantined").size() >= seeded);
        int received = demo.events("message.received").size();
        demo.await(WAIT, "every received message triaged", () -> triageExchanges() >= received);
        double checks = routeExchanges("workflow-sla");
        demo.await(WAIT, "an SLA check that started after every item existed", () -> routeExchanges("workflow-sla") >= checks + 2);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void everySeededMessageIsIngested() throws IOException {
        List<JsonNode> received = demo.events("message.received");
        // no seed must be quarantined (each is small, with ordinary attachments): quarantined ones do not count as ingested
        assertEquals(List.of(), demo.events("message.quarantined"), "no seed is quarantined");
        Set<Long> receivedIds = new HashSet<>();
        received.forEach(e -> receivedIds.add(e.at("/data/messageId").asLong()));
        Set<String> ingested = new HashSet<>();
        demo.api("/api/messages?limit=500").path("items").forEach(m -> {
            if (receivedIds.contains(m.path("id").asLong()) && !"QUARANTINED".equals(m.path("status").asText())) {
                ingested.add(m.path("messageIdHeader").asText().replaceAll("[<>]", ""));
            }
        });
        List<String> seedIds = seedMessageIds();
        assertEquals(seeded, seedIds.size(), "every seed has a Message-ID: " + seedIds);
        assertTrue(ingested.containsAll(seedIds), "every seed ingested: " + seedIds + " in " + ingested);
        Set<String> mailboxes = new HashSet<>();
        received.forEach(e -> mailboxes.add(e.get("mailbox").asText()));
        assertEquals(Set.of("support", "accounts", "hr"), mailboxes);
        assertTrue(received.stream().anyMatch(e -> e.at("/data/attachments").size() > 0), "some seeds have attachments");
        assertTrue(received.stream().anyMatch(e -> "fail".equals(e.at("/data/authentication/dmarc").asText())),
                "the suspicious vendor message fails DMARC");
        assertTrue(demo.log().contains("Gmail sandbox listening on"), demo.log());
        assertTrue(demo.log().contains("bootstrap found"), "the log says what it found");
    }

    @Test
    void nothingIsPastItsSlaAtTheFirstStart() {
        assertEquals(List.of(), demo.events("sla.breached"), "no breach right after the start");
        assertFalse(demo.log().contains("past its SLA"), demo.log());
        JsonNode items = demo.api("/api/items?limit=500").path("items");
        assertTrue(items.size() >= 8, items.toString());
        for (JsonNode item : items) {
            if (item.hasNonNull("slaDueAt")) {
                assertTrue(Instant.parse(item.path("slaDueAt").asText()).isAfter(startedAt),
                        "item " + item.path("itemId") + " was due before the demo started: " + item);
            }
        }
    }

    /** What a reader copies from "What the demo shows" answers 2xx, with what the README says it shows. */
    @Test
    void everyExampleOfTheReadmeAnswersAsItSays() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "What the demo shows");
        List<ReadmeExamples.Curl> curls = ReadmeExamples.curls(section, readmeShellVariables());
        assertTrue(curls.size() >= 10, "the section's curl examples: " + curls);
        answerAsClaimed(curls, claims);
        theCustomerMessagesExamplesAnswerAsTheySay();
    }

    /**
     * "Asking the customer, telling the customer", after the table above (its PATCH names a version of item 1 that these
     * examples must not have changed first): ITEM as the section's first line finds it, a request for information makes
     * the delivery question wait and reaches its sender, and a status update follows.
     */
    private void theCustomerMessagesExamplesAnswerAsTheySay() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "Asking the customer, telling the customer");
        assertTrue(section.contains("ITEM=$(curl -s -H \"Authorization: Bearer $MAILROUTE_TOKEN\" "
                + "'http://127.0.0.1:8080/api/items?category=support/delivery'"), section);
        Map<String, String> variables = new java.util.LinkedHashMap<>(readmeShellVariables());
        variables.put("ITEM", demo.api("/api/items?category=support/delivery").path("items").get(0).path("itemId").asText());
        answerAsClaimed(ReadmeExamples.curls(section, variables), customerClaims);
    }

    /**
     * The "Approvals" examples, run in the order a reader runs them: the demo's PO approval is PENDING with the
     * seeded approver, the approver's decision through the API approves it and its item, a request from another
     * system is made and cancelled.
     */
    @Test
    void theApprovalsExamplesOfTheReadmeAnswerAsTheySay() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "Approvals");
        answerAsClaimed(ReadmeExamples.curls(section, readmeShellVariables()), approvalClaims);
    }

    /**
     * The "Scheduled reports" examples in order: the demo's queue status pack is run now (once), its run lists the
     * team as recipient and reaches SENT, and the list shows the shipped reports with that run.
     */
    @Test
    void theReportsExamplesOfTheReadmeAnswerAsTheySay() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "Scheduled reports");
        answerAsClaimed(ReadmeExamples.curls(section, readmeShellVariables()), reportClaims);
        demo.await(WAIT, "the pack SENT to the team", () -> "SENT".equals(demo.api("/api/reports/weekly-queue-status/runs")
                .path("runs").path(0).path("recipients").path(0).path("status").asText()));
    }

    /**
     * The "Alerts, to the team that owns them" examples in order: another system raises an alert for the demo's
     * finance-exceptions queue (its owners ap-team are told), reports it again worse (told again, once), shows it and
     * resolves it; each step is in the audit trail.
     */
    @Test
    void theAlertsExamplesOfTheReadmeAnswerAsTheySay() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "Alerts, to the team that owns them");
        answerAsClaimed(ReadmeExamples.curls(section, readmeShellVariables()), alertClaims);
    }

    /**
     * The "Engagement" examples in order: the first acknowledgement URL the sandbox's push receivers got (the export
     * line, as a reader's shell runs it), acted on as an app would, and the delivery then listed as ACTED.
     */
    @Test
    void theEngagementExamplesOfTheReadmeAnswerAsTheySay() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "Engagement: opened, acted, ignored");
        Matcher export = Pattern.compile("export ACK_URL=\\$\\(curl -s (\\S+) \\| grep -o '([^']+)' \\| head -1\\)").matcher(section);
        assertTrue(export.find(), "the section says how to get an acknowledgement URL");
        Pattern grep = Pattern.compile(export.group(2).replace("?", "\\?")); // grep's basic regex: ? is a character
        String pushes = "http://127.0.0.1:" + sandboxPort + URI.create(export.group(1)).getPath();
        String[] ackUrl = new String[1];
        demo.await(WAIT, "a push with its acknowledgement URL", () -> {
            Matcher found = grep.matcher(get(pushes));
            ackUrl[0] = found.find() ? found.group() : null;
            return ackUrl[0] != null;
        });
        Map<String, String> variables = new java.util.LinkedHashMap<>(readmeShellVariables());
        variables.put("ACK_URL", ackUrl[0]);
        answerAsClaimed(ReadmeExamples.curls(section, variables), engagementClaims);
    }

    private static String get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * The "Digests" examples in order: the digest of the week before the demo started is run now, and its run shows
     * both managers SKIPPED with the reason (that week was quiet; r-okafor owns no queue), no email sent.
     */
    @Test
    void theDigestExamplesOfTheReadmeAnswerAsTheySay() throws Exception {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "Digests");
        answerAsClaimed(ReadmeExamples.curls(section, readmeShellVariables()), digestClaims);
    }

    private void answerAsClaimed(List<ReadmeExamples.Curl> curls, List<Claim> claims) throws Exception {
        Set<Claim> used = new HashSet<>();
        for (ReadmeExamples.Curl curl : curls) {
            List<Claim> matching = claims.stream().filter(c -> c.request().matcher(curl.request()).matches()).toList();
            if (matching.size() != 1) {
                fail("README example " + curl.source() + " needs exactly one claim in DemoFirstStartIT, has "
                        + matching.size());
            }
            Claim claim = matching.get(0);
            used.add(claim);
            HttpResponse<String> answer = send(curl);
            assertTrue(answer.statusCode() / 100 == 2, curl.source() + " answered " + answer.statusCode() + ": " + answer.body());
            String shown = curl.grep() == null ? answer.body() : String.join("\n",
                    answer.body().lines().filter(line -> line.contains(curl.grep())).toList());
            Matcher request = claim.request().matcher(curl.request());
            request.matches();
            claim.check().check(request, curl, shown);
        }
        List<Claim> stale = claims.stream().filter(c -> !used.contains(c)).toList();
        assertEquals(List.of(), stale.stream().map(Claim::request).map(Pattern::pattern).toList(),
                "claims for examples the README no longer shows");
    }

    /** The log lines the README quotes are what the demo logs (without time, level and logger). */
    @Test
    void theLogLinesTheReadmeQuotesAreLogged() throws IOException {
        String section = ReadmeExamples.section(ReadmeExamples.readme(), "What the demo shows");
        String quoted = ReadmeExamples.codeBlocks(section).stream().filter(b -> b.startsWith("INFO ")).findFirst()
                .orElseThrow(() -> new AssertionError("the section quotes no log lines"));
        for (String line : quoted.lines().toList()) {
            String message = line.replaceFirst("^\\w+\\s+\\w+\\s+", "");
            assertTrue(demo.log().contains(message), "the README quotes '" + message + "'; the log:\n" + demo.log());
        }
    }

    /** Not on a terminal, the log is plain text, and counts agree with their nouns. */
    @Test
    void theLogIsPlainTextWithCountsThatAgreeWithTheirNouns() {
        String log = demo.log();
        assertFalse(log.contains("\u001b["), "no terminal escape codes in a log that is not a terminal");
        Matcher wrong = Pattern.compile("\\b1 (deliveries|messages|attachments|rules|records|attempts|items|events)\\b").matcher(log);
        assertFalse(wrong.find(), () -> "\"" + wrong.group() + "\" in the log:\n" + log);
        assertTrue(log.contains(" 1 delivery planned"), "an event with one delivery says so: " + log);
    }

    /** Mail bodies, attachments, the database and the sandbox's grants: 0700 directories, 0600 files. */
    @Test
    void everythingTheStartWroteIsReadableByItsOwnerOnly() throws IOException {
        Path data = work.resolve("data");
        Assumptions.assumeTrue(data.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "the file system of " + data + " has no POSIX permissions: nothing to check");
        List<String> tooOpen = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(data)) {
            for (Path path : walk.toList()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                String expected = Files.isDirectory(path) ? "rwx------" : "rw-------";
                if (!PosixFilePermissions.toString(permissions).equals(expected)) {
                    tooOpen.add(data.relativize(path) + " is " + PosixFilePermissions.toString(permissions) + ", not " + expected);
                }
                if (Files.isRegularFile(path)) {
                    files.add(data.relativize(path));
                }
            }
        }
        assertTrue(files.contains(Path.of("db", "mailroute.mv.db")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.startsWith("attachments")), files.toString());
        assertEquals(List.of(), tooOpen);
    }

    /**
     * The values of the shell variables the README's examples use ({@code $NAME}): the one place to give the test
     * what a reader exports before copying them, e.g. an API token.
     */
    private Map<String, String> readmeShellVariables() throws Exception {
        if (shellVariables == null) {
            shellVariables = exportedShellVariables();
        }
        return shellVariables;
    }

    /** Set once: two tests run the README's examples, a reader exports the token once. */
    private Map<String, String> shellVariables;

    private Map<String, String> exportedShellVariables() throws Exception {
        // the section's "export NAME=$(java -jar target/mailroute.jar ...)" lines, run as the reader runs them
        Map<String, String> variables = new java.util.LinkedHashMap<>();
        Matcher export = Pattern.compile("export (\\w+)=\\$\\(java -jar target/mailroute\\.jar ([^)]*)\\)")
                .matcher(ReadmeExamples.section(ReadmeExamples.readme(), "What the demo shows"));
        while (export.find()) {
            ServiceProcess.CommandResult result = demo.run(export.group(2).trim().split("\\s+"));
            assertEquals(0, result.exit(), export.group() + ": " + result.output());
            variables.put(export.group(1), result.output().lines().filter(l -> l.startsWith("mrt_")).findFirst()
                    .orElseThrow(() -> new AssertionError(export.group() + " printed no token: " + result.output())));
        }
        assertTrue(variables.containsKey("MAILROUTE_TOKEN"), "the README says how to get a token: " + variables.keySet());
        return variables;
    }

    /** What an example's answer must show, by the request it makes. */
    private record Claim(Pattern request, Check check) {
    }

    @FunctionalInterface
    private interface Check {
        void check(Matcher request, ReadmeExamples.Curl curl, String answer) throws Exception;
    }

    private static Claim claim(String request, Check check) {
        return new Claim(Pattern.compile(request), check);
    }

    /** One per example; an example without a claim, or a claim without an example, fails the test. */
    private final List<Claim> claims = List.of(
            claim("GET /api/events\\?type=([\\w.-]+)", (request, curl, answer) -> {
                JsonNode items = JSON.readTree(answer).path("items");
                assertFalse(items.isEmpty(), answer);
                items.forEach(e -> assertEquals(request.group(1), e.path("type").asText(), answer));
            }),
            claim("GET /api/items\\?queue=([\\w-]+)", (request, curl, answer) -> {
                JsonNode items = JSON.readTree(answer).path("items");
                assertFalse(items.isEmpty(), answer);
                items.forEach(i -> assertEquals(request.group(1), i.path("queue").asText(), answer));
            }),
            claim("GET /api/items/(\\d+)", (request, curl, answer) -> {
                JsonNode item = JSON.readTree(answer);
                assertEquals(request.group(1), item.path("itemId").asText(), answer);
                assertFalse(item.path("messages").isEmpty(), "one item with its messages: " + answer);
            }),
            claim("PATCH /api/items/(\\d+)", (request, curl, answer) -> {
                JsonNode asked = JSON.readTree(curl.body());
                JsonNode item = JSON.readTree(answer);
                assertEquals(request.group(1), item.path("itemId").asText(), answer);
                assertEquals(asked.path("state").asText(), item.path("state").asText(), answer);
                assertEquals(asked.path("assignee").asText(), item.path("assignee").asText(), answer);
                assertEquals(asked.path("version").asInt() + 1, item.path("version").asInt(), answer);
            }),
            claim("GET /api/messages", (request, curl, answer) ->
                    assertTrue(JSON.readTree(answer).path("items").size() >= seeded, answer)),
            claim("GET /api/messages/(\\d+)", (request, curl, answer) -> {
                JsonNode message = JSON.readTree(answer);
                assertEquals(request.group(1), message.path("id").asText(), answer);
                assertTrue(message.hasNonNull("textBody") || message.hasNonNull("htmlBody"), "its bodies: " + answer);
                assertTrue(message.path("attachments").isArray(), "its attachments: " + answer);
            }),
            claim("GET /api/approvals\\?approver=(.+)", (request, curl, answer) -> {
                JsonNode items = JSON.readTree(answer).path("items");
                assertFalse(items.isEmpty(), "the demo's PO approval: " + answer);
                items.forEach(a -> assertTrue(a.path("approvers").toString().contains(request.group(1)), answer));
            }),
            claim("GET /api/mailboxes", (request, curl, answer) -> {
                List<String> ids = new ArrayList<>();
                JSON.readTree(answer).path("items").forEach(m -> {
                    ids.add(m.path("id").asText());
                    assertTrue(m.has("state") && m.has("lastError") && m.has("connection"), "state, last error, grant: " + m);
                });
                assertTrue(ids.containsAll(List.of("support", "accounts", "hr")), answer);
                for (JsonNode m : JSON.readTree(answer).path("items")) {
                    String id = m.path("id").asText();
                    if (id.equals("support") || id.equals("accounts")) {
                        assertEquals("pubsub", m.path("push").path("mode").asText(), "push mailbox " + id + ": " + m);
                    } else {
                        assertTrue(m.path("push").isMissingNode() || m.path("push").isNull(), "polled mailbox " + id + ": " + m);
                    }
                }
            }),
            claim("GET /observe/health", (request, curl, answer) ->
                    assertEquals("UP", JSON.readTree(answer).path("status").asText(), "a fresh demo is healthy: " + answer)),
            claim("GET /observe/metrics", (request, curl, answer) ->
                    assertTrue(answer.contains("mailroute_mailbox_state{mailbox=\"support\""), "each mailbox's state: " + answer)),
            claim("POST /sandbox/admin/users/([^/]+)/messages\\?labelIds=INBOX&labelIds=UNREAD", (request, curl, answer) -> {
                String gmailId = JSON.readTree(answer).path("id").asText();
                String mailbox = mailboxOf(request.group(1));
                // support and accounts take Gmail push in the demo: their next poll is 10 minutes away, so only the
                // notification can bring the mail within a minute; hr is polled every 5 s
                assertTrue(List.of("support", "accounts", "hr").contains(mailbox), mailbox);
                demo.await(Duration.ofSeconds(60), "the added mail ingested by mailbox " + mailbox, () -> StreamSupport.stream(
                        demo.api("/api/messages?mailbox=" + mailbox + "&limit=500").path("items").spliterator(), false)
                        .anyMatch(m -> m.path("gmailId").asText().equals(gmailId)));
            }));

    /** The "Approvals" examples, in the README's order. */
    private final List<Claim> reportClaims = List.of(
            claim("POST /api/reports/weekly-queue-status/runs", (request, curl, answer) -> {
                JsonNode run = JSON.readTree(answer);
                assertEquals("DONE", run.path("state").asText(), answer);
                assertTrue(run.path("created").asBoolean(), answer);
                assertEquals(1, demo.events("report.generated").size());
            }),
            claim("GET /api/reports/weekly-queue-status/runs", (request, curl, answer) -> {
                JsonNode runs = JSON.readTree(answer).path("runs");
                assertEquals(1, runs.size(), answer);
                assertEquals("team@acme.example", runs.get(0).path("recipients").get(0).path("address").asText(), answer);
                assertEquals("pdf", runs.get(0).path("document").path("format").asText(), answer);
            }),
            claim("GET /api/reports", (request, curl, answer) -> {
                JsonNode reports = JSON.readTree(answer).path("reports");
                assertEquals(5, reports.size(), answer);
                JsonNode digest = null;
                for (JsonNode report : reports) {
                    digest = "weekly-digest".equals(report.path("id").asText()) ? report : digest;
                }
                assertEquals("digest body body", digest.path("source").asText() + " " + digest.path("format").asText() + " "
                        + digest.path("delivery").asText(), "a digest is written into the email, not attached: " + answer);
                assertEquals("weekly-queue-status", reports.get(0).path("id").asText(), answer);
                assertEquals("DONE", reports.get(0).path("lastRun").path("state").asText(), answer);
            }));

    private final List<Claim> customerClaims = List.of(
            claim("POST /api/items/(\\d+)/messages", (request, curl, answer) -> {
                JsonNode sent = JSON.readTree(answer);
                String template = JSON.readTree(curl.body()).path("template").asText();
                assertEquals("k.weber@umbrella.example", sent.path("to").asText(), "the delivery question's sender: " + answer);
                assertEquals(template.equals("request-info") ? List.of("item.info-requested", "item.state-changed")
                        : List.of("item.status-update"), sent.path("events").findValuesAsText("type"), answer);
                assertEquals("WAITING_FOR_INFO", demo.api("/api/items/" + request.group(1)).path("state").asText());
                String event = sent.path("events").get(0).path("id").asText();
                demo.await(WAIT, "the " + template + " SENT to the customer", () -> "SENT".equals(
                        demo.api("/api/deliveries?event=" + event).path("items").path(0).path("status").asText()));
            }));


    /** The "Alerts" examples: raise, raise again worse, show, resolve. */
    private final List<Claim> alertClaims = List.of(
            claim("POST /api/alerts", (request, curl, answer) -> {
                JsonNode alert = JSON.readTree(answer);
                boolean first = "high".equals(JSON.readTree(curl.body()).path("severity").asText());
                assertEquals("erp-sync-42", alert.path("key").asText(), answer);
                assertEquals(List.of("ap-team"), texts(alert.path("audiences")), "finance-exceptions' owners: " + answer);
                assertEquals(first ? "raised" : "repeated", alert.path("outcome").asText(), answer);
                assertEquals(first ? 1 : 2, alert.path("count").asInt(), answer);
                assertEquals(first ? "high" : "critical", alert.path("severity").asText(), answer);
                List<JsonNode> raised = eventsOfKey("alert.raised", "erp-sync-42");
                assertEquals(first ? 1 : 2, raised.size(), "told once, and again when it got worse: " + raised);
                assertEquals(first ? 0 : 1, eventsOfKey("alert.repeated", "erp-sync-42").size());
                if (!first) {
                    assertEquals("high", raised.get(1).at("/data/severityRoseFrom").asText(), raised.toString());
                }
            }),
            claim("GET /api/alerts/erp-sync-42", (request, curl, answer) -> {
                JsonNode alert = JSON.readTree(answer);
                assertEquals("open", alert.path("state").asText(), answer);
                assertEquals(2, alert.path("count").asInt(), answer);
                assertEquals("critical", alert.path("severity").asText(), answer);
            }),
            claim("POST /api/alerts/erp-sync-42/resolve", (request, curl, answer) -> {
                JsonNode alert = JSON.readTree(answer);
                assertEquals("resolved", alert.path("state").asText(), answer);
                assertEquals(1, eventsOfKey("alert.resolved", "erp-sync-42").size());
                List<String> audited = new ArrayList<>();
                JsonNode page = demo.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500");
                while (true) {
                    page.path("items").forEach(r -> {
                        if (r.path("subjectRef").asText().equals("external-alert:" + alert.path("id").asLong())) {
                            audited.add(r.path("action").asText());
                        }
                    });
                    if (page.path("next").isNull()) {
                        break;
                    }
                    page = demo.api("/api/audit/records?from=2020-01-01&to=2100-01-01&limit=500&after=" + page.path("next").asLong());
                }
                assertEquals(List.of("alert.raised", "alert.repeated", "alert.resolved"), audited);
            }));

    /** The "Engagement" examples: act on a push by its acknowledgement URL, then list what was acted on. */
    private final List<Claim> engagementClaims = List.of(
            claim("POST /p/engagement/ack\\?t=[A-Za-z0-9_-]+", (request, curl, answer) -> {
                List<JsonNode> acted = demo.events("delivery.acted");
                assertEquals(1, acted.size(), acted.toString());
                assertEquals("approve", acted.get(0).at("/data/action").asText());
            }),
            claim("GET /api/deliveries\\?engagement=ACTED", (request, curl, answer) -> {
                JsonNode items = JSON.readTree(answer).path("items");
                assertEquals(1, items.size(), answer);
                assertEquals("ACTED", items.get(0).path("engagement").asText(), answer);
                assertEquals("approve", items.get(0).path("action").asText(), answer);
                assertTrue(items.get(0).hasNonNull("openedAt"), "acting opens: " + answer);
                assertEquals(demo.events("delivery.acted").get(0).at("/data/deliveryId").asLong(), items.get(0).path("id").asLong());
            }));

    private List<JsonNode> eventsOfKey(String type, String key) {
        return demo.events(type).stream().filter(e -> key.equals(e.at("/data/key").asText())).toList();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The "Digests" examples, in the README's order. */
    private final List<Claim> digestClaims = List.of(
            claim("POST /api/reports/weekly-digest/runs", (request, curl, answer) -> {
                JsonNode run = JSON.readTree(answer);
                assertEquals("DONE", run.path("state").asText(), answer);
            }),
            claim("GET /api/reports/weekly-digest/runs", (request, curl, answer) -> {
                JsonNode recipients = JSON.readTree(answer).path("runs").path(0).path("recipients");
                assertEquals(2, recipients.size(), answer);
                assertEquals("team@acme.example SKIPPED", recipients.get(0).path("address").asText() + " "
                        + recipients.get(0).path("status").asText(), answer);
                assertTrue(recipients.get(0).path("lastError").asText().contains("an empty period"), answer);
                assertEquals("r.okafor@acme.example SKIPPED", recipients.get(1).path("address").asText() + " "
                        + recipients.get(1).path("status").asText(), answer);
                assertTrue(recipients.get(1).path("lastError").asText().contains("owns no queue"), answer);
            }));

    private final List<Claim> approvalClaims = List.of(
            claim("GET /api/approvals\\?state=PENDING", (request, curl, answer) -> {
                JsonNode po = JSON.readTree(answer).path("items").get(0);
                assertEquals(1, po.path("id").asInt(), "the seeded PO request is approval 1: " + answer);
                assertEquals("PENDING", po.path("state").asText(), answer);
                assertEquals("r.okafor@acme.example", po.path("approvers").get(0).path("address").asText(), answer);
                assertEquals("PENDING", demo.api("/api/items/" + po.path("itemId").asLong()).path("state").asText());
            }),
            claim("GET /api/approvals/1", (request, curl, answer) -> {
                JsonNode approval = JSON.readTree(answer);
                assertTrue(approval.path("title").asText().contains("PO-4471"), answer);
                assertEquals("REQUESTED", approval.path("history").get(0).path("action").asText(), answer);
            }),
            claim("POST /api/approvals/1/decision", (request, curl, answer) -> {
                JsonNode approval = JSON.readTree(answer);
                assertEquals("APPROVED", approval.path("state").asText(), answer);
                assertEquals("APPROVED", demo.api("/api/items/" + approval.path("itemId").asLong()).path("state").asText());
                assertEquals(1, demo.events("approval.decided").size());
            }),
            claim("POST /api/approvals", (request, curl, answer) -> {
                JsonNode approval = JSON.readTree(answer);
                assertEquals(2, approval.path("id").asInt(), answer);
                assertEquals(List.of("ASKED", "WAITING"), List.of(approval.path("approvers").get(0).path("state").asText(),
                        approval.path("approvers").get(1).path("state").asText()), "a sequence asks one at a time: " + answer);
            }),
            claim("POST /api/approvals/2/cancel", (request, curl, answer) ->
                    assertEquals("CANCELLED", JSON.readTree(answer).path("state").asText(), answer)));

    private String mailboxOf(String address) {
        for (JsonNode mailbox : demo.api("/api/mailboxes").path("items")) {
            if (mailbox.path("address").asText().equalsIgnoreCase(address)) {
                return mailbox.path("id").asText();
            }
        }
        throw new AssertionError("no mailbox has the address " + address);
    }

    /** The example's request, sent to this demo's ports: the README's are the shipped defaults. */
    private HttpResponse<String> send(ReadmeExamples.Curl curl) throws IOException, InterruptedException {
        String path = curl.url().replaceFirst("^https?://[^/]+", "");
        String url = switch (curl.port()) {
            case 8080 -> demo.apiUrl(path);
            case 9876 -> demo.observeUrl(path);
            case 8025 -> "http://127.0.0.1:" + sandboxPort + path;
            default -> throw new AssertionError("README example on a port the demo does not use: " + curl.source());
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(curl.method(), curl.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(curl.body()));
        curl.headers().forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** How many exchanges a route has completed, from the Prometheus metrics; 0 before the first. */
    private static List<String> seedMessageIds() throws IOException {
        List<String> ids = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("config", "sandbox", "mail"))) {
            for (Path eml : files.filter(p -> p.toString().endsWith(".eml")).toList()) {
                Files.readAllLines(eml, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                        .takeWhile(line -> !line.isEmpty())
                        .filter(line -> line.regionMatches(true, 0, "Message-ID:", 0, 11))
                        .findFirst()
                        .ifPresent(line -> ids.add(line.substring(11).strip().replaceAll("[<>]", "")));
            }
        }
        return ids;
    }

    /** Exchanges of every mailbox's triage route (triage-<mailbox>, routes/triage.camel.yaml), the rules' reload aside. */
    private double triageExchanges() {
        return exchanges("triage-(?!rules-reload\")[^\"]*");
    }

    private double routeExchanges(String routeId) {
        return exchanges(Pattern.quote(routeId));
    }

    /** Succeeded exchanges summed over the routes whose id matches {@code routeIds}. */
    private double exchanges(String routeIds) {
        HttpResponse<String> metrics = demo.observe("/observe/metrics");
        if (metrics == null) {
            return 0;
        }
        Matcher m = Pattern.compile("(?m)^camel_exchanges_succeeded_total\\{[^}]*routeId=\"" + routeIds
                + "\"[^}]*} ([0-9.E]+)$").matcher(metrics.body());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
