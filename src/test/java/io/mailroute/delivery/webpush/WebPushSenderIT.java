package io.mailroute.delivery.webpush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sender against the sandbox's Web Push receiver, which verifies VAPID and decrypts like a browser. */
class WebPushSenderIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final VapidKeys VAPID = VapidKeys.generate();
    private static final String SUBJECT = "mailto:ops@acme.example";
    private static final Notification CASE = new Notification("delivery-1", "event-1", "case.created",
            "New case: refund", "Order 7 was charged twice.", "https://wf.acme.example/items/42",
            Map.of("itemId", "42", "queue", "billing", "priority", "URGENT"));
    private static final String CASE_JSON = "{\"title\":\"New case: refund\",\"body\":\"Order 7 was charged twice.\","
            + "\"url\":\"https://wf.acme.example/items/42\",\"data\":{\"itemId\":\"42\",\"priority\":\"URGENT\","
            + "\"queue\":\"billing\"},\"deliveryId\":\"delivery-1\"}";

    private static GmailSandbox sandbox;
    private static WebPushSender sender;

    @BeforeAll
    static void start() throws IOException {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        sender = new WebPushSender(VAPID, SUBJECT, HTTP, Clock.systemUTC(), Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    /** What a browser hands the application server after {@code pushManager.subscribe({applicationServerKey})}. */
    private static PushTarget subscribe(String applicationServerKey) throws Exception {
        String body = applicationServerKey == null ? "" : "{\"applicationServerKey\":\"" + applicationServerKey + "\"}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(sandbox.rootUrl() + "push/webpush/subscribe"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        JsonNode json = JSON.readTree(response.body());
        return new PushTarget("browser", "ana@acme.example", json.get("endpoint").asText(),
                Map.of("p256dh", json.at("/keys/p256dh").asText(), "auth", json.at("/keys/auth").asText()));
    }

    private static String id(PushTarget target) {
        return target.address().substring(target.address().lastIndexOf('/') + 1);
    }

    private static List<PushInbox.Push> pushesTo(PushTarget target) {
        return sandbox.admin().pushInbox().of("webpush").stream().filter(p -> p.target().equals(id(target))).toList();
    }

    private static int control(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void theBrowserDecryptsTheExactPayloadAndTheVapidChecksPass() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());

        SendResult result = sender.send(CASE, target);

        assertEquals(Outcome.DELIVERED, result.outcome(), result.detail());
        assertTrue(result.providerId().startsWith(sandbox.rootUrl() + "push/webpush/message/"), result.providerId());
        List<PushInbox.Push> pushes = pushesTo(target);
        assertEquals(1, pushes.size());
        PushInbox.Push push = pushes.get(0);
        assertTrue(push.accepted());
        assertEquals(201, push.status());
        assertEquals(CASE_JSON, push.payload());
        assertEquals("vapid ok (aud, exp, sub, signature); aes128gcm decrypted", push.verdict());
        assertEquals(Map.of("TTL", "3600", "Urgency", "high", "Topic", "42", "Content-Encoding", "aes128gcm",
                "Content-Type", "application/octet-stream"), push.headers());
    }

    @Test
    void anUnrestrictedSubscriptionAcceptsAnyValidlySignedPush() throws Exception {
        PushTarget target = subscribe(null);
        WebPushSender other = new WebPushSender(VapidKeys.generate(), "https://acme.example/contact", HTTP,
                Clock.systemUTC(), Duration.ZERO);

        assertEquals(Outcome.DELIVERED, other.send(CASE, target).outcome());
        assertEquals("0", pushesTo(target).get(0).headers().get("TTL"));
    }

    @Test
    void anUnsubscribedBrowserIsTargetGone() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        assertEquals(204, control("DELETE", "push/webpush/" + id(target)));

        SendResult result = sender.send(CASE, target);

        assertEquals(Outcome.TARGET_GONE, result.outcome(), result.detail());
        assertTrue(result.detail().startsWith("webpush 410"), result.detail());
        assertEquals(410, pushesTo(target).get(0).status());
    }

    @Test
    void aThrottlingPushServiceIsRetriedAfterItsRetryAfter() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        assertEquals(204, control("POST", "push/webpush/" + id(target) + "/throttle?pushes=1&retryAfter=30"));

        SendResult throttled = sender.send(CASE, target);
        SendResult next = sender.send(CASE, target);

        assertEquals(Outcome.RETRY, throttled.outcome(), throttled.detail());
        assertEquals(Duration.ofSeconds(30), throttled.retryAfter());
        assertEquals(Outcome.DELIVERED, next.outcome(), "only the next push was throttled");
        assertEquals(List.of(429, 201), pushesTo(target).stream().map(PushInbox.Push::status).toList());
    }

    @Test
    void aPushSignedWithAnotherVapidKeyFails() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        WebPushSender wrongKey = new WebPushSender(VapidKeys.generate(), SUBJECT, HTTP, Clock.systemUTC(), Duration.ofHours(1));

        SendResult result = wrongKey.send(CASE, target);

        assertEquals(Outcome.FAILED, result.outcome(), result.detail());
        PushInbox.Push push = pushesTo(target).get(0);
        assertEquals(403, push.status());
        assertFalse(push.accepted());
        assertNull(push.payload(), "nothing is decrypted for a refused push");
    }

    @Test
    void aSenderWhoseClockIsADayBehindSendsAnExpiredJwtAndFails() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        WebPushSender stale = new WebPushSender(VAPID, SUBJECT, HTTP,
                Clock.offset(Clock.systemUTC(), Duration.ofHours(-13)), Duration.ofHours(1));

        SendResult result = stale.send(CASE, target);

        assertEquals(Outcome.FAILED, result.outcome(), result.detail());
        assertEquals(401, pushesTo(target).get(0).status());
        assertTrue(pushesTo(target).get(0).verdict().contains("expired"), pushesTo(target).get(0).verdict());
    }

    @Test
    void keysForAnotherBrowserDoNotDecryptAndThePushFails() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        PushTarget other = subscribe(VAPID.publicKeyBase64Url());
        PushTarget mixed = new PushTarget(target.channel(), target.recipient(), target.address(), other.keys());

        SendResult result = sender.send(CASE, mixed);

        assertEquals(Outcome.FAILED, result.outcome(), result.detail());
        PushInbox.Push push = pushesTo(target).get(0);
        assertEquals(400, push.status());
        assertTrue(push.verdict().contains("not decryptable"), push.verdict());
    }

    @Test
    void anUnreachablePushServiceIsRetried() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        PushTarget nowhere = new PushTarget(target.channel(), target.recipient(),
                "http://127.0.0.1:" + closedPort + "/push/webpush/x", target.keys());

        SendResult result = sender.send(CASE, nowhere);

        assertEquals(Outcome.RETRY, result.outcome(), result.detail());
        assertNull(result.retryAfter());
    }

    @Test
    void aSubscriptionWithoutKeysFailsWithoutAnyRequest() throws Exception {
        PushTarget target = subscribe(VAPID.publicKeyBase64Url());
        PushTarget keyless = new PushTarget(target.channel(), target.recipient(), target.address(), Map.of());

        SendResult result = sender.send(CASE, keyless);

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.detail().contains("ana@acme.example"), result.detail());
        assertTrue(pushesTo(target).isEmpty());
    }
}
