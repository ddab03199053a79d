package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenText AppWorks Gateway's trusted-server notifications endpoint,
 * {@code POST /push/appworks/gateway/v2/notifications} (form: {@code key}, {@code users}, {@code message}), as
 * documented in OpenText's "AppWorks Notifications" article (see {@code AppWorksSender}). Checks the trusted server
 * key and the message's standard fields, records users and message.
 */
public final class AppWorksReceiver implements PushReceiver {

    public static final String PATH = "/push/appworks/";
    static final String NOTIFICATIONS = PATH + "gateway/v2/notifications";

    private final PushInbox inbox;
    private final Clock clock;
    private final WebhookReceiver.NextFailures failures = new WebhookReceiver.NextFailures();
    private String trustedServerKey;

    public AppWorksReceiver(PushInbox inbox, Clock clock) {
        this.inbox = inbox;
        this.clock = clock;
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.trustedServerKey = HexFormat.of().formatHex(random); // like the gateway's Trusted Servers tab: generated
    }

    /** The AppWorks receiver of a running sandbox. */
    public static AppWorksReceiver of(GmailSandbox sandbox) {
        return sandbox.admin().pushReceiver("appworks", AppWorksReceiver.class);
    }

    /** The gateway URL to configure a sender with: the sandbox root plus this receiver's path. */
    public static String gatewayUrl(String sandboxRootUrl) {
        return sandboxRootUrl + PATH.substring(1);
    }

    @Override
    public String path() {
        return PATH;
    }

    // ---- knobs -------------------------------------------------------------------------------------------------

    public synchronized String trustedServerKey() {
        return trustedServerKey;
    }

    public synchronized void setTrustedServerKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("trusted server key must not be empty");
        }
        this.trustedServerKey = key;
    }

    /** The next {@code count} requests are answered {@code status}, with Retry-After if given. */
    public void failNext(int status, int count, Duration retryAfter) {
        failures.set(status, count, retryAfter);
    }

    // ---- protocol ----------------------------------------------------------------------------------------------

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals(NOTIFICATIONS)) {
            answer(exchange, "", 404, "", "no such gateway endpoint: " + path);
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            answer(exchange, "", 405, "", "method " + exchange.getRequestMethod() + " refused");
            return;
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String form = new String(HttpExchanges.body(exchange), StandardCharsets.UTF_8);
        if (contentType == null || !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            answer(exchange, "", 415, "", "expected an application/x-www-form-urlencoded form, got " + contentType);
            return;
        }
        Map<String, List<String>> params = HttpExchanges.parseParams(form);
        String users = HttpExchanges.first(params, "users");
        String message = HttpExchanges.first(params, "message");
        String target = users == null ? "" : users;
        WebhookReceiver.NextFailures.Failure failure = failures.take();
        if (failure != null) {
            failure.applyTo(exchange);
            answer(exchange, target, failure.status(), message, "injected failure " + failure.status());
            return;
        }
        String key = HttpExchanges.first(params, "key");
        if (key == null || !MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                trustedServerKey().getBytes(StandardCharsets.UTF_8))) {
            answer(exchange, target, 401, message, key == null ? "no trusted server key" : "trusted server key refused");
            return;
        }
        if (users == null || users.isBlank()) {
            answer(exchange, target, 400, message, "key ok; no users");
            return;
        }
        String problem = messageProblem(message);
        if (problem != null) {
            answer(exchange, target, 400, message, "key ok; " + problem);
            return;
        }
        answer(exchange, target, 200, message, "key ok; " + users.split(",").length + " user(s); message ok");
    }

    private static String messageProblem(String message) {
        if (message == null) {
            return "no message";
        }
        JsonNode json;
        try {
            json = HttpExchanges.JSON.readTree(message);
        } catch (IOException e) {
            return "message is not JSON";
        }
        if (json == null || !json.isObject()) {
            return "message is not a JSON object";
        }
        for (String field : new String[] {"type", "header", "body"}) { // the article's standard fields
            if (!json.path(field).isTextual() || json.get(field).asText().isEmpty()) {
                return "message \"" + field + "\" is missing or not a string";
            }
        }
        return null;
    }

    private void answer(HttpExchange exchange, String target, int status, String message, String verdict)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        inbox.record(new PushInbox.Push(clock.instant(), "appworks", target, status / 100 == 2, status,
                message == null ? "" : message, Map.copyOf(headers), verdict));
        // The article does not document the answer body; this is the sandbox's choice.
        String answer = status / 100 == 2 ? "{\"ok\":true}"
                : "{\"error\":" + HttpExchanges.JSON.writeValueAsString(verdict) + "}";
        HttpExchanges.send(exchange, status, "application/json", answer.getBytes(StandardCharsets.UTF_8));
    }
}
