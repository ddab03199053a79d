package io.mailroute.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import com.sun.net.httpserver.HttpServer;
import io.mailroute.delivery.webhook.WebhookSender;
import io.mailroute.sandbox.PushInbox;
import io.mailroute.testing.TestMail;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approval emails through the packaged jar and the sandbox: the demo's PO request makes a request email that arrives
 * in the approver's own sandbox mailbox, in the thread of the PO mail, with three decision links (a GET of one decides
 * nothing); a decision tells the requester in the same thread; each email
 * is recorded with Gmail's ids; an urgent approval also pushes the approve link to the approver's phone; one with a
 * callback URL gets the decision POSTed, signed, and retried after a
 * first failure.
 */
class ApprovalMailIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPROVER = "r.okafor@acme.example";
    private static final String REQUESTER = "j.smith@acme.example";
    private static final String ORIGINAL_ID = "a1f0c3e2-po4471-approval@acme.example";
    private static final String CALLBACK_SECRET = "it-callback-secret-0123456789";
    private static final Pattern LINK = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/p/approvals/decide\\?t=[^\\s\"<>]+)");

    @TempDir
    Path work;

    @Test
    void theRequestReachesTheApproverInTheThreadAndTheOutcomeTheRequester() throws Exception {
        List<Callback> callbacks = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = calls.incrementAndGet() == 1 ? 503 : 200; // the first attempt fails: it must be retried
            callbacks.add(new Callback(status, exchange.getRequestHeaders().getFirst(WebhookSender.TIMESTAMP_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookSender.SIGNATURE_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookSender.DELIVERY_HEADER), new String(body, StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try (IntakeFixture world = new IntakeFixture(work, List.of("accounts"), "")) {
            world.sandbox.admin().addUser(APPROVER, "refresh-okafor");
            world.sandbox.admin().addUser(REQUESTER, "refresh-smith");
            world.environment.put("MAILROUTE_CALLBACK_SECRET", CALLBACK_SECRET);
            try (ServiceProcess service = world.service().start().awaitUp(WAIT)) {
                world.insertText("accounts", Files.readString(Path.of("config", "sandbox", "mail", "accounts@acme.example",
                        "03-approve-po-4471.eml")));
                service.await(WAIT, "the PO approval", () -> service.api("/api/approvals").path("items").size() == 1);
                long poId = service.api("/api/approvals").path("items").get(0).path("id").asLong();
                String originalThread = service.api("/api/approvals/" + poId).path("originalThreadId").asText();

                // the request, in the approver's own mailbox, answering the PO mail
                Gmail okafor = world.gmailClientFor(APPROVER);
                service.await(WAIT, "the request in " + APPROVER + "'s mailbox", () -> !inbox(okafor).isEmpty());
                MimeMessage request = raw(okafor, inbox(okafor).get(0));
                assertEquals("Re: Please approve PO-4471 - Vandelay Industries, 12,480.00 EUR", request.getSubject());
                assertEquals("<" + ORIGINAL_ID + ">", request.getHeader("In-Reply-To", null));
                assertTrue(request.getHeader("References", null).contains("<" + ORIGINAL_ID + ">"));
                assertEquals("accounts@acme.example", request.getReplyTo()[0].toString());
                String text = TestMail.textOf(request);
                assertTrue(text.contains("Vandelay Industries"), "the original's summary: " + text);
                assertTrue(text.contains("\"Approve\", \"Reject\" or \"Changes\" as the first word"), text);
                List<String> links = links(text);
                assertEquals(3, links.size(), text);
                assertTrue(links.get(0).endsWith("&d=approve") && links.get(1).endsWith("&d=reject")
                        && links.get(2).endsWith("&d=request-changes"), links.toString());

                // Gmail's ids recorded; the request went in the PO's own thread of accounts@
                JsonNode po = service.api("/api/approvals/" + poId);
                JsonNode sent = po.path("messages").get(0);
                assertEquals("request", sent.path("purpose").asText(), po.toString());
                assertEquals(APPROVER, sent.path("approver").asText());
                assertEquals(originalThread, sent.path("gmailThreadId").asText(), po.toString());
                Message inAccounts = world.gmailClient("accounts").users().messages().get("me", sent.path("gmailMessageId").asText())
                        .setFormat("metadata").execute();
                assertEquals(originalThread, inAccounts.getThreadId());

                // a scanner's GET decides nothing
                HttpClient plain = HttpClient.newHttpClient();
                for (String link : links) {
                    HttpResponse<String> page = plain.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, page.statusCode(), page.body());
                }
                assertEquals("PENDING", service.api("/api/approvals/" + poId).path("state").asText());

                // decided through the API: the requester is told in the same thread
                HttpResponse<String> decided = service.request("POST", "/api/approvals/" + poId + "/decision",
                        "{\"decision\":\"approve\",\"approver\":\"" + APPROVER + "\",\"comment\":\"released\"}");
                assertEquals(200, decided.statusCode(), decided.body());
                Gmail smith = world.gmailClientFor(REQUESTER);
                service.await(WAIT, "the outcome in " + REQUESTER + "'s mailbox", () -> !inbox(smith).isEmpty());
                MimeMessage outcome = raw(smith, inbox(smith).get(0));
                assertEquals("Re: Please approve PO-4471 - Vandelay Industries, 12,480.00 EUR", outcome.getSubject());
                assertEquals("<" + ORIGINAL_ID + ">", outcome.getHeader("In-Reply-To", null));
                assertTrue(TestMail.textOf(outcome).contains("was approved"), TestMail.textOf(outcome));
                assertTrue(TestMail.textOf(outcome).contains("released"), TestMail.textOf(outcome));
                service.await(WAIT, "the notice recorded", () -> service.api("/api/approvals/" + poId).path("messages").size() == 2);
                JsonNode notice = service.api("/api/approvals/" + poId).path("messages").get(1);
                assertEquals("notice", notice.path("purpose").asText());
                assertTrue(notice.path("approver").isNull(), notice.toString());
                assertEquals(originalThread, notice.path("gmailThreadId").asText());
                assertFalse(notice.path("gmailMessageId").asText().isEmpty());

                // an approval from another system: its decision is POSTed to its callback, signed, retried after a 503
                String callbackUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
                HttpResponse<String> created = service.request("POST", "/api/approvals", """
                        {"title":"Laptop for the new hire","requester":"mei@acme.example","approvers":["finance"],
                         "policy":"purchase-order","priority":"urgent","fields":{"amount":1890.00,"currency":"EUR"},
                         "callbackUrl":"%s","idempotencyKey":"it-callback-1"}"""
                        .formatted(callbackUrl));
                assertEquals(201, created.statusCode(), created.body());
                long laptopId = JSON.readTree(created.body()).path("id").asLong();

                // urgent: the approver's phone gets the approve link at the same moment as the email
                service.await(WAIT, "the urgent push", () -> !world.sandbox.admin().pushInbox().of("fcm").isEmpty());
                PushInbox.Push push = world.sandbox.admin().pushInbox().of("fcm").stream()
                        .filter(p -> p.target().contains("okafor")).findFirst().orElseThrow();
                Matcher pushed = LINK.matcher(push.payload().replace("\\u0026", "&"));
                assertTrue(pushed.find() && pushed.group(1).endsWith("&d=approve"), push.payload());
                service.await(WAIT, "the laptop request mailed too", () -> inbox(okafor).size() == 2);
                assertEquals(200, service.request("POST", "/api/approvals/" + laptopId + "/decision",
                        "{\"decision\":\"reject\",\"approver\":\"" + APPROVER + "\"}").statusCode());
                service.await(WAIT, "the callback delivered after a retry", () -> callbacks.stream().anyMatch(c -> c.status() == 200));
                assertEquals(503, callbacks.get(0).status());
                Callback delivered = callbacks.stream().filter(c -> c.status() == 200).findFirst().orElseThrow();
                assertEquals(callbacks.get(0).delivery(), delivered.delivery(), "a retry repeats the delivery id");
                assertTrue(WebhookSender.verify(CALLBACK_SECRET.getBytes(StandardCharsets.UTF_8), delivered.timestamp(),
                        delivered.body(), delivered.signature(), Clock.systemUTC(), Duration.ofMinutes(10)), delivered.toString());
                assertFalse(WebhookSender.verify("another-secret-0123456789".getBytes(StandardCharsets.UTF_8),
                        delivered.timestamp(), delivered.body(), delivered.signature(), Clock.systemUTC(), Duration.ofMinutes(10)));
                JsonNode event = JSON.readTree(delivered.body());
                assertEquals("approval.decided", event.path("type").asText());
                assertEquals(laptopId, event.at("/data/approvalId").asLong());
                assertEquals("REJECTED", event.at("/data/outcome").asText());
            }
        } finally {
            receiver.stop(0);
        }
    }

    private record Callback(int status, String timestamp, String signature, String delivery, String body) {
    }

    private static List<String> inbox(Gmail gmail) {
        try {
            var listed = gmail.users().messages().list("me").setLabelIds(List.of("INBOX")).execute().getMessages();
            return listed == null ? List.of() : listed.stream().map(Message::getId).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static MimeMessage raw(Gmail gmail, String id) throws Exception {
        Message message = gmail.users().messages().get("me", id).setFormat("raw").execute();
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(Base64.getUrlDecoder().decode(message.getRaw())));
    }

    private static List<String> links(String text) {
        Matcher m = LINK.matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        assertNotNull(text);
        return out;
    }
}
