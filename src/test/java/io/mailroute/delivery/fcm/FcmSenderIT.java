package io.mailroute.delivery.fcm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import io.mailroute.sandbox.FcmReceiver;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.PushInbox;
import io.mailroute.sandbox.SandboxOptions;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** FcmSender against the sandbox's FCM: the real OAuth flow, the real wire, the provider's answers. */
class FcmSenderIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static GmailSandbox sandbox;
    static FcmReceiver fcm;

    @BeforeAll
    static void start() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        fcm = FcmReceiver.of(sandbox);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static FcmSender sender() throws Exception {
        return new FcmSender(FcmReceiver.testAccount(sandbox.rootUrl()), FcmReceiver.baseUrl(sandbox.rootUrl()), HTTP,
                Clock.systemUTC());
    }

    static PushTarget device(String token) {
        return new PushTarget("mobile", "ana", token, Map.of());
    }

    static Notification notification() {
        return new Notification("dlv-" + UUID.randomUUID(), "evt-1", "case.created", "New case #42",
                "Printer on fire.", "https://work.example/items/42", Map.of("itemId", "42"));
    }

    static List<PushInbox.Push> pushesTo(String token) {
        return sandbox.admin().pushInbox().of("fcm").stream().filter(p -> p.target().equals(token)).toList();
    }

    @Test
    void aNotificationArrivesAsAValidV1MessageWithOneTokenForManySends() throws Exception {
        FcmSender sender = sender();
        String token = "tok-" + UUID.randomUUID();
        int tokenCallsBefore = fcm.tokenRequests();
        Notification n = notification();

        SendResult result = sender.send(n, device(token));
        for (int i = 0; i < 4; i++) {
            assertEquals(Outcome.DELIVERED, sender.send(notification(), device(token)).outcome());
        }

        assertEquals(Outcome.DELIVERED, result.outcome(), result.detail());
        assertTrue(result.providerId().startsWith("projects/" + FcmReceiver.PROJECT_ID + "/messages/0:"),
                result.providerId());
        assertEquals(1, fcm.tokenRequests() - tokenCallsBefore, "one token for five sends");
        PushInbox.Push first = pushesTo(token).get(0);
        assertTrue(first.accepted(), first.verdict());
        JsonNode message = JSON.readTree(first.payload()).get("message");
        assertEquals(token, message.get("token").asText());
        assertEquals("New case #42", message.at("/notification/title").asText());
        assertEquals("Printer on fire.", message.at("/notification/body").asText());
        assertEquals(n.deliveryId(), message.at("/data/deliveryId").asText());
        assertEquals("42", message.at("/data/itemId").asText());
        assertEquals(5, pushesTo(token).size());
    }

    @Test
    void anUnregisteredTokenIsTargetGone() throws Exception {
        String token = "tok-uninstalled-" + UUID.randomUUID();
        fcm.markUnregistered(token);
        SendResult result = sender().send(notification(), device(token));
        assertEquals(Outcome.TARGET_GONE, result.outcome(), result.detail());
        assertTrue(result.detail().contains("UNREGISTERED"), result.detail());
        assertFalse(pushesTo(token).get(0).accepted());
    }

    @Test
    void unavailableAndQuotaAreRetriedWithTheProvidersRetryAfter() throws Exception {
        FcmSender sender = sender();
        String token = "tok-" + UUID.randomUUID();
        fcm.failNext(503, 1, Duration.ofSeconds(17));
        SendResult unavailable = sender.send(notification(), device(token));
        fcm.failNext(429, 1, Duration.ofSeconds(60));
        SendResult quota = sender.send(notification(), device(token));
        SendResult after = sender.send(notification(), device(token));

        assertEquals(Outcome.RETRY, unavailable.outcome(), unavailable.detail());
        assertEquals(Duration.ofSeconds(17), unavailable.retryAfter());
        assertTrue(unavailable.detail().contains("UNAVAILABLE"), unavailable.detail());
        assertEquals(Outcome.RETRY, quota.outcome(), quota.detail());
        assertEquals(Duration.ofSeconds(60), quota.retryAfter());
        assertTrue(quota.detail().contains("QUOTA_EXCEEDED"), quota.detail());
        assertEquals(Outcome.DELIVERED, after.outcome(), "the fault plan is used up");
    }

    @Test
    void revokedAccessTokensAreReplacedTransparently() throws Exception {
        FcmSender sender = sender();
        String token = "tok-" + UUID.randomUUID();
        assertEquals(Outcome.DELIVERED, sender.send(notification(), device(token)).outcome());
        int before = fcm.tokenRequests();
        fcm.revokeAccessTokens();

        SendResult result = sender.send(notification(), device(token));

        assertEquals(Outcome.DELIVERED, result.outcome(), result.detail());
        assertEquals(before + 1, fcm.tokenRequests());
        List<PushInbox.Push> pushes = pushesTo(token);
        assertEquals(401, pushes.get(1).status(), "the stale token was refused on the wire");
        assertTrue(pushes.get(2).accepted());
    }

    @Test
    void aKeyTheSandboxDoesNotKnowFails() throws Exception {
        ServiceAccount real = FcmReceiver.testAccount(sandbox.rootUrl());
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        ServiceAccount forged = new ServiceAccount(real.projectId(), real.clientEmail(),
                (java.security.interfaces.RSAPrivateKey) generator.generateKeyPair().getPrivate(), real.tokenUri());
        String token = "tok-" + UUID.randomUUID();

        SendResult result = new FcmSender(forged, FcmReceiver.baseUrl(sandbox.rootUrl()), HTTP, Clock.systemUTC())
                .send(notification(), device(token));

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.detail().contains("invalid_grant"), result.detail());
        assertTrue(pushesTo(token).isEmpty(), "no token, no send");
    }

    @Test
    void anotherProjectIsPermissionDenied() throws Exception {
        ServiceAccount real = FcmReceiver.testAccount(sandbox.rootUrl());
        ServiceAccount otherProject = new ServiceAccount("someone-elses", real.clientEmail(), real.privateKey(),
                real.tokenUri());
        SendResult result = new FcmSender(otherProject, FcmReceiver.baseUrl(sandbox.rootUrl()), HTTP,
                Clock.systemUTC()).send(notification(), device("tok-" + UUID.randomUUID()));
        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.detail().startsWith("fcm 403"), result.detail());
    }
}
