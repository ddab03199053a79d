package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.gmail.model.Message;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Escalation with the packaged jar and the sandbox: the shipped channels.yaml's email channel escalates URGENT notices
 * nobody opened, here after a few seconds and to the team's webhook room (finance-push), whose sandbox receiver counts
 * the pushes. Each test ends with a later URGENT notice escalating: timers fire in due order, so once its escalation is
 * there, the earlier one has been decided for good (no waiting for something not to happen).
 */
class EscalationIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern ACK_TOKEN = Pattern.compile("/p/engagement/acknowledge\\?t=([A-Za-z0-9._~%-]+)");
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path work;

    @Test
    void anUnopenedUrgentEmailEscalatesToOnePushAcrossAKill9NeverTwo() throws Exception {
        try (IntakeFixture world = fixture(Duration.ofSeconds(6))) {
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                insertUrgent(world, 1);
                service.await(WAIT, "the email SENT", () -> emailsSent(service) == 1);
                service.kill(); // SIGKILL during the wait: the SENT and its escalation timer committed together

                service.start().awaitUp(WAIT);
                service.await(WAIT, "one escalation and its push", () -> service.events("delivery.escalated").size() == 1
                        && webhookPushes(world) == 1);
                String first = service.events("case.created").get(0).path("id").asText();
                JsonNode escalated = service.events("delivery.escalated").get(0);
                assertEquals(first, escalated.at("/data/eventId").asText());
                assertEquals("email", escalated.at("/data/fromChannel").asText());
                assertEquals("unopened", escalated.at("/data/reason").asText());
                assertEquals("finance-push", escalated.at("/data/to/0").asText());
                assertEquals(1, escalated.at("/data/ignored").asInt(), escalated.toString());
                assertEquals(1, escalated.at("/data/planned").asInt(), escalated.toString());
                assertEquals(1, service.events("delivery.ignored").size());

                insertUrgent(world, 2); // the barrier: a later escalation
                service.await(WAIT, "the second escalation and its push", () -> service.events("delivery.escalated").size() == 2
                        && webhookPushes(world) == 2);
                List<String> escalatedEvents = new ArrayList<>();
                service.events("delivery.escalated").forEach(e -> escalatedEvents.add(e.at("/data/eventId").asText()));
                List<String> created = new ArrayList<>();
                service.events("case.created").forEach(e -> created.add(e.path("id").asText()));
                assertEquals(created, escalatedEvents, "each notice escalated once, in order, never twice");
                world.sandbox.admin().pushInbox().of("webhook").forEach(p -> assertTrue(p.payload().contains("URGENT"), p.payload()));
            }
        }
    }

    @Test
    void anUrgentEmailAcknowledgedBeforeItsTimeIsNotEscalated() throws Exception {
        try (IntakeFixture world = fixture(Duration.ofSeconds(20))) {
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                insertUrgent(world, 1);
                service.await(WAIT, "the email SENT", () -> emailsSent(service) == 1);
                String token = ackToken(world);
                HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(
                        service.apiUrl("/p/engagement/acknowledge?t=" + token))).GET().build());
                assertEquals(200, page.statusCode(), page.body());
                Matcher csrf = CSRF.matcher(page.body());
                assertTrue(csrf.find(), page.body());
                HttpResponse<String> acknowledged = send(HttpRequest.newBuilder(URI.create(
                        service.apiUrl("/p/engagement/acknowledge")))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("t=" + token + "&csrf="
                                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))).build());
                assertEquals(200, acknowledged.statusCode(), acknowledged.body());
                assertEquals(1, service.events("delivery.acted").size());

                insertUrgent(world, 2); // not acknowledged: it escalates, after the first one's time
                service.await(WAIT, "the second notice's escalation", () -> service.events("delivery.escalated").size() == 1);
                String second = service.events("case.created").get(1).path("id").asText();
                assertEquals(second, service.events("delivery.escalated").get(0).at("/data/eventId").asText(),
                        "only the notice nobody acknowledged");
                service.await(WAIT, "its push", () -> webhookPushes(world) == 1);
                assertEquals(1, service.events("delivery.ignored").size());
            }
        }
    }

    /** The shipped configuration with the email channel's escalation after {@code after}, to the webhook room. */
    private IntakeFixture fixture(Duration after) throws Exception {
        IntakeFixture world = new IntakeFixture(work, List.of("support"), "");
        Files.writeString(world.configDir.resolve("triage.yaml"), """
                rules:
                  - id: urgent
                    when: {subject: [urgent]}
                    then: {type: case, category: test/escalation, queue: ops, priority: URGENT, notify: [ops-email]}
                  - id: default
                    then: {type: case, category: general, queue: triage, priority: NORMAL}
                """);
        Path channels = world.configDir.resolve("channels.yaml");
        String shipped = Files.readString(channels);
        String escalate = "escalate: {unopenedFor: 15m, to: [oncall-push], priorities: [URGENT]}";
        assertTrue(shipped.contains(escalate), "the shipped escalation this test shortens");
        Files.writeString(channels, shipped.replace(escalate,
                "escalate: {unopenedFor: " + after.toSeconds() + "s, to: [finance-push], priorities: [URGENT]}"));
        return world;
    }

    private static void insertUrgent(IntakeFixture world, int n) {
        world.insertText("support", """
                From: Monitoring <noc%1$d@globex.example>
                To: support@acme.example
                Subject: Urgent: database %1$d is down
                Message-ID: <urgent-%1$d@globex.example>

                Nothing answers on db-%1$d.
                """.formatted(n));
    }

    private static long emailsSent(ServiceProcess service) {
        List<String> sent = new ArrayList<>();
        service.api("/api/deliveries?limit=500&status=SENT").get("items").forEach(d -> {
            if ("email".equals(d.path("channel").asText())) {
                sent.add(d.path("id").asText());
            }
        });
        return sent.size();
    }

    private static int webhookPushes(IntakeFixture world) {
        return world.sandbox.admin().pushInbox().of("webhook").size();
    }

    /** The Acknowledge link's token, from the notice in the team's inbox. */
    private String ackToken(IntakeFixture world) throws Exception {
        var gmail = world.gmailClient("team");
        MimeParser parser = new MimeParser(new AttachmentStore(work.resolve("parsed"), 1 << 20));
        for (Message ref : gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute().getMessages()) {
            String text = parser.parse(gmail.users().messages().get("me", ref.getId()).setFormat("raw").execute().decodeRaw())
                    .textBody();
            Matcher m = ACK_TOKEN.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no Acknowledge link in the team's inbox");
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
