package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mailbox's OAuth grant breaking, being replaced and being revoked, against the sandbox's OAuth
 * server, with the packaged service: one notice per broken grant, nothing missed while it is
 * broken, no restart to re-connect, and mail from a disconnected mailbox sent by the fallback sender.
 */
class ConnectionLifecycleIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MODIFY = "https://www.googleapis.com/auth/gmail.modify";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    @Test
    void aRevokedGrantIsAnnouncedOnceOtherMailboxesFlowAndMailArrivingMeanwhileIsIngestedAfterReconnecting() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), "", "    owners: [team]\n");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            world.insert("hr", "Before the break");
            service.await(WAIT, "hr's first message", () -> messages(service, "hr") == 1);

            world.sandbox.admin().revokeRefreshToken(IntakeFixture.address("hr"));
            service.await(WAIT, "hr NOT_CONNECTED", () -> "NOT_CONNECTED".equals(mailbox(service, "hr").path("state").asText()));
            List<String> whileBroken = List.of(world.insert("hr", "While broken 1"), world.insert("hr", "While broken 2"));
            world.insert("support", "Support keeps flowing");
            service.await(WAIT, "many failed polls of hr", () -> mailbox(service, "hr").path("consecutiveFailures").asInt() >= 6);
            service.await(WAIT, "support's message", () -> messages(service, "support") == 1);

            List<JsonNode> broken = service.events("connection.broken");
            assertEquals(1, broken.size(), "one notice per broken connection, not one per failed poll");
            assertEquals("hr", broken.get(0).path("mailbox").asText());
            String brokenId = broken.get(0).path("id").asText();
            service.await(WAIT, "the notice delivered", () -> deliveries(service, brokenId).size() >= 3
                    && deliveries(service, brokenId).stream().allMatch(d -> d.path("status").asText().matches("SENT|DELIVERED")));
            List<JsonNode> notices = deliveries(service, brokenId);
            assertEquals(List.of("email", "team-appworks", "team-mobile"),
                    notices.stream().map(d -> d.path("channel").asText()).sorted().toList(), notices.toString());
            var fcm = world.sandbox.admin().pushInbox().of("fcm");
            assertEquals(1, fcm.size(), fcm.toString());
            assertTrue(fcm.get(0).payload().contains("Mailbox hr is not connected"), fcm.get(0).payload());
            assertTrue(fcm.get(0).payload().contains("connect hr"), fcm.get(0).payload());
            JsonNode health = service.health();
            assertEquals("DEGRADED", health.path("status").asText(), health.toString());
            assertEquals(0, messages(service, "hr", whileBroken), "nothing read while broken");

            // Re-authorize through the API (what connect sends): no restart, intake resumes from the kept cursor.
            world.sandbox.admin().addUser(IntakeFixture.address("hr"), "refresh-hr-second-grant");
            HttpResponse<String> connected = send(service, "PUT", "/api/mailboxes/hr/connection",
                    "{\"refreshToken\":\"refresh-hr-second-grant\",\"scopes\":\"" + MODIFY + "\"}");
            assertEquals(200, connected.statusCode(), connected.body());
            assertTrue(connected.body().contains("\"state\":\"ACTIVE\""), connected.body());
            service.await(WAIT, "the mail that arrived while broken", () -> messages(service, "hr", whileBroken) == 2);
            assertEquals(1, service.events("connection.restored").size());
            assertEquals(1, service.events("connection.broken").size());
            JsonNode hr = mailbox(service, "hr");
            assertEquals("store", hr.path("connection").path("grant").asText(), hr.toString());
            assertEquals(MODIFY, hr.path("connection").path("scopes").asText(), hr.toString());
            service.await(WAIT, "health UP", () -> "UP".equals(service.healthStatus()));
        }
    }

    @Test
    void aGrantWithoutTheScopeTheMailboxNeedsIsRefused() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
                ServiceProcess service = world.service().start().awaitUp(WAIT)) {
            HttpResponse<String> refused = send(service, "PUT", "/api/mailboxes/support/connection",
                    "{\"refreshToken\":\"x\",\"scopes\":\"https://www.googleapis.com/auth/gmail.send\"}");
            assertEquals(422, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("needs " + MODIFY), refused.body());
            assertEquals(404, send(service, "PUT", "/api/mailboxes/nobody/connection", "{\"refreshToken\":\"x\"}").statusCode());
        }
    }

    @Test
    void aDisconnectedMailboxIsNotReadAndItsMailGoesFromTheFallbackSmtpServer() throws Exception {
        int smtpPort = ServiceProcess.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "hr"), """
                mailroute.fallback-sender = smtp
                mailroute.fallback-sender.smtp.url = smtp://127.0.0.1:%d
                mailroute.fallback-sender.smtp.from = alerts@acme.example
                """.formatted(smtpPort))) {
            world.triageEverythingTo("ops-email"); // email channel, sent from support's Gmail account
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                world.insert("hr", "Order 1 before");
                service.await(WAIT, "the first notification from support's Gmail",
                        () -> deliveries(service, null).stream().anyMatch(d -> "SENT".equals(d.path("status").asText())));
                assertTrue(deliveries(service, null).stream().allMatch(d -> d.path("sentVia").isNull()));

                ServiceProcess.CommandResult disconnect = service.run("disconnect", "support");
                assertEquals(0, disconnect.exit(), disconnect.output());
                assertTrue(disconnect.output().contains("Disconnected support (REVOKED)"), disconnect.output());
                assertEquals("REVOKED", mailbox(service, "support").path("state").asText());
                assertEquals(0, world.sandbox.admin().liveGrants(IntakeFixture.address("support")),
                        "the grant was revoked at the provider, not only forgotten here");

                world.insert("support", "Order 2 into the disconnected mailbox");
                world.insert("hr", "Order 3 after");
                service.await(WAIT, "a mail through the fallback SMTP server", () -> smtp.getReceivedMessages().length == 1);
                MimeMessage fallback = smtp.getReceivedMessages()[0];
                assertEquals("alerts@acme.example", ((InternetAddress) fallback.getFrom()[0]).getAddress());
                assertEquals("support@acme.example", ((InternetAddress) fallback.getReplyTo()[0]).getAddress(),
                        "replies reach the mailbox the fallback stands in for");
                assertEquals(IntakeFixture.TEAM, ((InternetAddress) fallback.getAllRecipients()[0]).getAddress());
                service.await(WAIT, "the delivery recorded as sent by the fallback", () -> deliveries(service, null).stream()
                        .anyMatch(d -> d.path("sentVia").asText("").startsWith("smtp 127.0.0.1:" + smtpPort + " as alerts@acme.example")
                                && "SENT".equals(d.path("status").asText())));
                JsonNode viaFallback = deliveries(service, null).stream().filter(d -> !d.path("sentVia").isNull()).findFirst().orElseThrow();
                assertTrue(viaFallback.path("sentVia").asText().contains("for mailbox support (REVOKED)"), viaFallback.toString());
                assertEquals(fallback.getMessageID(), "<" + viaFallback.path("messageId").asText() + ">",
                        "the Message-ID recorded before sending is the one that went");

                Thread.sleep(1500);
                assertEquals(0, messages(service, "support"), "a disconnected mailbox is not read");
                JsonNode health = service.health();
                assertEquals("DEGRADED", health.path("status").asText(), health.toString());
                assertTrue(health.toString().contains("\"id\":\"support\""), health.toString());

                ServiceProcess.CommandResult status = service.run("status");
                assertEquals(0, status.exit(), status.output());
                assertTrue(status.output().matches("(?s).*support\\s+support@acme.example\\s+REVOKED.*"), status.output());
                assertTrue(status.output().contains("to fix: java -jar target/mailroute.jar connect support"), status.output());
                assertTrue(status.output().contains("From the running service."), status.output());
            }
        } finally {
            smtp.stop();
        }
    }

    static JsonNode mailbox(ServiceProcess service, String id) {
        JsonNode items = service.api("/api/mailboxes").path("items");
        return StreamSupport.stream(items.spliterator(), false).filter(m -> m.path("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no mailbox " + id + " in " + items));
    }

    private static int messages(ServiceProcess service, String mailbox) {
        return service.api("/api/messages?mailbox=" + mailbox + "&limit=500").path("items").size();
    }

    /** How many of the given Gmail ids were ingested. */
    private static int messages(ServiceProcess service, String mailbox, List<String> gmailIds) {
        JsonNode items = service.api("/api/messages?mailbox=" + mailbox + "&limit=500").path("items");
        return (int) StreamSupport.stream(items.spliterator(), false).filter(m -> gmailIds.contains(m.path("gmailId").asText())).count();
    }

    static List<JsonNode> deliveries(ServiceProcess service, String eventId) {
        JsonNode items = service.api("/api/deliveries?limit=500" + (eventId == null ? "" : "&event=" + eventId)).path("items");
        return StreamSupport.stream(items.spliterator(), false).toList();
    }

    static HttpResponse<String> send(ServiceProcess service, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.apiUrl(path))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
