package io.mailroute.delivery.appworks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import io.mailroute.sandbox.AppWorksReceiver;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.PushInbox;
import io.mailroute.sandbox.SandboxOptions;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AppWorksSenderIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static GmailSandbox sandbox;
    static AppWorksReceiver gateway;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        gateway = AppWorksReceiver.of(sandbox);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static AppWorksSender sender(String key) {
        return new AppWorksSender(AppWorksReceiver.gatewayUrl(sandbox.rootUrl()), "mailroute", key,
                "mailroute-approvals", HTTP);
    }

    static List<PushInbox.Push> to(String user) {
        return sandbox.admin().pushInbox().of("appworks").stream().filter(p -> p.target().equals(user)).toList();
    }

    static Notification notification() {
        return new Notification("dlv-" + UUID.randomUUID(), "evt-5", "approval.requested", "Approve invoice 7781?",
                "Acme Ltd, 1 240 EUR.", "https://work.example/approvals/7781", Map.of("itemId", "7781"));
    }

    @Test
    void theGatewayRecordsUserAndMessage() throws Exception {
        String user = "otto-" + UUID.randomUUID();
        Notification n = notification();
        SendResult result = sender(gateway.trustedServerKey()).send(n,
                new PushTarget("appworks", "otto", user, Map.of()));

        assertEquals(Outcome.DELIVERED, result.outcome(), result.detail());
        PushInbox.Push push = to(user).get(0);
        assertTrue(push.accepted(), push.verdict());
        JsonNode message = JSON.readTree(push.payload());
        assertEquals("mailroute-approvals", message.get("type").asText());
        assertEquals("Approve invoice 7781?", message.get("header").asText());
        assertEquals("Acme Ltd, 1 240 EUR.", message.get("body").asText());
        assertEquals(n.deliveryId(), message.get("deliveryId").asText());
        assertEquals("7781", message.at("/data/itemId").asText());
        assertFalse(push.payload().contains(gateway.trustedServerKey()), "the key is not part of what is recorded");
    }

    @Test
    void aWrongTrustedServerKeyFails() throws Exception {
        String user = "eve-" + UUID.randomUUID();
        SendResult result = sender("not-the-key").send(notification(), new PushTarget("appworks", "eve", user,
                Map.of()));
        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(401, to(user).get(0).status());
    }

    @Test
    void gatewayOutagesAreRetriedWithRetryAfter() throws Exception {
        String user = "otto-" + UUID.randomUUID();
        gateway.failNext(503, 1, Duration.ofSeconds(8));
        SendResult result = sender(gateway.trustedServerKey()).send(notification(),
                new PushTarget("appworks", "otto", user, Map.of()));
        assertEquals(Outcome.RETRY, result.outcome());
        assertEquals(Duration.ofSeconds(8), result.retryAfter());
    }
}
