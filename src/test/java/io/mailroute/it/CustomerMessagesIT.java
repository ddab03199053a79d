package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import io.mailroute.gmail.mime.ParsedMail;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The communication loop against the packaged jar and the sandbox, with the shipped channels and templates: a customer's
 * mail makes a case; an agent's request for information reaches the customer in their own Gmail thread and the case
 * waits; the customer's answer in the thread brings it back to OPEN with the answer attached; a status update follows
 * in the same thread.
 */
class CustomerMessagesIT {

    private static final Duration SOON = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aRequestForInformationGoesInTheCustomersThreadAndTheirReplyReopensTheCase() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support"), "")) {
            world.triageEverythingTo("ops-email");
            world.sandbox.admin().addUser("customer@globex.example", "refresh-customer");
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                String original = world.insertText("support", """
                        From: Pat Customer <customer@globex.example>
                        To: support@acme.example
                        Subject: Help with my order
                        Message-ID: <order-help-1@globex.example>

                        Where is my order?
                        """);
                service.await(SOON, "the case", () -> service.api("/api/items").path("items").size() == 1);
                long item = service.api("/api/items").path("items").get(0).path("itemId").asLong();
                Gmail support = world.gmailClient("support");
                String threadId = support.users().messages().get("me", original).setFormat("minimal").execute().getThreadId();

                HttpResponse<String> asked = service.request("POST", "/api/items/" + item + "/messages",
                        "{\"template\":\"request-info\",\"text\":\"Could you send us the <order number>?\\nIt is on the receipt.\"}");
                assertEquals(202, asked.statusCode(), asked.body());
                JsonNode answer = JSON.readTree(asked.body());
                assertEquals("customer@globex.example", answer.path("to").asText(), answer.toString());
                assertEquals("WAITING_FOR_INFO", answer.path("state").asText(), answer.toString());
                String askedEvent = answer.path("events").get(0).path("id").asText();
                assertEquals("item.info-requested", answer.path("events").get(0).path("type").asText());
                service.await(SOON, "the request SENT", () -> statuses(service, askedEvent).equals(List.of("SENT")));

                Gmail customer = world.gmailClientFor("customer@globex.example");
                List<ParsedMail> inbox = inbox(customer, work);
                assertEquals(1, inbox.size(), "one email to the customer");
                ParsedMail request = inbox.get(0);
                assertEquals("Re: Help with my order", request.subject());
                assertEquals("order-help-1@globex.example", request.inReplyTo());
                assertEquals(List.of("order-help-1@globex.example"), request.references());
                assertTrue(request.textBody().contains("Could you send us the <order number>?"), request.textBody());
                assertTrue(request.textBody().contains("case #" + item), request.textBody());
                assertTrue(request.htmlBody().contains("Could you send us the &lt;order number&gt;?"), request.htmlBody());
                Message sent = sentTo(support, "customer@globex.example").get(0);
                assertEquals(threadId, sent.getThreadId(), "the request sits in the customer's thread in support@");
                assertEquals("WAITING_FOR_INFO", service.api("/api/items/" + item).path("state").asText());

                // The customer answers in the thread: attached to the case, which is OPEN again.
                world.insertText("support", """
                        From: Pat Customer <customer@globex.example>
                        To: support@acme.example
                        Subject: Re: Help with my order
                        Message-ID: <order-help-2@globex.example>
                        In-Reply-To: <%s>
                        References: <order-help-1@globex.example> <%s>

                        It is 4471.
                        """.formatted(request.messageId(), request.messageId()));
                service.await(SOON, "item.replied", () -> service.events("item.replied").size() == 1);
                JsonNode reopened = service.api("/api/items/" + item);
                assertEquals("OPEN", reopened.path("state").asText(), reopened.toString());
                assertEquals(List.of("CREATED", "REPLY"), relations(reopened));
                assertEquals(1, service.events("case.created").size(), "the answer opened no new case");
                List<String> moves = new ArrayList<>();
                service.events("item.state-changed").forEach(e -> moves.add(e.at("/data/from").asText() + "->"
                        + e.at("/data/to").asText() + " by " + e.at("/data/by").asText().replaceAll("^token:.*", "token")));
                assertEquals(List.of("OPEN->WAITING_FOR_INFO by token",
                        "WAITING_FOR_INFO->OPEN by reply from customer@globex.example"), moves);

                // A status update: the same thread, the state stays.
                HttpResponse<String> update = service.request("POST", "/api/items/" + item + "/messages",
                        "{\"template\":\"status-update\",\"text\":\"Your order ships today.\",\"idempotencyKey\":\"upd-1\"}");
                assertEquals(202, update.statusCode(), update.body());
                assertEquals("OPEN", JSON.readTree(update.body()).path("state").asText());
                String updateEvent = JSON.readTree(update.body()).path("events").get(0).path("id").asText();
                service.await(SOON, "the update SENT", () -> statuses(service, updateEvent).equals(List.of("SENT")));
                // the client retries it (a timeout): the first one's answer, nothing more for the customer
                HttpResponse<String> retried = service.request("POST", "/api/items/" + item + "/messages",
                        "{\"template\":\"status-update\",\"text\":\"Your order ships today.\",\"idempotencyKey\":\"upd-1\"}");
                assertEquals(200, retried.statusCode(), retried.body());
                assertEquals(updateEvent, JSON.readTree(retried.body()).path("events").get(0).path("id").asText());
                assertEquals(1, service.events("item.status-update").size(), "one status update event");
                List<Message> toCustomer = sentTo(support, "customer@globex.example");
                assertEquals(2, toCustomer.size());
                toCustomer.forEach(m -> assertEquals(threadId, m.getThreadId(), "every message in the customer's thread"));
                assertTrue(inbox(customer, work).stream().anyMatch(m -> m.textBody().contains("Your order ships today.")));
            }
        }
    }

    /** customer-reply sends from the case's own mailbox ($mailbox): a case in accounts@ is answered in accounts@' thread. */
    @Test
    void aCaseInAnotherMailboxIsAnsweredFromThatMailboxInItsThread() throws Exception {
        try (IntakeFixture world = new IntakeFixture(work, List.of("support", "accounts"), "")) {
            world.triageEverythingTo("ops-email");
            world.sandbox.admin().addUser("customer@globex.example", "refresh-customer");
            try (ServiceProcess service = world.service().start().awaitUp(SOON)) {
                String original = world.insertText("accounts", """
                        From: Pat Customer <customer@globex.example>
                        To: accounts@acme.example
                        Subject: Help with my order invoice
                        Message-ID: <invoice-help-1@globex.example>

                        The invoice for my order is missing.
                        """);
                service.await(SOON, "the case", () -> service.api("/api/items?mailbox=accounts").path("items").size() == 1);
                long item = service.api("/api/items?mailbox=accounts").path("items").get(0).path("itemId").asLong();

                HttpResponse<String> update = service.request("POST", "/api/items/" + item + "/messages",
                        "{\"template\":\"status-update\",\"text\":\"The invoice is on its way.\"}");
                assertEquals(202, update.statusCode(), update.body());
                String event = JSON.readTree(update.body()).path("events").get(0).path("id").asText();
                service.await(SOON, "the update SENT", () -> statuses(service, event).equals(List.of("SENT")));

                Gmail accounts = world.gmailClient("accounts");
                String threadId = accounts.users().messages().get("me", original).setFormat("minimal").execute().getThreadId();
                List<Message> sent = sentTo(accounts, "customer@globex.example");
                assertEquals(1, sent.size(), "sent from accounts@");
                assertEquals(threadId, sent.get(0).getThreadId(), "in the customer's thread in accounts@");
                assertEquals(List.of(), sentTo(world.gmailClient("support"), "customer@globex.example"), "not from support@");
                ParsedMail mail = inbox(world.gmailClientFor("customer@globex.example"), work).get(0);
                assertEquals("Re: Help with my order invoice", mail.subject());
                assertEquals("invoice-help-1@globex.example", mail.inReplyTo());
            }
        }
    }

    private static List<String> statuses(ServiceProcess service, String eventId) {
        List<String> statuses = new ArrayList<>();
        service.api("/api/deliveries?event=" + eventId).get("items").forEach(d -> statuses.add(d.get("status").asText()));
        return statuses;
    }

    private static List<String> relations(JsonNode item) {
        List<String> relations = new ArrayList<>();
        item.path("messages").forEach(m -> relations.add(m.path("relation").asText()));
        return relations;
    }

    /** support@'s sent mail to one address (the team's notification of the case goes elsewhere). */
    private static List<Message> sentTo(Gmail support, String address) throws Exception {
        List<Message> found = new ArrayList<>();
        var sent = support.users().messages().list("me").setLabelIds(List.of("SENT")).execute().getMessages();
        for (Message ref : sent == null ? List.<Message>of() : sent) {
            Message m = support.users().messages().get("me", ref.getId()).setFormat("metadata")
                    .setMetadataHeaders(List.of("To")).execute();
            if (m.getPayload().getHeaders().stream().anyMatch(h -> h.getName().equalsIgnoreCase("To")
                    && h.getValue().contains(address))) {
                found.add(m);
            }
        }
        return found;
    }

    private static List<ParsedMail> inbox(Gmail gmail, Path work) throws Exception {
        return IntakeFixture.inbox(gmail, work.resolve("parsed"));
    }
}
