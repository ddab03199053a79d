package io.mailroute.delivery.webhook;

import io.mailroute.delivery.RetryAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.ScriptedHttpClient;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebhookSenderTest {

    static final byte[] SECRET = "whsec-test-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final Clock AT_1700000000 = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
    static final Notification NOTIFICATION = new Notification("dlv-1", "evt-1", "case.created",
            "New case: printer on fire", "Support queue, priority high.", "https://work.example/items/42",
            Map.of("queue", "support", "itemId", "42"));
    static final PushTarget TARGET = new PushTarget("ops-hook", "ops", null, Map.of());
    /** The body below, signed by {@code openssl dgst -sha256 -hmac}: an independent known answer. */
    static final String EXPECTED_BODY = "{\"deliveryId\":\"dlv-1\",\"eventId\":\"evt-1\",\"eventType\":\"case.created\","
            + "\"title\":\"New case: printer on fire\",\"body\":\"Support queue, priority high.\","
            + "\"url\":\"https://work.example/items/42\",\"data\":{\"itemId\":\"42\",\"queue\":\"support\"}}";
    static final String EXPECTED_SIGNATURE =
            "sha256=9145a579c38a64c084300049947bf1e4978eedcf4a6813a03f24c83e868f52c2";

    @Test
    void postsTheSignedJsonWithTimestampAndDeliveryHeaders() throws Exception {
        ScriptedHttpClient http = new ScriptedHttpClient(r -> ScriptedHttpClient.Answer.of(204, ""));
        SendResult result = new WebhookSender("https://hooks.example/mailroute?t=x", SECRET, http, AT_1700000000)
                .send(NOTIFICATION, TARGET);

        assertEquals(Outcome.DELIVERED, result.outcome());
        ScriptedHttpClient.Sent sent = http.sent().get(0);
        assertEquals("POST", sent.method());
        assertEquals("https://hooks.example/mailroute?t=x", sent.uri().toString());
        assertEquals(EXPECTED_BODY, sent.body());
        assertEquals("1700000000", sent.header("X-Mailroute-Timestamp"));
        assertEquals(EXPECTED_SIGNATURE, sent.header("X-Mailroute-Signature"));
        assertEquals("dlv-1", sent.header("X-Mailroute-Delivery"));
        assertTrue(sent.header("Content-Type").startsWith("application/json"));
        assertTrue(sent.timeout().isPresent(), "a request without a timeout can hang a delivery thread");
    }

    @Test
    void nullUrlIsSentAsJsonNull() {
        Notification noUrl = new Notification("d", "e", "t", "title", "body", null, Map.of());
        assertTrue(WebhookSender.body(noUrl).contains("\"url\":null,\"data\":{}"), WebhookSender.body(noUrl));
    }

    @Test
    void verifyAcceptsTheKnownAnswer() {
        assertTrue(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, EXPECTED_SIGNATURE, AT_1700000000,
                Duration.ofMinutes(5)));
    }

    @Test
    void verifyRejectsATamperedBodyTimestampSecretOrSignature() {
        Duration window = Duration.ofMinutes(5);
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY.replace("42", "43"), EXPECTED_SIGNATURE,
                AT_1700000000, window), "body changed");
        assertFalse(WebhookSender.verify(SECRET, "1700000001", EXPECTED_BODY, EXPECTED_SIGNATURE, AT_1700000000,
                window), "timestamp changed: it is signed too");
        assertFalse(WebhookSender.verify("another-secret-0123456".getBytes(StandardCharsets.UTF_8), "1700000000",
                EXPECTED_BODY, EXPECTED_SIGNATURE, AT_1700000000, window), "other secret");
        String flipped = EXPECTED_SIGNATURE.substring(0, EXPECTED_SIGNATURE.length() - 1) + "3";
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, flipped, AT_1700000000, window));
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, EXPECTED_SIGNATURE.substring(7),
                AT_1700000000, window), "no sha256= prefix");
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, "sha256=zz", AT_1700000000, window));
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, null, AT_1700000000, window));
        assertFalse(WebhookSender.verify(SECRET, "yesterday", EXPECTED_BODY, EXPECTED_SIGNATURE, AT_1700000000,
                window));
    }

    @Test
    void verifyRejectsReplaysOutsideTheWindowEitherSide() {
        Duration window = Duration.ofMinutes(5);
        Clock sixMinutesLater = Clock.offset(AT_1700000000, Duration.ofMinutes(6));
        Clock fourMinutesLater = Clock.offset(AT_1700000000, Duration.ofMinutes(4));
        Clock sixMinutesEarlier = Clock.offset(AT_1700000000, Duration.ofMinutes(-6));
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, EXPECTED_SIGNATURE, sixMinutesLater,
                window), "a captured request replayed later");
        assertTrue(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, EXPECTED_SIGNATURE, fourMinutesLater,
                window));
        assertFalse(WebhookSender.verify(SECRET, "1700000000", EXPECTED_BODY, EXPECTED_SIGNATURE, sixMinutesEarlier,
                window), "a timestamp from the future");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "200, DELIVERED", "202, DELIVERED", "204, DELIVERED",
        "410, TARGET_GONE",
        "429, RETRY", "500, RETRY", "502, RETRY", "503, RETRY",
        "400, FAILED", "401, FAILED", "403, FAILED", "404, FAILED", "413, FAILED", "301, FAILED",
    })
    void statusMapsToOutcome(int status, Outcome expected) throws Exception {
        ScriptedHttpClient http = new ScriptedHttpClient(r -> ScriptedHttpClient.Answer.of(status, ""));
        SendResult result = new WebhookSender("https://hooks.example/x", SECRET, http, AT_1700000000)
                .send(NOTIFICATION, TARGET);
        assertEquals(expected, result.outcome(), result.detail());
        assertTrue(result.detail().contains(Integer.toString(status)), result.detail());
    }

    @Test
    void retryAfterIsHonouredInSecondsAndAsHttpDate() throws Exception {
        ScriptedHttpClient seconds = new ScriptedHttpClient(
                r -> ScriptedHttpClient.Answer.of(503, "").withHeader("Retry-After", "120"));
        assertEquals(Duration.ofSeconds(120), new WebhookSender("https://h.example/", SECRET, seconds, AT_1700000000)
                .send(NOTIFICATION, TARGET).retryAfter());
        // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT
        ScriptedHttpClient date = new ScriptedHttpClient(r -> ScriptedHttpClient.Answer.of(429, "")
                .withHeader("Retry-After", "Tue, 14 Nov 2023 22:14:00 GMT"));
        assertEquals(Duration.ofSeconds(40), new WebhookSender("https://h.example/", SECRET, date, AT_1700000000)
                .send(NOTIFICATION, TARGET).retryAfter());
        assertNull(RetryAfter.parse(Optional.of("soon"), AT_1700000000));
        assertEquals(RetryAfter.MAX, RetryAfter.parse(Optional.of("99999999"), AT_1700000000));
    }

    @Test
    void networkFailuresAreRetriedNotThrown() throws Exception {
        ScriptedHttpClient timeout = new ScriptedHttpClient(r -> {
            throw new HttpTimeoutException("request timed out");
        });
        assertEquals(Outcome.RETRY, new WebhookSender("https://h.example/", SECRET, timeout, AT_1700000000)
                .send(NOTIFICATION, TARGET).outcome());
        ScriptedHttpClient refused = new ScriptedHttpClient(r -> {
            throw new IOException("Connection refused");
        });
        assertEquals(Outcome.RETRY, new WebhookSender("https://h.example/", SECRET, refused, AT_1700000000)
                .send(NOTIFICATION, TARGET).outcome());
    }
}
