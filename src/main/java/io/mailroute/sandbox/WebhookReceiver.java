package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A webhook endpoint that checks what a careful receiver checks: the {@code X-Mailroute-Signature} HMAC over
 * timestamp and body, the timestamp's freshness (replay), the JSON shape, and the delivery id for duplicates.
 * Serves any path under {@code /push/webhook/}; the path after it is recorded as the target.
 */
public final class WebhookReceiver implements PushReceiver {

    public static final String PATH = "/push/webhook/";
    static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private final PushInbox inbox;
    // the documented header names, spelled out here rather than taken from the sender
    private static final String TIMESTAMP_HEADER = "X-Mailroute-Timestamp";
    private static final String SIGNATURE_HEADER = "X-Mailroute-Signature";
    private static final String DELIVERY_HEADER = "X-Mailroute-Delivery";
    private final Clock clock;
    private final NextFailures failures = new NextFailures();
    private final Set<String> seenDeliveries = new HashSet<>();
    private byte[] secret;
    private Duration tolerance = DEFAULT_TOLERANCE;

    public WebhookReceiver(PushInbox inbox, Clock clock) {
        this.inbox = inbox;
        this.clock = clock;
        this.secret = new byte[32];
        new SecureRandom().nextBytes(secret); // until configured, nothing but a test that asks can sign for it
    }

    /** The webhook receiver of a running sandbox. */
    public static WebhookReceiver of(GmailSandbox sandbox) {
        return sandbox.admin().pushReceiver("webhook", WebhookReceiver.class);
    }

    @Override
    public String path() {
        return PATH;
    }

    // ---- knobs -------------------------------------------------------------------------------------------------

    public synchronized byte[] secret() {
        return secret.clone();
    }

    public synchronized void setSecret(byte[] newSecret) {
        if (newSecret == null || newSecret.length == 0) {
            throw new IllegalArgumentException("webhook secret must not be empty");
        }
        this.secret = newSecret.clone();
    }

    public synchronized void setTolerance(Duration newTolerance) {
        this.tolerance = newTolerance;
    }

    /** The next {@code count} requests are answered {@code status} (e.g. 503, 429, 410), with Retry-After if given. */
    public void failNext(int status, int count, Duration retryAfter) {
        failures.set(status, count, retryAfter);
    }

    // ---- protocol ----------------------------------------------------------------------------------------------

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestURI().getPath().substring(PATH.length() - 1);
        if (!"POST".equals(exchange.getRequestMethod())) {
            answer(exchange, target, 405, "", "method " + exchange.getRequestMethod() + " refused");
            return;
        }
        String body = new String(HttpExchanges.body(exchange), StandardCharsets.UTF_8);
        NextFailures.Failure failure = failures.take();
        if (failure != null) {
            failure.applyTo(exchange);
            answer(exchange, target, failure.status(), body, "injected failure " + failure.status());
            return;
        }
        String timestamp = exchange.getRequestHeaders().getFirst(TIMESTAMP_HEADER);
        String signature = exchange.getRequestHeaders().getFirst(SIGNATURE_HEADER);
        byte[] key;
        Duration window;
        synchronized (this) {
            key = secret.clone();
            window = tolerance;
        }
        if (!signed(key, timestamp, body, signature) || !fresh(timestamp, window)) {
            answer(exchange, target, 401, body, refusal(key, timestamp, body, signature));
            return;
        }
        String problem = shapeProblem(body, exchange.getRequestHeaders().getFirst(DELIVERY_HEADER));
        if (problem != null) {
            answer(exchange, target, 400, body, "signature valid; " + problem);
            return;
        }
        String deliveryId = HttpExchanges.JSON.readTree(body).get("deliveryId").asText();
        boolean duplicate;
        synchronized (this) {
            duplicate = !seenDeliveries.add(deliveryId);
        }
        answer(exchange, target, 200, body, duplicate ? "signature valid; duplicate delivery, ignored"
                : "signature valid; timestamp fresh; shape ok");
    }

    private String refusal(byte[] key, String timestamp, String body, String signature) {
        if (timestamp == null || signature == null) {
            return "missing " + (timestamp == null ? TIMESTAMP_HEADER : SIGNATURE_HEADER);
        }
        // the signature alone, with an unlimited window: tells "stale" apart from "forged"
        if (signed(key, timestamp, body, signature)) {
            return "timestamp outside the " + tolerance.toSeconds() + " s window (replay?)";
        }
        return "signature does not match";
    }

    /*
     * The receiver checks the signature from the documented contract (README, "By email, push and callback"), with the
     * JDK's HMAC and not the sender's code, so that a mistake in WebhookSender cannot verify itself.
     */
    private static boolean signed(byte[] key, String timestamp, String body, String header) {
        if (key.length == 0 || timestamp == null || header == null || !header.startsWith("sha256=")) {
            return false;
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(header.substring("sha256=".length()).trim());
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((timestamp.trim() + "." + body).getBytes(StandardCharsets.UTF_8));
            return MessageDigest.isEqual(expected, presented);
        } catch (IllegalArgumentException e) {
            return false; // not hex
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The timestamp (unix seconds) is within {@code window} of the receiver's clock, either side. */
    private boolean fresh(String timestamp, Duration window) {
        try {
            long sentAt = Long.parseLong(timestamp.trim());
            return sentAt >= 0 && Math.abs(clock.instant().getEpochSecond() - sentAt) <= window.toSeconds();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String shapeProblem(String body, String deliveryHeader) {
        JsonNode json;
        try {
            json = HttpExchanges.JSON.readTree(body);
        } catch (IOException e) {
            return "body is not JSON";
        }
        if (json == null || !json.isObject()) {
            return "body is not a JSON object";
        }
        for (String field : new String[] {"deliveryId", "eventId", "eventType", "title", "body"}) {
            if (!json.path(field).isTextual()) {
                return "\"" + field + "\" is missing or not a string";
            }
        }
        if (json.has("url") && !json.get("url").isNull() && !json.get("url").isTextual()) {
            return "\"url\" is not a string";
        }
        JsonNode data = json.path("data");
        if (!data.isObject()) {
            return "\"data\" is missing or not an object";
        }
        for (JsonNode value : data) {
            if (!value.isTextual()) {
                return "\"data\" values must be strings";
            }
        }
        if (!json.get("deliveryId").asText().equals(deliveryHeader)) {
            return DELIVERY_HEADER + " does not match the body's deliveryId";
        }
        return null;
    }

    private void answer(HttpExchange exchange, String target, int status, String body, String verdict)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : new String[] {"Content-Type", TIMESTAMP_HEADER,
                DELIVERY_HEADER}) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        inbox.record(new PushInbox.Push(clock.instant(), "webhook", target, status / 100 == 2, status, body,
                Map.copyOf(headers), verdict));
        String answer = status / 100 == 2 ? "{\"ok\":true}" : "{\"error\":" + HttpExchanges.JSON.writeValueAsString(verdict) + "}";
        HttpExchanges.send(exchange, status, "application/json", answer.getBytes(StandardCharsets.UTF_8));
    }

    /** A fault plan shared by the push receivers: the next N requests get this status. */
    static final class NextFailures {

        record Failure(int status, Duration retryAfter) {
            void applyTo(HttpExchange exchange) {
                if (retryAfter != null) {
                    exchange.getResponseHeaders().set("Retry-After", Long.toString(retryAfter.toSeconds()));
                }
            }
        }

        private int status;
        private int remaining;
        private Duration retryAfter;

        synchronized void set(int newStatus, int count, Duration newRetryAfter) {
            if (newStatus < 400 || newStatus > 599 || count < 0) {
                throw new IllegalArgumentException("failNext needs a 4xx/5xx status and a count >= 0");
            }
            status = newStatus;
            remaining = count;
            retryAfter = newRetryAfter;
        }

        synchronized Failure take() {
            if (remaining <= 0) {
                return null;
            }
            remaining--;
            return new Failure(status, retryAfter);
        }
    }
}
