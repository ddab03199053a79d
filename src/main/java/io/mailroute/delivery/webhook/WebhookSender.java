package io.mailroute.delivery.webhook;

import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.RetryAfter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.SendResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts a signed JSON notification to one configured URL. The receiver checks
 * {@code X-Mailroute-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body))} with {@link #verify}
 * and dedupes on {@code X-Mailroute-Delivery}, which a retry repeats.
 */
public final class WebhookSender implements PushSender {

    public static final String TIMESTAMP_HEADER = "X-Mailroute-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Mailroute-Signature";
    public static final String DELIVERY_HEADER = "X-Mailroute-Delivery";
    static final String SIGNATURE_PREFIX = "sha256=";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final byte[] hmacSecret;
    private final HttpClient http;
    private final Clock clock;

    public WebhookSender(String url, byte[] hmacSecret, HttpClient http, Clock clock) {
        this.url = URI.create(Objects.requireNonNull(url, "webhook url"));
        if (hmacSecret == null || hmacSecret.length < 16) {
            throw new IllegalArgumentException("webhook HMAC secret must be at least 16 bytes");
        }
        this.hmacSecret = hmacSecret.clone();
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public SendResult send(Notification notification, PushTarget target) throws InterruptedException {
        return post(http, url, hmacSecret, body(notification), notification.deliveryId(), clock);
    }

    /**
     * One signed JSON POST, as every webhook is sent (also by features that post elsewhere, such as approval callbacks).
     *
     * @param deliveryId the receiver's idempotency key: a retry repeats it
     */
    public static SendResult post(HttpClient http, URI url, byte[] hmacSecret, String body, String deliveryId, Clock clock)
            throws InterruptedException {
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header(TIMESTAMP_HEADER, timestamp)
                .header(SIGNATURE_HEADER, signature(hmacSecret, timestamp, body))
                .header(DELIVERY_HEADER, deliveryId)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<BoundedBody> response;
        try {
            response = http.send(request, BoundedBody.handler());
        } catch (HttpTimeoutException e) {
            return SendResult.retry("webhook: no answer within " + REQUEST_TIMEOUT.toSeconds() + " s", null);
        } catch (IOException e) {
            return SendResult.retry("webhook: " + e.getClass().getSimpleName(), null);
        }
        return outcome(response.statusCode(), RetryAfter.parse(response.headers().firstValue("Retry-After"), clock))
                .withProviderSaid(response.body().forLog());
    }

    /** 2xx delivered; 410 the endpoint is gone; 429 and 5xx later; any other answer will not get better. */
    static SendResult outcome(int status, Duration retryAfter) {
        String detail = "webhook " + status;
        if (status >= 200 && status < 300) {
            return new SendResult(SendResult.Outcome.DELIVERED, null, detail, null, null);
        }
        if (status == 410) {
            return SendResult.targetGone(detail + ": the receiver says this webhook is gone");
        }
        if (status == 429 || status >= 500) {
            return SendResult.retry(detail, retryAfter);
        }
        if (status == 401 || status == 403) {
            return SendResult.failed(detail + ": the receiver refused our signature; check the channel's secret");
        }
        return SendResult.failed(detail + ": the receiver refused the request");
    }

    static String body(Notification n) {
        ObjectNode json = JSON.createObjectNode()
                .put("deliveryId", n.deliveryId())
                .put("eventId", n.eventId())
                .put("eventType", n.eventType())
                .put("title", n.title())
                .put("body", n.body())
                .put("url", n.url());
        ObjectNode data = json.putObject("data");
        n.data().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> data.put(e.getKey(), e.getValue()));
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings always serialises
        }
    }

    /** {@code sha256=} and the lower-case hex HMAC-SHA256 of {@code timestamp + "." + body}. */
    public static String signature(byte[] secret, String timestamp, String body) {
        return SIGNATURE_PREFIX + HexFormat.of().formatHex(hmac(secret, timestamp, body));
    }

    /**
     * For receivers: true only if the signature is ours over exactly this timestamp and body, and the timestamp is
     * within {@code tolerance} of now (either side), so that a captured request cannot be replayed later.
     */
    public static boolean verify(byte[] secret, String timestamp, String body, String signatureHeader, Clock clock,
            Duration tolerance) {
        if (secret == null || secret.length == 0 || timestamp == null || body == null || signatureHeader == null
                || !signatureHeader.startsWith(SIGNATURE_PREFIX)) {
            return false;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return false;
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - sentAt);
        if (sentAt < 0 || skew > tolerance.toSeconds()) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(signatureHeader.substring(SIGNATURE_PREFIX.length()).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(secret, timestamp.trim(), body), presented);
    }

    private static byte[] hmac(byte[] secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSender[" + url.getScheme() + "://" + url.getAuthority() + "]"; // no path: it may hold a token
    }
}
