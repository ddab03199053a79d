package io.mailroute.delivery.appworks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.PushTarget;
import io.mailroute.delivery.PushTargetRules;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * OpenText AppWorks Gateway notifications, sent as a "trusted server".
 *
 * <p>Wire format, from OpenText's developer article "AppWorks Notifications" (J. Wilkinson,
 * https://developer.opentext.com/awd/resources/articles/8545/appworks+notifications, mirrored at
 * https://forums.opentext.com/forums/developer/discussion/308257/appworks-notifications):
 * <pre>
 * POST {gateway}/gateway/v2/notifications
 * Content-Type: application/x-www-form-urlencoded
 *
 * key=&lt;trusted server key&gt;&amp;message=&lt;json string&gt;&amp;users=&lt;comma-separated usernames&gt;
 * </pre>
 * where the message JSON has the standard fields {@code type} (what the handler app registers for in its
 * {@code component.properties}), {@code displayType} ({@code show}), {@code header} and {@code body}, plus any
 * custom fields. The key travels in the form body, as documented, not in a header. The article does not document
 * the answer: we read 2xx as accepted, 401/403 as a refused key, and treat the rest as any HTTP API. Everything
 * about the wire is in this class, so a gateway version that differs is corrected here alone.
 */
public final class AppWorksSender implements PushSender {

    static final String NOTIFICATIONS_PATH = "gateway/v2/notifications";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String trustedServerName;
    private final String trustedServerKey;
    private final String appName;
    private final HttpClient http;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param gatewayUrl        the gateway's base URL, e.g. {@code https://appworks.example.com/}
     * @param trustedServerName the name the gateway administrator gave this trusted server; sent as the message's
     *                          {@code source} so handler apps can tell senders apart
     * @param trustedServerKey  the key generated on the gateway's Trusted Servers tab
     * @param appName           the notification {@code type} the AppWorks handler app registers for
     */
    public AppWorksSender(String gatewayUrl, String trustedServerName, String trustedServerKey, String appName,
            HttpClient http) {
        String base = Objects.requireNonNull(gatewayUrl, "AppWorks gateway URL");
        this.endpoint = URI.create(base.endsWith("/") ? base + NOTIFICATIONS_PATH : base + "/" + NOTIFICATIONS_PATH);
        this.trustedServerName = requireText(trustedServerName, "trusted server name");
        this.trustedServerKey = requireText(trustedServerKey, "trusted server key");
        this.appName = requireText(appName, "app name (the notification type)");
        this.http = Objects.requireNonNull(http, "http");
    }

    @Override
    public String type() {
        return "appworks";
    }

    @Override
    public SendResult send(Notification notification, PushTarget target) throws InterruptedException {
        String user = target.address();
        Optional<PushTargetRules.Problem> problem = PushTargetRules.problem(type(), user, Map.of());
        if (problem.isPresent()) {
            return SendResult.failed("appworks: the target's " + problem.get());
        }
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(notification, user), StandardCharsets.UTF_8))
                .build();
        HttpResponse<BoundedBody> response;
        try {
            response = http.send(request, BoundedBody.handler());
        } catch (HttpTimeoutException e) {
            return SendResult.retry("appworks: no answer within " + REQUEST_TIMEOUT.toSeconds() + " s", null);
        } catch (IOException e) {
            return SendResult.retry("appworks: " + e.getClass().getSimpleName(), null);
        }
        return outcome(response.statusCode(), RetryAfter.parse(response.headers().firstValue("Retry-After"), clock))
                .withProviderSaid(response.body().forLog());
    }

    static SendResult outcome(int status, Duration retryAfter) {
        String detail = "appworks " + status;
        if (status >= 200 && status < 300) {
            return new SendResult(SendResult.Outcome.DELIVERED, null, detail, null, null);
        }
        if (status == 429 || status >= 500) {
            return SendResult.retry(detail, retryAfter);
        }
        if (status == 401 || status == 403) {
            return SendResult.failed(detail + ": the gateway refused the trusted server key;"
                    + " check the channel's key against the gateway's Trusted Servers tab");
        }
        if (status == 404) {
            return SendResult.failed(detail + ": no notifications endpoint at the configured gateway URL");
        }
        return SendResult.failed(detail + ": the gateway refused the request");
    }

    /** The form body: {@code key}, {@code users} and the {@code message} JSON string. */
    String form(Notification notification, String user) {
        return "key=" + encode(trustedServerKey)
                + "&users=" + encode(user)
                + "&message=" + encode(message(notification));
    }

    String message(Notification n) {
        ObjectNode json = JSON.createObjectNode()
                .put("type", appName)
                .put("displayType", "show")
                .put("header", n.title())
                .put("body", n.body())
                .put("source", trustedServerName)
                .put("deliveryId", n.deliveryId())
                .put("eventId", n.eventId())
                .put("eventType", n.eventType());
        if (n.url() != null) {
            json.put("url", n.url());
        }
        ObjectNode data = json.putObject("data");
        n.data().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> data.put(e.getKey(), e.getValue()));
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("AppWorks channel: " + what + " is required");
        }
        return value;
    }

    @Override
    public String toString() {
        return "AppWorksSender[" + endpoint.getScheme() + "://" + endpoint.getAuthority() + ", app=" + appName + "]";
    }
}
