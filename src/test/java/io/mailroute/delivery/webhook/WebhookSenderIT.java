package io.mailroute.delivery.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.PushInbox;
import io.mailroute.sandbox.SandboxOptions;
import io.mailroute.sandbox.WebhookReceiver;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebhookSenderIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final byte[] SECRET = "it-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final PushTarget TARGET = new PushTarget("ops-hook", "ops", null, Map.of());
    static GmailSandbox sandbox;
    static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        receiver = WebhookReceiver.of(sandbox);
        receiver.setSecret(SECRET);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static String hook() {
        return "hook-" + UUID.randomUUID();
    }

    static WebhookSender sender(String hook, byte[] secret, Clock clock) {
        return new WebhookSender(sandbox.rootUrl() + "push/webhook/" + hook, secret, HTTP, clock);
    }

    static List<PushInbox.Push> at(String hook) {
        return sandbox.admin().pushInbox().of("webhook").stream().filter(p -> p.target().equals("/" + hook)).toList();
    }

    static Notification notification() {
        return new Notification("dlv-" + UUID.randomUUID(), "evt-9", "sla.breached", "SLA breached: case #42",
                "No reply for 4 h.", null, Map.of("itemId", "42", "queue", "support"));
    }

    @Test
    void theReceiverVerifiesAndRecordsTheSignedJson() throws Exception {
        String hook = hook();
        Notification n = notification();
        SendResult result = sender(hook, SECRET, Clock.systemUTC()).send(n, TARGET);

        assertEquals(Outcome.DELIVERED, result.outcome(), result.detail());
        PushInbox.Push push = at(hook).get(0);
        assertTrue(push.accepted(), push.verdict());
        assertTrue(push.verdict().startsWith("signature valid"), push.verdict());
        assertEquals(n.deliveryId(), push.headers().get("X-Mailroute-Delivery"));
        JsonNode body = JSON.readTree(push.payload());
        assertEquals(n.deliveryId(), body.get("deliveryId").asText());
        assertEquals("sla.breached", body.get("eventType").asText());
        assertEquals("SLA breached: case #42", body.get("title").asText());
        assertTrue(body.get("url").isNull());
        assertEquals("support", body.at("/data/queue").asText());
    }

    @Test
    void aRetriedDeliveryIsAcceptedButRecognisedAsDuplicate() throws Exception {
        String hook = hook();
        Notification n = notification();
        WebhookSender sender = sender(hook, SECRET, Clock.systemUTC());
        sender.send(n, TARGET);
        assertEquals(Outcome.DELIVERED, sender.send(n, TARGET).outcome());
        assertTrue(at(hook).get(1).verdict().contains("duplicate"), at(hook).get(1).verdict());
    }

    @Test
    void aWrongSecretIs401AndFailed() throws Exception {
        String hook = hook();
        SendResult result = sender(hook, "not-the-right-secret-000".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC()).send(notification(), TARGET);
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(401, at(hook).get(0).status());
        assertEquals("signature does not match", at(hook).get(0).verdict());
    }

    @Test
    void aStaleTimestampIsRefusedAsAReplay() throws Exception {
        String hook = hook();
        Clock tenMinutesAgo = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));
        SendResult result = sender(hook, SECRET, tenMinutesAgo).send(notification(), TARGET);
        assertEquals(Outcome.FAILED, result.outcome());
        assertFalse(at(hook).get(0).accepted());
        assertTrue(at(hook).get(0).verdict().contains("replay"), at(hook).get(0).verdict());
    }

    @Test
    void outagesAreRetriedWithRetryAfterAndGoneIsTargetGone() throws Exception {
        String hook = hook();
        WebhookSender sender = sender(hook, SECRET, Clock.systemUTC());
        receiver.failNext(503, 1, Duration.ofSeconds(12));
        SendResult down = sender.send(notification(), TARGET);
        receiver.failNext(429, 1, Duration.ofSeconds(3));
        SendResult slow = sender.send(notification(), TARGET);
        receiver.failNext(410, 1, null);
        SendResult gone = sender.send(notification(), TARGET);

        assertEquals(Outcome.RETRY, down.outcome());
        assertEquals(Duration.ofSeconds(12), down.retryAfter());
        assertEquals(Outcome.RETRY, slow.outcome());
        assertEquals(Duration.ofSeconds(3), slow.retryAfter());
        assertEquals(Outcome.TARGET_GONE, gone.outcome());
    }
}
