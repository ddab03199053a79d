package io.mailroute.delivery.webpush;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.PushTargetRules;
import io.mailroute.delivery.SendResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Sends one notification to one browser subscription: RFC 8291-encrypted JSON, VAPID-signed (RFC 8292), POSTed to
 * the subscription's endpoint (RFC 8030). Thread-safe; one HTTP request per {@link #send}.
 *
 * <p>The payload the service worker receives is {@code {"title","body","url","data":{...},"deliveryId"}};
 * {@code deliveryId} lets it drop a retried duplicate.
 */
public final class WebPushSender implements PushSender {

    /** How long one push request may take before it counts as a timeout (and is retried). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private final VapidKeys vapid;
    private final String subject;
    private final HttpClient http;
    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param vapid   the application server's key pair; subscriptions must have been made with its public key
     * @param subject the operator contact the push service sees, {@code mailto:} or {@code https:}
     * @param ttl     how long the push service keeps a message for an offline browser (TTL header)
     */
    public WebPushSender(VapidKeys vapid, String subject, HttpClient http, Clock clock, Duration ttl) {
        if (vapid == null || http == null || clock == null) {
            throw new IllegalArgumentException("vapid keys, HTTP client and clock are required");
        }
        if (ttl == null || ttl.isNegative()) {
            throw new IllegalArgumentException("the Web Push TTL must be zero or more, was " + ttl);
        }
        this.vapid = vapid;
        this.subject = VapidJwt.requireSubject(subject);
        this.http = http;
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public String type() {
        return "webpush";
    }

    @Override
    public SendResult send(Notification notification, PushTarget target) throws InterruptedException {
        URI endpoint;
        ECPublicKey uaPublic;
        byte[] authSecret;
        try {
            endpoint = PushTargetRules.webPushEndpoint(target.address());
            uaPublic = P256Keys.decodePublic(target.keys().get("p256dh"));
            authSecret = P256Keys.decodeBase64Url(target.keys().get("auth"), "auth secret");
        } catch (IllegalArgumentException e) {
            return SendResult.failed("webpush subscription of " + target.recipient() + " is unusable: " + e.getMessage());
        }
        byte[] plaintext = payload(notification);
        byte[] body;
        try {
            body = encrypt(plaintext, uaPublic, authSecret);
        } catch (IllegalArgumentException e) {
            return SendResult.failed("webpush payload not encrypted: " + e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(REQUEST_TIMEOUT)
                .header("TTL", Long.toString(ttl.toSeconds()))
                .header("Urgency", urgency(notification.data().get("priority")))
                .header("Content-Encoding", "aes128gcm")
                .header("Content-Type", "application/octet-stream")
                .header("Authorization", VapidJwt.authorization(vapid, VapidJwt.origin(endpoint), subject, clock.instant()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String topic = topic(notification.data().get("itemId"));
        if (topic != null) {
            request.header("Topic", topic);
        }
        HttpResponse<BoundedBody> response;
        try {
            response = http.send(request.build(), BoundedBody.handler());
        } catch (HttpTimeoutException e) {
            return SendResult.retry("webpush push service timed out after " + REQUEST_TIMEOUT.toSeconds() + " s", null);
        } catch (IOException e) {
            return SendResult.retry("webpush push service unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), null);
        }
        return outcome(response.statusCode(), response.headers(), response.body().forLog(), clock.instant());
    }

    private byte[] encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] authSecret) {
        byte[] salt = new byte[WebPushCrypto.SALT_LENGTH];
        random.nextBytes(salt);
        KeyPair ephemeral = P256Keys.generate(); // fresh per message: never reuse with a subscription
        return WebPushCrypto.encrypt(plaintext, uaPublic, authSecret, ephemeral, salt);
    }

    /**
     * What a push service's answer means for the delivery (RFC 8030 section 5, RFC 8292 section 4): the status and
     * our explanation; the service's own words ({@code said}) only for the log.
     */
    static SendResult outcome(int status, HttpHeaders headers, String said, Instant now) {
        String detail = "webpush " + status;
        SendResult result;
        if (status >= 200 && status < 300) {
            return SendResult.delivered(headers.firstValue("Location").orElse(null));
        } else if (status == 404 || status == 410) {
            result = SendResult.targetGone(detail + " (subscription expired or unsubscribed)");
        } else if (status == 429) {
            result = SendResult.retry(detail + " (the push service is throttling)",
                    retryAfter(headers.firstValue("Retry-After").orElse(null), now));
        } else if (status >= 500) {
            result = SendResult.retry(detail + " (the push service is unavailable)",
                    retryAfter(headers.firstValue("Retry-After").orElse(null), now));
        } else if (status == 401 || status == 403) {
            result = SendResult.failed(detail + " (VAPID refused: is this the key pair the browser subscribed with?)");
        } else if (status == 413) {
            result = SendResult.failed(detail + " (payload too large)");
        } else {
            result = SendResult.failed(detail + " (the push service refused the request)");
        }
        return result.withProviderSaid(said);
    }

    /** Retry-After as delay-seconds or an HTTP-date; null when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /** The service worker's JSON; data keys sorted so the bytes are stable for a retried delivery. */
    static byte[] payload(Notification n) {
        ObjectNode json = JSON.createObjectNode();
        json.put("title", n.title());
        json.put("body", n.body());
        if (n.url() != null) {
            json.put("url", n.url());
        }
        ObjectNode data = json.putObject("data");
        new TreeMap<>(n.data()).forEach(data::put);
        json.put("deliveryId", n.deliveryId());
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 8030 section 5.3: URGENT and HIGH wake the device now; the rest may wait for a good moment. */
    static String urgency(String priority) {
        if (priority == null) {
            return "normal";
        }
        return switch (priority.trim().toUpperCase(Locale.ROOT)) {
            case "URGENT", "HIGH" -> "high";
            default -> "normal";
        };
    }

    /**
     * RFC 8030 section 5.4: a newer message with the same topic replaces an undelivered older one, so a browser
     * that was offline sees one notification per item. At most 32 base64url characters: an item id that does not
     * fit is hashed.
     */
    static String topic(String itemId) {
        if (itemId == null || itemId.isBlank()) {
            return null;
        }
        if (TOPIC.matcher(itemId).matches()) {
            return itemId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(itemId.getBytes(StandardCharsets.UTF_8));
            return P256Keys.base64Url(Arrays.copyOf(digest, 24)); // 24 bytes -> exactly 32 characters
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "WebPushSender[subject=" + subject + ", ttl=" + ttl + "]";
    }
}
