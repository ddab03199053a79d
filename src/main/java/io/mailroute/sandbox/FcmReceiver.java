package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.mailroute.delivery.fcm.ServiceAccount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Firebase Cloud Messaging as the sandbox plays it, under {@code /push/fcm/}:
 * <ul>
 * <li>the bearer tokens come from the sandbox's service-account token endpoint ({@link SandboxServiceAccounts}, shared
 *     with Pub/Sub; the key file: {@link #serviceAccountJson}, {@link #testAccount});</li>
 * <li>{@code POST v1/projects/{project}/messages:send}: checks the bearer token and project, then the message as
 *     FCM's proto parser would (unknown fields, string-only data, reserved data keys, size), and answers with
 *     Google's JSON errors, {@code details[].errorCode} included;</li>
 * <li>{@code GET service-account.json}: the throwaway key file, for the demo and other processes.</li>
 * </ul>
 */
public final class FcmReceiver implements PushReceiver {

    public static final String PATH = "/push/fcm/";
    public static final String PROJECT_ID = SandboxServiceAccounts.PROJECT_ID;
    public static final String CLIENT_EMAIL = SandboxServiceAccounts.CLIENT_EMAIL;
    /** The scopes that allow {@code messages:send}. */
    static final Set<String> SCOPES = Set.of("https://www.googleapis.com/auth/firebase.messaging",
            SandboxServiceAccounts.CLOUD_PLATFORM);
    private static final Set<String> MESSAGE_FIELDS = Set.of("name", "data", "notification", "android", "webpush",
            "apns", "fcm_options", "fcmOptions", "token", "topic", "condition");
    private static final Set<String> NOTIFICATION_FIELDS = Set.of("title", "body", "image");
    private static final Pattern SEND = Pattern.compile("/push/fcm/v1/projects/([^/]+)/messages:send");
    private static final int MAX_PAYLOAD_BYTES = 4096;
    private static final String FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
    private static final String BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";

    private final PushInbox inbox;
    private final Clock clock;
    private final SandboxServiceAccounts accounts;
    private final Set<String> unregistered = new HashSet<>();
    private final WebhookReceiver.NextFailures failures = new WebhookReceiver.NextFailures();
    private final AtomicLong messageCounter = new AtomicLong(1_500_000_000_000_000L);

    FcmReceiver(PushInbox inbox, Clock clock, SandboxServiceAccounts accounts) {
        this.inbox = inbox;
        this.clock = clock;
        this.accounts = accounts;
    }

    /** The FCM receiver of a running sandbox. */
    public static FcmReceiver of(GmailSandbox sandbox) {
        return sandbox.admin().pushReceiver("fcm", FcmReceiver.class);
    }

    /** The base URL to give {@code FcmSender}: the sandbox root plus this receiver's path. */
    public static String baseUrl(String sandboxRootUrl) {
        return sandboxRootUrl + PATH.substring(1);
    }

    /**
     * The sandbox's service account, read from a running sandbox (this process or another) over HTTP:
     * a key pair made at its start, its token endpoint as {@code token_uri}.
     */
    public static ServiceAccount testAccount(String sandboxRootUrl) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .send(HttpRequest.newBuilder(URI.create(baseUrl(sandboxRootUrl) + "service-account.json"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("sandbox at " + sandboxRootUrl + " has no FCM receiver (HTTP "
                    + response.statusCode() + ")");
        }
        return ServiceAccount.fromJson(response.body());
    }

    @Override
    public String path() {
        return PATH;
    }

    // ---- knobs -------------------------------------------------------------------------------------------------

    /** The JSON key file of the sandbox's service account (shared with Pub/Sub), its {@code token_uri} the sandbox's. */
    public String serviceAccountJson(String sandboxRootUrl) {
        return accounts.serviceAccountJson(sandboxRootUrl);
    }

    public ServiceAccount serviceAccount(String sandboxRootUrl) {
        return ServiceAccount.fromJson(serviceAccountJson(sandboxRootUrl));
    }

    /** Sends to this registration token answer 404 UNREGISTERED from now on, as for an uninstalled app. */
    public synchronized void markUnregistered(String registrationToken) {
        unregistered.add(registrationToken);
    }

    /**
     * The next {@code count} authenticated sends are answered {@code status} in FCM's shape: 429 QUOTA_EXCEEDED,
     * 503 UNAVAILABLE, 500 INTERNAL (others carry no FCM error code); with Retry-After if given.
     */
    public void failNext(int status, int count, Duration retryAfter) {
        failures.set(status, count, retryAfter);
    }

    /** Every access token issued so far stops working, as when Google revokes them early. */
    public void revokeAccessTokens() {
        accounts.revokeAccessTokens();
    }

    /** Lifetime of the access tokens issued from now on. */
    public void setAccessTokenSeconds(int seconds) {
        accounts.setAccessTokenSeconds(seconds);
    }

    /** How many token requests arrived (granted or not): a sender should make few. */
    public int tokenRequests() {
        return accounts.tokenRequests();
    }

    // ---- protocol ----------------------------------------------------------------------------------------------

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.equals(PATH + "service-account.json") && method.equals("GET")) {
            String root = "http://" + exchange.getRequestHeaders().getFirst("Host") + "/";
            HttpExchanges.send(exchange, 200, "application/json; charset=UTF-8",
                    serviceAccountJson(root).getBytes(StandardCharsets.UTF_8));
        } else {
            Matcher send = SEND.matcher(path);
            if (send.matches() && method.equals("POST")) {
                send(exchange, send.group(1));
            } else {
                HttpExchanges.sendJson(exchange, 404, googleError(404, "NOT_FOUND",
                        "Requested entity was not found.", null));
            }
        }
    }

    // -- messages:send

    private void send(HttpExchange exchange, String project) throws IOException {
        String body = new String(HttpExchanges.body(exchange), StandardCharsets.UTF_8);
        JsonNode request = parseOrNull(body);
        String target = request == null ? "" : request.path("message").path("token").asText("");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refuse(exchange, target, body, 401, "UNAUTHENTICATED", null, "Request is missing required authentication"
                    + " credential. Expected OAuth 2 access token, login cookie or other valid authentication"
                    + " credential.", null, "no bearer token");
            return;
        }
        if (!validAccessToken(authorization.substring(7).trim())) {
            exchange.getResponseHeaders().set("WWW-Authenticate",
                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
            refuse(exchange, target, body, 401, "UNAUTHENTICATED", null, "Request had invalid authentication"
                    + " credentials. Expected OAuth 2 access token, login cookie or other valid authentication"
                    + " credential.", null, "bearer token unknown, expired or revoked");
            return;
        }
        if (!PROJECT_ID.equals(project)) {
            refuse(exchange, target, body, 403, "PERMISSION_DENIED", null, "Permission"
                    + " 'cloudmessaging.messages.create' denied on resource"
                    + " '//cloudresourcemanager.googleapis.com/projects/" + project + "' (or it may not exist).",
                    null, "token is not for project " + project);
            return;
        }
        WebhookReceiver.NextFailures.Failure failure = failures.take();
        if (failure != null) {
            failure.applyTo(exchange);
            String[] shape = switch (failure.status()) {
                case 429 -> new String[] {"RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED",
                        "Quota exceeded for quota metric 'Send requests' of service 'fcm.googleapis.com'."};
                case 503 -> new String[] {"UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable."};
                case 500 -> new String[] {"INTERNAL", "INTERNAL", "Internal error encountered."};
                default -> new String[] {"UNKNOWN", null, "Injected failure."};
            };
            refuse(exchange, target, body, failure.status(), shape[0], shape[1], shape[2], null,
                    "injected failure " + failure.status());
            return;
        }
        if (request == null || !request.isObject()) {
            invalid(exchange, target, body, "Invalid JSON payload received. Unexpected token.", "", null);
            return;
        }
        String problem = requestProblem(exchange, target, body, request);
        if (problem != null) {
            return; // already answered
        }
        JsonNode message = request.get("message");
        boolean registered;
        synchronized (this) {
            registered = !unregistered.contains(target);
        }
        if (message.has("token") && !registered) {
            refuse(exchange, target, body, 404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", null,
                    "registration token is unregistered");
            return;
        }
        boolean validateOnly = request.path("validate_only").asBoolean(false);
        String name = "projects/" + project + "/messages/"
                + (validateOnly ? "fake_message_id" : "0:" + messageCounter.incrementAndGet() + "%" + randomHex(8));
        record(exchange, target, body, 200, validateOnly ? "bearer ok; message ok; validate_only, not delivered"
                : "bearer ok; message ok");
        HttpExchanges.sendJson(exchange, 200, HttpExchanges.JSON.createObjectNode().put("name", name));
    }

    /** Answers and returns a description if the request is not a valid FCM v1 send; else null. */
    private String requestProblem(HttpExchange exchange, String target, String body, JsonNode request)
            throws IOException {
        for (Iterator<String> it = request.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!field.equals("message") && !field.equals("validate_only") && !field.equals("validateOnly")) {
                return unknownField(exchange, target, body, field, "");
            }
        }
        JsonNode message = request.get("message");
        if (message == null || !message.isObject()) {
            return invalid(exchange, target, body, "Request contains an invalid argument.", "message", null);
        }
        for (Iterator<String> it = message.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!MESSAGE_FIELDS.contains(field)) {
                return unknownField(exchange, target, body, field, "message");
            }
        }
        int recipients = (message.has("token") ? 1 : 0) + (message.has("topic") ? 1 : 0)
                + (message.has("condition") ? 1 : 0);
        if (recipients == 0) {
            return invalid(exchange, target, body, "Recipient of the message is not set.", "message", "INVALID_ARGUMENT");
        }
        if (recipients > 1) {
            return invalid(exchange, target, body, "Invalid value at 'message' (oneof), oneof field 'target' is"
                    + " already set.", "message", null);
        }
        if (message.has("token") && (!message.get("token").isTextual() || message.get("token").asText().isEmpty())) {
            return invalid(exchange, target, body, "The registration token is not a valid FCM registration token",
                    "message.token", "INVALID_ARGUMENT");
        }
        JsonNode notification = message.path("notification");
        if (!notification.isMissingNode()) {
            if (!notification.isObject()) {
                return invalid(exchange, target, body, "Invalid value at 'message.notification' (type.googleapis.com"
                        + "/google.firebase.fcm.v1.Notification), " + notification, "message.notification", null);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = notification.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!NOTIFICATION_FIELDS.contains(e.getKey())) {
                    return unknownField(exchange, target, body, e.getKey(), "message.notification");
                }
                if (!e.getValue().isTextual()) {
                    return invalid(exchange, target, body, "Invalid value at 'message.notification." + e.getKey()
                            + "' (TYPE_STRING), " + e.getValue(), "message.notification." + e.getKey(), null);
                }
            }
        }
        JsonNode data = message.path("data");
        if (!data.isMissingNode()) {
            if (!data.isObject()) {
                return invalid(exchange, target, body, "Invalid value at 'message.data' (type.googleapis.com"
                        + "/google.firebase.fcm.v1.Message.DataEntry), " + data, "message.data", null);
            }
            int i = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); i++) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    return invalid(exchange, target, body, "Invalid value at 'message.data[" + i + "].value'"
                            + " (TYPE_STRING), " + e.getValue(), "message.data[" + i + "].value", null);
                }
                String key = e.getKey().toLowerCase(Locale.ROOT);
                if (key.equals("from") || key.equals("notification") || key.equals("message_type")
                        || key.startsWith("google") || key.startsWith("gcm")) {
                    return invalid(exchange, target, body, "Invalid data payload key: " + e.getKey(),
                            "message.data", "INVALID_ARGUMENT");
                }
            }
        }
        JsonNode priority = message.path("android").path("priority");
        if (!priority.isMissingNode() && !(priority.asText().equals("NORMAL") || priority.asText().equals("HIGH"))) {
            return invalid(exchange, target, body, "Invalid value at 'message.android.priority'"
                    + " (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), " + priority,
                    "message.android.priority", null);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = message.path("apns").path("headers").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                return invalid(exchange, target, body, "Invalid value at 'message.apns.headers[0].value'"
                        + " (TYPE_STRING), " + e.getValue(), "message.apns.headers", null);
            }
        }
        int size = (notification.isMissingNode() ? 0 : notification.toString().length())
                + (data.isMissingNode() ? 0 : data.toString().getBytes(StandardCharsets.UTF_8).length);
        if (size > MAX_PAYLOAD_BYTES) {
            return invalid(exchange, target, body, "Message is too big", "message", "INVALID_ARGUMENT");
        }
        return null;
    }

    private String unknownField(HttpExchange exchange, String target, String body, String field, String at)
            throws IOException {
        return invalid(exchange, target, body, "Invalid JSON payload received. Unknown name \"" + field + "\""
                + (at.isEmpty() ? "" : " at '" + at + "'") + ": Cannot find field.", at, null);
    }

    /**
     * 400 INVALID_ARGUMENT: with an FCM error code for FCM's own checks, or a {@code BadRequest} field violation
     * for the proto parser's, as Google does.
     */
    private String invalid(HttpExchange exchange, String target, String body, String message, String field,
            String fcmErrorCode) throws IOException {
        ObjectNode violation = null;
        if (fcmErrorCode == null) {
            violation = HttpExchanges.JSON.createObjectNode().put("@type", BAD_REQUEST);
            violation.putArray("fieldViolations").addObject().put("field", field).put("description", message);
        }
        refuse(exchange, target, body, 400, "INVALID_ARGUMENT", fcmErrorCode, message, violation, message);
        return message;
    }

    private void refuse(HttpExchange exchange, String target, String body, int status, String googleStatus,
            String fcmErrorCode, String message, ObjectNode extraDetail, String verdict) throws IOException {
        record(exchange, target, body, status, verdict);
        HttpExchanges.sendJson(exchange, status, googleError(status, googleStatus, message,
                fcmErrorCode == null ? extraDetail
                        : HttpExchanges.JSON.createObjectNode().put("@type", FCM_ERROR).put("errorCode", fcmErrorCode)));
    }

    private static ObjectNode googleError(int code, String status, String message, ObjectNode detail) {
        ObjectNode root = HttpExchanges.JSON.createObjectNode();
        ObjectNode error = root.putObject("error").put("code", code).put("message", message).put("status", status);
        if (detail != null) {
            ArrayNode details = error.putArray("details");
            details.add(detail);
        }
        return root;
    }

    private boolean validAccessToken(String token) {
        return accounts.validAccessToken(token, SCOPES);
    }

    private void record(HttpExchange exchange, String target, String body, int status, String verdict) {
        Map<String, String> headers = new LinkedHashMap<>();
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        inbox.record(new PushInbox.Push(clock.instant(), "fcm", target, status / 100 == 2, status, body,
                Map.copyOf(headers), verdict));
    }

    private static JsonNode parseOrNull(String body) {
        try {
            return HttpExchanges.JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private String randomHex(int bytes) {
        return accounts.randomHex(bytes);
    }
}
