package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.webpush.P256Keys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The receiver's VAPID and header checks, each failure on its own; JWTs are built here, not by the sender. */
class WebPushReceiverTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final String ORIGIN = "http://127.0.0.1:8025";
    private static final KeyPair SERVER = P256Keys.generate();
    private static final KeyPair OTHER = P256Keys.generate();
    private static final String HEADER = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";

    private static String claims(String aud, Instant exp, String sub) {
        return "{\"aud\":\"" + aud + "\",\"exp\":" + exp.getEpochSecond() + ",\"sub\":\"" + sub + "\"}";
    }

    private static String good() {
        return claims(ORIGIN, NOW.plus(Duration.ofHours(12)), "mailto:ops@acme.example");
    }

    private static String b64(String s) {
        return P256Keys.base64Url(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String jwt(KeyPair signer, String header, String claims) {
        String input = b64(header) + "." + b64(claims);
        try {
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(signer.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + P256Keys.base64Url(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static String vapid(String jwt, KeyPair k) {
        return "vapid t=" + jwt + ", k=" + P256Keys.base64Url(P256Keys.encode((ECPublicKey) k.getPublic()));
    }

    private static WebPushReceiver.Check verify(String authorization) {
        return WebPushReceiver.verifyVapid(authorization, ORIGIN, NOW, null);
    }

    @Test
    void aWellFormedVapidHeaderPasses() {
        assertTrue(verify(vapid(jwt(SERVER, HEADER, good()), SERVER)).ok());
        assertTrue(verify("VAPID k=" + P256Keys.base64Url(P256Keys.encode((ECPublicKey) SERVER.getPublic()))
                + ",t=" + jwt(SERVER, HEADER, good())).ok(), "parameter order and scheme case do not matter");
    }

    static Stream<Arguments> refusals() {
        Instant hour = NOW.plus(Duration.ofHours(1));
        String sig = jwt(SERVER, HEADER, good());
        String[] parts = sig.split("\\.");
        return Stream.of(
                Arguments.of("no header", null, "no 'Authorization: vapid"),
                Arguments.of("legacy WebPush scheme", "WebPush " + sig, "no 'Authorization: vapid"),
                Arguments.of("no k", "vapid t=" + sig, "k is not a P-256 public key"),
                Arguments.of("no t", "vapid k=" + P256Keys.base64Url(P256Keys.encode((ECPublicKey) SERVER.getPublic())),
                        "t (the JWT) is missing"),
                Arguments.of("signed by another key", vapid(jwt(OTHER, HEADER, good()), SERVER), "signature does not verify"),
                Arguments.of("claims swapped after signing", vapid(parts[0] + "." + b64(claims(ORIGIN, hour, "mailto:x@y.z"))
                        + "." + parts[2], SERVER), "signature does not verify"),
                Arguments.of("alg none", vapid(b64("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + b64(good()) + ".", SERVER),
                        "alg ES256"),
                Arguments.of("aud of another push service", vapid(jwt(SERVER, HEADER,
                        claims("https://fcm.googleapis.com", hour, "mailto:ops@acme.example")), SERVER), "is not this push service's origin"),
                Arguments.of("aud with a path", vapid(jwt(SERVER, HEADER,
                        claims(ORIGIN + "/push/webpush/x", hour, "mailto:ops@acme.example")), SERVER), "is not this push service's origin"),
                Arguments.of("expired", vapid(jwt(SERVER, HEADER,
                        claims(ORIGIN, NOW.minusSeconds(1), "mailto:ops@acme.example")), SERVER), "expired"),
                Arguments.of("expires exactly now", vapid(jwt(SERVER, HEADER,
                        claims(ORIGIN, NOW, "mailto:ops@acme.example")), SERVER), "expired"),
                Arguments.of("exp beyond 24 h", vapid(jwt(SERVER, HEADER,
                        claims(ORIGIN, NOW.plus(Duration.ofHours(24)).plusSeconds(1), "mailto:ops@acme.example")), SERVER),
                        "more than 24 hours ahead"),
                Arguments.of("no exp", vapid(jwt(SERVER, HEADER, "{\"aud\":\"" + ORIGIN + "\",\"sub\":\"mailto:a@b.c\"}"), SERVER),
                        "exp is missing"),
                Arguments.of("no sub", vapid(jwt(SERVER, HEADER, "{\"aud\":\"" + ORIGIN + "\",\"exp\":"
                        + hour.getEpochSecond() + "}"), SERVER), "sub must be"),
                Arguments.of("sub not a contact", vapid(jwt(SERVER, HEADER, claims(ORIGIN, hour, "ops@acme.example")), SERVER),
                        "sub must be"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void aBadVapidHeaderIsRefusedWith401AndSaysWhy(String name, String authorization, String reason) {
        WebPushReceiver.Check check = verify(authorization);
        assertEquals(401, check.status(), check.reason());
        assertTrue(check.reason().contains(reason), check.reason());
    }

    @Test
    void exactly24HoursAheadIsStillAccepted() {
        assertTrue(verify(vapid(jwt(SERVER, HEADER, claims(ORIGIN, NOW.plus(Duration.ofHours(24)), "https://acme.example")),
                SERVER)).ok());
    }

    @Test
    void aRestrictedSubscriptionRefusesAnotherValidKeyWith403() {
        String fromOther = vapid(jwt(OTHER, HEADER, good()), OTHER);
        assertTrue(verify(fromOther).ok(), "valid on its own");
        WebPushReceiver.Check check = WebPushReceiver.verifyVapid(fromOther, ORIGIN, NOW, (ECPublicKey) SERVER.getPublic());
        assertEquals(403, check.status());
        assertTrue(WebPushReceiver.verifyVapid(vapid(jwt(SERVER, HEADER, good()), SERVER), ORIGIN, NOW,
                (ECPublicKey) SERVER.getPublic()).ok());
    }

    @Test
    void messageHeadersFollowRfc8030() {
        Map<String, String> ok = Map.of("TTL", "3600", "Urgency", "high", "Topic", "item-42", "Content-Encoding", "aes128gcm");
        assertTrue(WebPushReceiver.checkMessageHeaders(ok, 200).ok());
        assertEquals(400, WebPushReceiver.checkMessageHeaders(Map.of("Content-Encoding", "aes128gcm"), 200).status(),
                "TTL is required");
        assertEquals(400, WebPushReceiver.checkMessageHeaders(Map.of("TTL", "-1", "Content-Encoding", "aes128gcm"), 200).status());
        assertEquals(400, WebPushReceiver.checkMessageHeaders(Map.of("TTL", "0", "Urgency", "urgent",
                "Content-Encoding", "aes128gcm"), 200).status());
        assertEquals(400, WebPushReceiver.checkMessageHeaders(Map.of("TTL", "0", "Topic", "a".repeat(33),
                "Content-Encoding", "aes128gcm"), 200).status());
        assertEquals(400, WebPushReceiver.checkMessageHeaders(Map.of("TTL", "0", "Topic", "item:42",
                "Content-Encoding", "aes128gcm"), 200).status());
        assertEquals(400, WebPushReceiver.checkMessageHeaders(Map.of("TTL", "0", "Content-Encoding", "aesgcm"), 200).status(),
                "the pre-RFC aesgcm draft encoding is refused");
        assertEquals(413, WebPushReceiver.checkMessageHeaders(ok, 4097).status());
        assertTrue(WebPushReceiver.checkMessageHeaders(ok, 4096).ok());
    }

    @Test
    void subscriptionsHandOutBrowserShapedKeysAndCanBeRemoved() {
        WebPushReceiver receiver = new WebPushReceiver(new PushInbox(), Clock.fixed(NOW, ZoneOffset.UTC));
        WebPushReceiver.Subscription s = receiver.subscribe("http://127.0.0.1:8025/");

        assertEquals("http://127.0.0.1:8025/push/webpush/" + s.id(), s.endpoint());
        assertEquals(65, P256Keys.encode(P256Keys.decodePublic(s.p256dh())).length);
        assertEquals(16, P256Keys.decodeBase64Url(s.auth(), "auth").length);
        assertTrue(receiver.unsubscribe(s.id()));
        assertFalse(receiver.unsubscribe(s.id()));
        assertThrows(IllegalArgumentException.class, () -> receiver.throttle(s.id(), 1, Duration.ofSeconds(1)));
    }
}
