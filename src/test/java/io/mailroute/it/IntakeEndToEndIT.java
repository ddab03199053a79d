package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import io.mailroute.testing.TestMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service against the Gmail sandbox over real HTTP, through the unmodified Google
 * client: what operations would see, checked through the service's own API.
 */
class IntakeEndToEndIT {

    private static final Duration SOON = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void insertedMailBecomesOneEventWithinSeconds() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            String gmailId = world.insert("support", "Printer on fire");

            service.await(SOON, "message.received for " + gmailId,
                    () -> gmailIds(service.events("message.received")).contains(gmailId));

            JsonNode event = service.events("message.received").get(0);
            assertEquals("support", event.get("mailbox").asText());
            assertEquals("Printer on fire", event.at("/data/subject").asText());
            JsonNode message = service.api("/api/messages/" + event.at("/data/messageId").asLong());
            assertEquals("INGESTED", message.get("status").asText());
            assertTrue(message.get("textBody").asText().contains("Hello, this is message"), message.toString());
            assertEquals("pass", message.at("/authentication/dkim").asText(), "the sandbox stamps Authentication-Results");
            assertEquals(404, service.apiResponse("/api/messages/999999").statusCode());
            assertEquals(400, service.apiResponse("/api/events?limit=lots").statusCode());
        }
    }

    @Test
    void aBacklogLargerThanOnePollDrainsInOneGoNotOnePollIntervalPerBatch() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "mailroute.intake.max-messages-per-poll = 2\n",
                "    pollInterval: 10s\n");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            service.await(SOON, "the bootstrap", () -> !service.api("/api/mailboxes").at("/items/0/historyId").isNull());
            double pollsBefore = service.finishedPolls("support");
            for (int i = 0; i < 10; i++) {
                world.insert("support", "Backlog " + i);
            }
            service.await(Duration.ofSeconds(90), "the whole backlog", () -> service.events("message.received").size() == 10);
            // Five batches of at most 2. Drained in one go, that is one scheduled poll (two if one began amid the inserts,
            // one more if the bootstrap's was still finishing); one poll per batch would have finished at least four.
            double polls = service.finishedPolls("support") - pollsBefore;
            assertTrue(polls <= 3, polls + " scheduled polls finished while the backlog drained");
        }
    }

    @Test
    void aCrashMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            Set<String> inserted = new HashSet<>();
            IntStream.range(0, 150).forEach(i -> inserted.add(world.insert("support", "Order " + i)));

            service.await(SOON, "some messages ingested", () -> service.events("message.received").size() >= 20);
            service.kill();
            IntStream.range(150, 200).forEach(i -> inserted.add(world.insert("support", "Order " + i)));
            service.start().awaitUp(SOON);

            service.await(Duration.ofSeconds(60), "all 200 messages", () -> service.events("message.received").size() >= 200);
            service.awaitLaterPolls(SOON); // later polls: anything duplicated would show now
            List<JsonNode> events = service.events("message.received");
            assertEquals(inserted, gmailIds(events), "every inserted message, exactly once");
            assertEquals(200, events.size());
            assertEquals(200, service.api("/api/messages?limit=500").get("items").size());
        }
    }

    @Test
    void anExpiredHistoryCursorResyncsWithoutLossOrDuplicates() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            Set<String> inserted = new HashSet<>();
            IntStream.range(0, 5).forEach(i -> inserted.add(world.insert("support", "Before " + i)));
            service.await(SOON, "first five", () -> service.events("message.received").size() == 5);

            world.sandbox.admin().expireHistory(IntakeFixture.address("support"));
            IntStream.range(0, 5).forEach(i -> inserted.add(world.insert("support", "After " + i)));

            service.await(SOON, "all ten", () -> service.events("message.received").size() >= 10);
            service.awaitLaterPolls(SOON);
            assertEquals(inserted, gmailIds(service.events("message.received")));
            assertEquals(10, service.events("message.received").size());
            assertTrue(service.log().contains("resync"), "the resync is visible in the log");
        }
    }

    @Test
    void aRateLimitStormBacksOffAndRecoversFully() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            world.sandbox.admin().rateLimitNext(12, 1);
            Set<String> inserted = new HashSet<>();
            IntStream.range(0, 20).forEach(i -> inserted.add(world.insert(i % 2 == 0 ? "support" : "hr", "Storm " + i)));

            service.await(Duration.ofSeconds(60), "all twenty after the storm",
                    () -> service.events("message.received").size() >= 20);
            assertEquals(inserted, gmailIds(service.events("message.received")));
            long rateLimited = world.sandbox.admin().stats().user(IntakeFixture.address("support")).rateLimited()
                    + world.sandbox.admin().stats().user(IntakeFixture.address("hr")).rateLimited();
            assertEquals(12, rateLimited, "every 429 of the storm was met, none more were provoked");
            long counted = 0;
            for (JsonNode mailbox : service.api("/api/mailboxes").get("items")) {
                counted += mailbox.at("/gmailErrors/rateLimited").asLong();
            }
            assertEquals(12, counted, "each mailbox records the rate limits it met: " + service.api("/api/mailboxes"));
            service.await(SOON, "both mailboxes ACTIVE again", () -> states(service).equals(Set.of("ACTIVE")));
        }
    }

    @Test
    void aPoisonMessageIsQuarantinedAndTheRestFlow() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"),
                "mailroute.intake.max-attachment-bytes = 2048\n");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            String before = world.insert("support", "Before the poison");
            String poison = world.insertRaw("support", TestMail.withAttachment("Huge scan", "scan.pdf", "application/pdf", 8192));
            String after = world.insert("support", "After the poison");

            service.await(SOON, "the two good messages",
                    () -> gmailIds(service.events("message.received")).containsAll(Set.of(before, after)));
            List<JsonNode> quarantined = service.events("message.quarantined");
            assertEquals(1, quarantined.size());
            assertEquals(poison, quarantined.get(0).at("/data/gmailId").asText());
            assertTrue(quarantined.get(0).at("/data/reason").asText().contains("scan.pdf"));
            assertEquals(1, service.api("/api/messages?status=quarantined").get("items").size());
            assertEquals("UP", service.healthStatus(), "a poison message does not make the mailbox unhealthy");
        }
    }

    @Test
    void aRevokedMailboxDegradesHealthAndShowsInTheMetricsWhileTheOthersFlow() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            service.await(SOON, "both mailboxes ACTIVE", () -> states(service).equals(Set.of("ACTIVE")));
            assertEquals("UP", service.healthStatus());

            world.sandbox.admin().revokeRefreshToken(IntakeFixture.address("hr"));
            // The client holds a valid access token until it expires; the sandbox revokes both.
            service.await(SOON, "health DEGRADED", () -> "DEGRADED".equals(service.healthStatus()));
            HttpResponse<String> health = service.observe("/observe/health");
            assertEquals(200, health.statusCode(), "a load balancer keeps a degraded service: " + health.body());
            JsonNode mailboxes = JSON.readTree(health.body()).get("mailboxes");
            assertEquals(1, mailboxes.size(), "only the broken mailbox is named: " + health.body());
            assertEquals("hr", mailboxes.get(0).get("id").asText());
            assertEquals("NOT_CONNECTED", mailboxes.get(0).get("state").asText());
            assertEquals("hr@acme.example", mailboxes.get(0).get("address").asText());
            assertTrue(mailboxes.get(0).get("action").asText().contains("connect hr"), health.body());
            assertEquals(200, service.observe("/observe/health/live").statusCode(), "a mailbox is no reason to restart");

            String metrics = service.observe("/observe/metrics").body();
            assertTrue(metrics.contains("mailroute_mailbox_state{mailbox=\"hr\",state=\"NOT_CONNECTED\"} 1.0"), metrics);
            assertTrue(metrics.contains("mailroute_mailbox_state{mailbox=\"support\",state=\"ACTIVE\"} 1.0"), metrics);

            String gmailId = world.insert("support", "Still flowing");
            service.await(SOON, "support keeps flowing", () -> gmailIds(service.events("message.received")).contains(gmailId));
            JsonNode hr = mailbox(service, "hr");
            assertEquals("NOT_CONNECTED", hr.get("state").asText());
        }
    }

    @Test
    void theMailboxIsUntouchedUnlessAProcessedLabelIsConfigured() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "", "");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            String gmailId = world.insert("support", "Leave me unread");
            service.await(SOON, "ingested", () -> gmailIds(service.events("message.received")).contains(gmailId));
            List<String> labels = world.gmailClient("support").users().messages().get("me", gmailId)
                    .setFormat("minimal").execute().getLabelIds();
            assertEquals(Set.of("INBOX", "UNREAD"), Set.copyOf(labels), "no mark-as-read, no label by default");
        }
    }

    @Test
    void anOptedInMailboxGetsItsProcessedLabelOnEachIngestedMessage() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "", "    processedLabel: Mailroute/Processed\n");
                ServiceProcess service = world.service().start().awaitUp(SOON)) {
            List<String> ids = List.of(world.insert("support", "One"), world.insert("support", "Two"));
            service.await(SOON, "both ingested", () -> gmailIds(service.events("message.received")).containsAll(ids));
            com.google.api.services.gmail.Gmail gmail = world.gmailClient("support");
            String labelId = gmail.users().labels().list("me").execute().getLabels().stream()
                    .filter(l -> l.getName().equals("Mailroute/Processed")).findFirst().orElseThrow().getId();
            for (String id : ids) {
                service.await(SOON, "label on " + id, () -> labelsOf(gmail, id).contains(labelId));
                assertTrue(labelsOf(gmail, id).contains("UNREAD"), "still unread");
            }
        }
    }

    private static List<String> labelsOf(com.google.api.services.gmail.Gmail gmail, String id) {
        try {
            return gmail.users().messages().get("me", id).setFormat("minimal").execute().getLabelIds();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> gmailIds(List<JsonNode> events) {
        return events.stream().map(e -> e.at("/data/gmailId").asText()).collect(Collectors.toSet());
    }

    private static Set<String> states(ServiceProcess service) {
        Set<String> states = new HashSet<>();
        service.api("/api/mailboxes").get("items").forEach(m -> states.add(m.get("state").asText()));
        return states;
    }

    private static JsonNode mailbox(ServiceProcess service, String id) {
        for (JsonNode m : service.api("/api/mailboxes").get("items")) {
            if (m.get("id").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no mailbox " + id);
    }
}
