package io.mailroute.it;

import static io.mailroute.testing.TestMail.inbox;
import static io.mailroute.testing.TestMail.part;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A digest end to end: the packaged service, the sandbox, the delivery pipeline. Mail comes in, becomes items in a
 * queue the team owns, the team is notified; {@code reports run ID --period P} through the running service sends the
 * team one digest with those numbers in its body (text and HTML), and the manager who owns no queue nothing.
 */
class DigestIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path work;

    @Test
    void theDigestEmailArrivesWithTheNumbersOfTheQueuesItsRecipientOwnsOncePerPeriod() throws Exception {
        // A daily digest in UTC: the period of tomorrow's firing covers today, where the mail below arrives.
        String period = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "")) {
            world.triageEverythingTo("ops-email"); // "help" mail → queue support, the team told by email; the rest → triage
            Path channels = world.configDir.resolve("channels.yaml");
            Files.writeString(channels, Files.readString(channels).replace("owners:\n  queues:\n",
                    "owners:\n  queues:\n    support: [ops-email]\n"));
            Files.writeString(world.configDir.resolve("reports.yaml"), """
                    reports:
                      - id: daily-digest
                        title: Daily digest
                        owner: team
                        mailbox: support
                        schedule: {cron: "0 0 0 * * ?", zone: UTC}
                        source: {type: digest}
                        recipients: [managers]
                        subject: "{{report.title}} {{period.key}}"
                    """);
            world.sandbox.admin().addUser("r.okafor@acme.example", "refresh-okafor");
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                world.insertText("support", "From: <a@globex.example>\nTo: support@acme.example\nSubject: help with login\n"
                        + "Message-ID: <d1@globex.example>\n\nPlease help.\n");
                world.insertText("support", "From: <b@globex.example>\nTo: support@acme.example\nSubject: help, my order\n"
                        + "Message-ID: <d2@globex.example>\n\nPlease help.\n");
                world.insertText("support", "From: <c@globex.example>\nTo: support@acme.example\nSubject: hello\n"
                        + "Message-ID: <d3@globex.example>\n\nJust saying hello.\n");
                service.await(WAIT, "three cases", () -> service.events("case.created").size() == 3);
                service.await(WAIT, "the team's two notices sent", () -> sentEmails(service) == 2);

                ServiceProcess.CommandResult ran = service.run("reports", "run", "daily-digest", "--period", period);
                assertEquals(0, ran.exit(), ran.output());

                Gmail team = world.gmailClientFor(IntakeFixture.TEAM);
                service.await(WAIT, "the team's digest", () -> digests(team).size() == 1);
                MimeMessage digest = digests(team).get(0);
                assertEquals("Daily digest " + period, digest.getSubject());
                String text = new String(part(digest, "text/plain").orElseThrow(), StandardCharsets.UTF_8);
                String html = new String(part(digest, "text/html").orElseThrow(), StandardCharsets.UTF_8);
                assertTrue(text.contains("Your queues: accounts-payable, finance-exceptions, ops-oncall, support."), text);
                assertTrue(text.contains("finance-exceptions: 0 / 0 / 0 / 0 / 0 / 0"), "an owned queue, quiet:\n" + text);
                assertTrue(text.contains("support: 2 / 0 / 0 / 0 / 0 / 0"), "two items opened in support:\n" + text);
                assertFalse(text.contains("triage"), "a queue the team does not own:\n" + text);
                assertTrue(text.contains("email: 2 / 0 / 0 / 0"), "the two notices sent by email:\n" + text);
                assertTrue(html.contains("<td>support</td><td align=\"right\">2</td>"), html);
                assertTrue(part(digest, "application/json").isEmpty() && part(digest, "application/pdf").isEmpty(),
                        "nothing attached");

                JsonNode run = service.api("/api/reports/daily-digest/runs").path("runs").path(0);
                assertEquals("DONE", run.path("state").asText(), run.toString());
                List<String> statuses = new ArrayList<>();
                run.path("recipients").forEach(r -> statuses.add(r.path("address").asText() + " " + r.path("status").asText()));
                service.await(WAIT, "the team's digest SENT", () -> recipientStatus(service, IntakeFixture.TEAM).equals("SENT"));
                assertTrue(statuses.contains("r.okafor@acme.example SKIPPED"), statuses.toString());
                assertTrue(StreamSupport.stream(run.path("recipients").spliterator(), false)
                        .filter(r -> r.path("status").asText().equals("SKIPPED"))
                        .allMatch(r -> r.path("lastError").asText().contains("owns no queue")), run.toString());

                // the same period again: nothing more
                ServiceProcess.CommandResult again = service.run("reports", "run", "daily-digest", "--period", period);
                assertTrue(again.output().contains("a period is sent once"), again.output());
                assertEquals(1, digests(team).size());
                assertTrue(inbox(world.gmailClientFor("r.okafor@acme.example")).isEmpty());
            }
        }
    }

    private static long sentEmails(ServiceProcess service) {
        return StreamSupport.stream(service.api("/api/deliveries?limit=500").path("items").spliterator(), false)
                .filter(d -> "email".equals(d.path("channel").asText()) && "SENT".equals(d.path("status").asText())).count();
    }

    private static String recipientStatus(ServiceProcess service, String address) {
        for (JsonNode r : service.api("/api/reports/daily-digest/runs").path("runs").path(0).path("recipients")) {
            if (address.equals(r.path("address").asText())) {
                return r.path("status").asText();
            }
        }
        return "";
    }

    private static List<MimeMessage> digests(Gmail gmail) {
        return inbox(gmail).stream().filter(m -> {
            try {
                return m.getSubject() != null && m.getSubject().startsWith("Daily digest");
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).toList();
    }
}
