package io.mailroute.delivery.webpush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.Notification;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.SendResult.Outcome;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The sender's decisions, without a network: see WebPushSenderIT for the wire. */
class WebPushSenderTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static HttpHeaders headers(Map<String, String> values) {
        return HttpHeaders.of(values.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), (a, b) -> true);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "201, DELIVERED", "202, DELIVERED",
            "404, TARGET_GONE", "410, TARGET_GONE",
            "429, RETRY", "500, RETRY", "502, RETRY", "503, RETRY",
            "400, FAILED", "401, FAILED", "403, FAILED", "413, FAILED", "301, FAILED",
    })
    void everyPushServiceAnswerMapsToAnOutcome(int status, Outcome outcome) {
        SendResult result = WebPushSender.outcome(status, headers(Map.of("Location", "https://push.example/m/1")), "", NOW);
        assertEquals(outcome, result.outcome());
        if (outcome == Outcome.DELIVERED) {
            assertEquals("https://push.example/m/1", result.providerId());
        } else {
            assertTrue(result.detail().startsWith("webpush " + status), result.detail());
        }
    }

    @Test
    void retryAfterIsHonouredInSecondsOrAsAnHttpDate() {
        assertEquals(Duration.ofSeconds(30),
                WebPushSender.outcome(429, headers(Map.of("Retry-After", "30")), "", NOW).retryAfter());
        assertEquals(Duration.ofSeconds(90), WebPushSender.outcome(503,
                headers(Map.of("Retry-After", "Sun, 01 Mar 2026 12:01:30 GMT")), "", NOW).retryAfter());
        assertNull(WebPushSender.outcome(503, headers(Map.of()), "", NOW).retryAfter());
        assertNull(WebPushSender.retryAfter("soon", NOW));
        assertEquals(Duration.ZERO, WebPushSender.retryAfter("Sun, 01 Mar 2026 11:00:00 GMT", NOW));
    }

    @Test
    void theProvidersReasonGoesToTheLogOnlyShortAndOnOneLine() {
        String said = io.mailroute.delivery.BoundedBody.forLog("the key in the authorization header\n"
                + "does not correspond to the sender ID " + "x".repeat(400));
        SendResult result = WebPushSender.outcome(403, headers(Map.of()), said, NOW);
        assertEquals("webpush 403 (VAPID refused: is this the key pair the browser subscribed with?)", result.detail());
        assertTrue(result.providerSaid().length() <= 301, result.providerSaid());
        assertTrue(!result.providerSaid().contains("\n"));
        assertTrue(result.providerSaid().startsWith("the key in the authorization header does not correspond"));
        assertTrue(result.forLog().contains("does not correspond"), "the log line carries it");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"URGENT, high", "HIGH, high", "high, high", "NORMAL, normal", "LOW, normal",
            "null, normal"})
    void urgencyFollowsPriority(String priority, String urgency) {
        assertEquals(urgency, WebPushSender.urgency(priority));
    }

    @Test
    void theTopicIsTheItemIdOrAHashThatFits() {
        assertEquals("item-42_a", WebPushSender.topic("item-42_a"));
        assertNull(WebPushSender.topic(null));
        String hashed = WebPushSender.topic("case:2026/03/01#42");
        assertEquals(32, hashed.length());
        assertTrue(hashed.matches("[A-Za-z0-9_-]{32}"));
        assertEquals(hashed, WebPushSender.topic("case:2026/03/01#42"), "stable, so a newer push replaces the older");
        assertEquals(32, WebPushSender.topic("x".repeat(33)).length());
    }

    @Test
    void thePayloadIsTheServiceWorkersJsonWithStableKeyOrder() {
        Notification n = new Notification("d-1", "e-1", "case.created", "New case", "Refund for order 7",
                "https://wf.acme.example/items/42", Map.of("queue", "billing", "itemId", "42", "priority", "HIGH"));
        assertEquals("{\"title\":\"New case\",\"body\":\"Refund for order 7\",\"url\":\"https://wf.acme.example/items/42\","
                + "\"data\":{\"itemId\":\"42\",\"priority\":\"HIGH\",\"queue\":\"billing\"},\"deliveryId\":\"d-1\"}",
                new String(WebPushSender.payload(n), StandardCharsets.UTF_8));
        Notification noUrl = new Notification("d-2", "e-2", "sla.breached", "SLA", "late", null, null);
        assertEquals("{\"title\":\"SLA\",\"body\":\"late\",\"data\":{},\"deliveryId\":\"d-2\"}",
                new String(WebPushSender.payload(noUrl), StandardCharsets.UTF_8));
    }
}
