package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.ModifyMessageRequest;
import io.mailroute.events.EventSchemas;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar and the sandbox: a notice emailed to team@, itself a monitored mailbox, becomes OPENED when the
 * team reads it in Gmail (UNREAD removed), once, and intake takes neither the notice nor the read as new mail.
 */
class GmailReadEngagementIT {

    private static final Duration SOON = Duration.ofSeconds(45);

    @TempDir
    Path work;

    @Test
    void aNoticeReadInTheRecipientsOwnMonitoredMailboxIsOpenedOnce() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "team"), "")) {
            world.triageEverythingTo("ops-email");
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                world.insertText("support", """
                        From: Mei Chen <m.chen@globex.example>
                        To: support@acme.example
                        Subject: Help, cannot log in
                        Message-ID: <login-read-1@globex.example>

                        Please help.
                        """);
                service.await(SOON, "the notice SENT", () -> service.api("/api/deliveries?status=SENT").path("items").size() == 1);
                JsonNode delivery = service.api("/api/deliveries?status=SENT").path("items").get(0);
                assertEquals(IntakeFixture.TEAM, delivery.path("address").asText());
                assertTrue(delivery.path("engagement").isNull(), delivery.toString());

                Gmail team = world.gmailClient("team");
                String notice = only(team.users().messages().list("me")
                        .setQ("rfc822msgid:" + delivery.path("messageId").asText()).execute().getMessages());
                assertTrue(team.users().messages().get("me", notice).setFormat("minimal").execute().getLabelIds()
                        .contains("UNREAD"), "it arrived unread");
                // a message we never sent, read too: nothing to record
                String foreign = world.insertText("team", """
                        From: someone@globex.example
                        To: team@acme.example
                        Subject: Lunch?
                        Message-ID: <lunch-1@globex.example>

                        12:30?
                        """);
                service.await(SOON, "the foreign message ingested by team@", () -> service.events("message.received").size() == 2);

                read(team, foreign);
                read(team, notice);
                service.await(SOON, "the delivery OPENED", () -> "OPENED".equals(
                        service.api("/api/deliveries?engagement=OPENED").path("items").path(0).path("engagement").asText()));
                JsonNode opened = service.api("/api/deliveries?engagement=OPENED").path("items").get(0);
                assertEquals(delivery.path("id").asLong(), opened.path("id").asLong());
                assertTrue(opened.hasNonNull("openedAt"), opened.toString());

                // read again (unread, then read): still once; and intake has not taken the notice or a read as new mail
                team.users().messages().modify("me", notice, new ModifyMessageRequest().setAddLabelIds(List.of("UNREAD")))
                        .execute();
                read(team, notice);
                BigInteger afterTheReads = team.users().getProfile("me").execute().getHistoryId();
                service.await(SOON, "team@'s poll past the reads", () -> {
                    for (JsonNode m : service.api("/api/mailboxes").path("items")) {
                        if (m.path("id").asText().equals("team") && !m.path("historyId").isNull()) {
                            return new BigInteger(m.path("historyId").asText()).compareTo(afterTheReads) >= 0;
                        }
                    }
                    return false;
                });
                List<JsonNode> openedEvents = service.events("delivery.opened");
                assertEquals(1, openedEvents.size(), openedEvents.toString());
                EventSchemas.assertValid("engagement-events.schema.json", openedEvents.get(0));
                assertEquals("gmail-read", openedEvents.get(0).at("/data/source").asText());
                assertEquals(delivery.path("id").asLong(), openedEvents.get(0).at("/data/deliveryId").asLong());
                assertEquals(2, service.events("message.received").size(), "the customer's mail and the foreign one");
                assertEquals(0, service.api("/api/deliveries?engagement=ACTED").path("items").size());
            }
        }
    }

    private static void read(Gmail gmail, String id) throws java.io.IOException {
        gmail.users().messages().modify("me", id, new ModifyMessageRequest().setRemoveLabelIds(List.of("UNREAD"))).execute();
    }

    private static String only(List<Message> messages) {
        assertEquals(1, messages == null ? 0 : messages.size(), "one notice in team@: " + messages);
        return messages.get(0).getId();
    }
}
