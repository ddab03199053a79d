package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.mailroute.delivery.webpush.P256Keys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Plays a Web Push service and the browser behind it (RFC 8030, 8291, 8292). It keeps test subscriptions with
 * their private keys, checks each push as a push service would (TTL, Urgency, Topic, size, the VAPID JWT against its
 * own origin), decrypts the body as the browser would, and records the plaintext in the {@link PushInbox}.
 *
 * <pre>
 * POST   /push/webpush/subscribe              {"applicationServerKey": "..."} optional  → 201 {id, endpoint, keys}
 * POST   /push/webpush/{id}                   a push message                            → 201, Location
 * DELETE /push/webpush/{id}                   the browser unsubscribes; later pushes    → 410
 * POST   /push/webpush/{id}/throttle?pushes=N&amp;retryAfter=S   the next N pushes      → 429, Retry-After
 * </pre>
 *
 * <p>Stricter than some real services on purpose: every push must carry VAPID (Mailroute always signs), and a
 * subscription made with an {@code applicationServerKey} accepts only that key (RFC 8292 section 4.2: 403).
 */
public final class WebPushReceiver implements PushReceiver {

    public static final String PATH = "/push/webpush/";
    static final String CHANNEL = "webpush";
    /** RFC 8030 section 7.2: push services must accept at least 4096 bytes; the sandbox accepts exactly that. */
    static final int MAX_BODY = 4096;
    static final Duration MAX_VAPID_LIFETIME = Duration.ofHours(24);

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSAinP1363Format"; // JWS ES256: raw R||S
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Set<String> URGENCIES = Set.of("very-low", "low", "normal", "high");

    /** One test subscription as the application server gets it from the browser. */
    public record Subscription(String id, String endpoint, String p256dh, String auth) {
        @Override
        public String toString() {
            return "Subscription[id=" + id + "]";
        }
    }

    private static final class State {
        final KeyPair keys;
        final byte[] auth;
        final ECPublicKey applicationServerKey; // null: unrestricted
        final AtomicInteger throttledPushes = new AtomicInteger();
        volatile Duration retryAfter = Duration.ZERO;

        State(KeyPair keys, byte[] auth, ECPublicKey applicationServerKey) {
            this.keys = keys;
            this.auth = auth;
            this.applicationServerKey = applicationServerKey;
        }
    }

    /** What a check concluded: {@code status} 0 means passed. */
    record Check(int status, String reason) {
        static final Check OK = new Check(0, "ok");

        boolean ok() {
            return status == 0;
        }
    }

    private final PushInbox inbox;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, State> live = new ConcurrentHashMap<>();
    private final Set<String> removed = ConcurrentHashMap.newKeySet();

    public WebPushReceiver(PushInbox inbox, Clock clock) {
        this.inbox = inbox;
        this.clock = clock;
    }

    @Override
    public String path() {
        return PATH;
    }

    /** An unrestricted subscription whose endpoint lives under {@code rootUrl} (e.g. the sandbox's root URL). */
    public Subscription subscribe(String rootUrl) {
        return subscribe(rootUrl, null);
    }

    /**
     * @param rootUrl              the sandbox's root URL as the sender will reach it, e.g. {@code http://127.0.0.1:8025/}
     * @param applicationServerKey base64url VAPID public key the subscription is restricted to, or null
     */
    public Subscription subscribe(String rootUrl, String applicationServerKey) {
        ECPublicKey restricted = applicationServerKey == null || applicationServerKey.isBlank() ? null
                : P256Keys.decodePublic(applicationServerKey);
        KeyPair keys = P256Keys.generate();
        byte[] auth = new byte[16]; // RFC 8291 section 3.2: 16 octets
        random.nextBytes(auth);
        byte[] idBytes = new byte[16];
        random.nextBytes(idBytes);
        String id = P256Keys.base64Url(idBytes);
        live.put(id, new State(keys, auth, restricted));
        String root = rootUrl.endsWith("/") ? rootUrl.substring(0, rootUrl.length() - 1) : rootUrl;
        return new Subscription(id, root + PATH + id, P256Keys.base64Url(P256Keys.encode((ECPublicKey) keys.getPublic())),
                P256Keys.base64Url(auth));
    }

    /** The browser unsubscribes: pushes to it are answered 410 Gone from now on. False if it was not live. */
    public boolean unsubscribe(String id) {
        if (live.remove(id) == null) {
            return false;
        }
        removed.add(id);
        return true;
    }

    /** The next {@code pushes} pushes to the subscription are answered 429 with {@code Retry-After}. */
    public void throttle(String id, int pushes, Duration retryAfter) {
        State state = live.get(id);
        if (state == null) {
            throw new IllegalArgumentException("no live Web Push subscription " + id);
        }
        state.retryAfter = retryAfter;
        state.throttledPushes.set(pushes);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String rest = exchange.getRequestURI().getPath().substring(PATH.length());
            String method = exchange.getRequestMethod();
            if (rest.equals("subscribe") && method.equals("POST")) {
                handleSubscribe(exchange);
            } else if (rest.endsWith("/throttle") && method.equals("POST")) {
                handleThrottle(exchange, rest.substring(0, rest.length() - "/throttle".length()));
            } else if (!rest.isEmpty() && !rest.contains("/") && method.equals("DELETE")) {
                sendText(exchange, unsubscribe(rest) ? 204 : 404, "");
            } else if (!rest.isEmpty() && !rest.contains("/") && method.equals("POST")) {
                handlePush(exchange, rest);
            } else {
                sendText(exchange, 404, "no such Web Push resource");
            }
        } catch (IllegalArgumentException e) {
            sendText(exchange, 400, e.getMessage());
        } finally {
            exchange.close();
        }
    }

    private void handleSubscribe(HttpExchange exchange) throws IOException {
        byte[] body = readBody(exchange);
        String key = null;
        if (body.length > 0) {
            JsonNode json = HttpExchanges.JSON.readTree(body);
            key = json.path("applicationServerKey").asText(null);
        }
        Subscription subscription = subscribe(origin(exchange), key);
        ObjectNode json = HttpExchanges.JSON.createObjectNode()
                .put("id", subscription.id())
                .put("endpoint", subscription.endpoint());
        json.putObject("keys").put("p256dh", subscription.p256dh()).put("auth", subscription.auth());
        exchange.getResponseHeaders().set("Location", subscription.endpoint());
        HttpExchanges.sendJson(exchange, 201, json);
    }

    private void handleThrottle(HttpExchange exchange, String id) throws IOException {
        Map<String, java.util.List<String>> query = HttpExchanges.query(exchange);
        String pushes = HttpExchanges.first(query, "pushes");
        String retryAfter = HttpExchanges.first(query, "retryAfter");
        try {
            throttle(id, pushes == null ? 1 : Integer.parseInt(pushes),
                    Duration.ofSeconds(retryAfter == null ? 1 : Long.parseLong(retryAfter)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pushes and retryAfter must be whole numbers");
        }
        sendText(exchange, 204, "");
    }

    private void handlePush(HttpExchange exchange, String id) throws IOException {
        byte[] body = readBody(exchange);
        Map<String, String> headers = selectedHeaders(exchange);
        State state = live.get(id);
        if (state == null) {
            boolean gone = removed.contains(id);
            refuse(exchange, id, headers, gone ? 410 : 404,
                    gone ? "subscription removed: the browser unsubscribed" : "no such subscription");
            return;
        }
        if (state.throttledPushes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(state.retryAfter.toSeconds()));
            refuse(exchange, id, headers, 429, "throttled by the sandbox; Retry-After " + state.retryAfter.toSeconds());
            return;
        }
        Check check = checkMessageHeaders(headers, body.length);
        if (check.ok()) {
            check = verifyVapid(exchange.getRequestHeaders().getFirst("Authorization"), origin(exchange),
                    clock.instant(), state.applicationServerKey);
        }
        if (!check.ok()) {
            refuse(exchange, id, headers, check.status(), check.reason());
            return;
        }
        byte[] plaintext;
        try {
            plaintext = Rfc8291Decryption.decrypt(body, (ECPrivateKey) state.keys.getPrivate(),
                    (ECPublicKey) state.keys.getPublic(), state.auth);
        } catch (IllegalArgumentException e) {
            refuse(exchange, id, headers, 400, "vapid ok; aes128gcm body not decryptable: " + e.getMessage());
            return;
        }
        String payload = new String(plaintext, StandardCharsets.UTF_8);
        inbox.record(new PushInbox.Push(clock.instant(), CHANNEL, id, true, 201, payload, headers,
                "vapid ok (aud, exp, sub, signature); aes128gcm decrypted"));
        exchange.getResponseHeaders().set("Location", origin(exchange) + PATH + "message/" + UUID.randomUUID());
        exchange.getResponseHeaders().set("TTL", headers.get("TTL"));
        sendText(exchange, 201, "");
    }

    /** RFC 8030 section 5: TTL required; Urgency and Topic well-formed when present; RFC 8291: aes128gcm, 4096 bytes. */
    static Check checkMessageHeaders(Map<String, String> headers, int bodyLength) {
        if (bodyLength > MAX_BODY) {
            return new Check(413, "payload of " + bodyLength + " bytes exceeds " + MAX_BODY);
        }
        String ttl = headers.get("TTL");
        if (ttl == null || !ttl.matches("\\d{1,10}")) {
            return new Check(400, "TTL header missing or not a number of seconds: " + ttl);
        }
        String urgency = headers.get("Urgency");
        if (urgency != null && !URGENCIES.contains(urgency)) {
            return new Check(400, "Urgency must be very-low, low, normal or high, was " + urgency);
        }
        String topic = headers.get("Topic");
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            return new Check(400, "Topic must be at most 32 base64url characters, was " + topic);
        }
        if (bodyLength > 0 && !"aes128gcm".equalsIgnoreCase(headers.get("Content-Encoding"))) {
            return new Check(400, "Content-Encoding must be aes128gcm, was " + headers.get("Content-Encoding"));
        }
        return Check.OK;
    }

    /**
     * RFC 8292: {@code Authorization: vapid t=<JWT>, k=<key>}; the JWT is ES256, signed by {@code k}, for this push
     * service's origin, unexpired and at most 24 h ahead, with a contact. Bad credentials are 401; a valid key that
     * is not the one a restricted subscription was made with is 403.
     */
    static Check verifyVapid(String authorization, String ownOrigin, Instant now, ECPublicKey restrictedTo) {
        if (authorization == null || !authorization.regionMatches(true, 0, "vapid ", 0, 6)) {
            return new Check(401, "no 'Authorization: vapid t=..., k=...' header");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : authorization.substring(6).split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                params.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
            }
        }
        String token = params.get("t");
        ECPublicKey key;
        try {
            key = P256Keys.decodePublic(params.get("k"));
        } catch (IllegalArgumentException e) {
            return new Check(401, "vapid k is not a P-256 public key: " + e.getMessage());
        }
        if (token == null) {
            return new Check(401, "vapid t (the JWT) is missing");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return new Check(401, "vapid t is not a compact JWS (three dot-separated parts)");
        }
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = HttpExchanges.JSON.readTree(P256Keys.decodeBase64Url(parts[0], "JWT header"));
            if (!"ES256".equals(header.path("alg").asText()) || !"JWT".equals(header.path("typ").asText("JWT"))) {
                return new Check(401, "vapid JWT must be typ JWT, alg ES256; header was " + header);
            }
            claims = HttpExchanges.JSON.readTree(P256Keys.decodeBase64Url(parts[1], "JWT claims"));
            signature = P256Keys.decodeBase64Url(parts[2], "JWT signature");
        } catch (IllegalArgumentException | IOException e) {
            return new Check(401, "vapid JWT is malformed: " + e.getMessage());
        }
        if (signature.length != 64 || !verifies(key, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII),
                signature)) {
            return new Check(401, "vapid JWT signature does not verify with k");
        }
        String aud = claims.path("aud").asText("");
        if (!aud.equals(ownOrigin)) {
            return new Check(401, "vapid aud '" + aud + "' is not this push service's origin " + ownOrigin);
        }
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.canConvertToLong()) {
            return new Check(401, "vapid exp is missing or not a number");
        }
        Instant expiry = Instant.ofEpochSecond(exp.asLong());
        if (!expiry.isAfter(now)) {
            return new Check(401, "vapid JWT expired at " + expiry);
        }
        if (expiry.isAfter(now.plus(MAX_VAPID_LIFETIME))) {
            return new Check(401, "vapid exp " + expiry + " is more than 24 hours ahead");
        }
        String sub = claims.path("sub").asText("");
        if (!(sub.startsWith("mailto:") || sub.startsWith("https:"))) {
            return new Check(401, "vapid sub must be a mailto: or https: contact, was '" + sub + "'");
        }
        if (restrictedTo != null && !Arrays.equals(P256Keys.encode(restrictedTo), P256Keys.encode(key))) {
            return new Check(403, "vapid k is not the applicationServerKey this subscription was made with");
        }
        return Check.OK;
    }

    private static boolean verifies(ECPublicKey key, byte[] signingInput, byte[] rawSignature) {
        try {
            Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(rawSignature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private void refuse(HttpExchange exchange, String id, Map<String, String> headers, int status, String reason)
            throws IOException {
        inbox.record(new PushInbox.Push(clock.instant(), CHANNEL, id, false, status, null, headers, reason));
        sendText(exchange, status, reason);
    }

    /** The request's own origin, as a sender addressing this endpoint computes it for the JWT's aud. */
    private static String origin(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null || host.isBlank()) {
            var local = exchange.getLocalAddress();
            host = local.getAddress().getHostAddress() + ":" + local.getPort();
        }
        return "http://" + host.trim().toLowerCase(Locale.ROOT);
    }

    /** Headers worth seeing in the inbox; never Authorization. */
    private static Map<String, String> selectedHeaders(HttpExchange exchange) {
        Map<String, String> selected = new LinkedHashMap<>();
        for (String name : new String[] {"TTL", "Urgency", "Topic", "Content-Encoding", "Content-Type"}) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                selected.put(name, value.trim());
            }
        }
        return selected;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readNBytes(MAX_BODY * 4); // enough to see "too large" without reading an unbounded body
        }
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        HttpExchanges.send(exchange, status, "text/plain; charset=UTF-8", text.getBytes(StandardCharsets.UTF_8));
    }
}
