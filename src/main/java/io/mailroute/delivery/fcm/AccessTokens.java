package io.mailroute.delivery.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.SendResult;
import io.mailroute.delivery.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One service account's OAuth access token: fetched with a signed assertion, kept until shortly before it
 * expires, shared by every send. Thread-safe; concurrent callers wait for one fetch rather than each making one.
 */
final class AccessTokens {

    static final String JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** Refresh this long before expiry, so a token never runs out between taking it and FCM checking it. */
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** What an OAuth error code looks like (RFC 6749 section 5.2: {@code invalid_grant}, {@code invalid_client}). */
    static final Pattern OAUTH_ERROR = Pattern.compile("[a-z_]{1,40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Why no token could be had, already phrased as the send's outcome. */
    static final class Unavailable extends Exception {
        final transient SendResult result;

        Unavailable(SendResult result) {
            super(result.detail(), null, false, false);
            this.result = result;
        }
    }

    private record Token(String value, Instant refreshAt) {
    }

    private final ServiceAccount account;
    private final HttpClient http;
    private final Clock clock;
    private Token current;

    AccessTokens(ServiceAccount account, HttpClient http, Clock clock) {
        this.account = account;
        this.http = http;
        this.clock = clock;
    }

    synchronized String get() throws Unavailable, InterruptedException {
        if (current == null || !clock.instant().isBefore(current.refreshAt())) {
            current = fetch();
        }
        return current.value();
    }

    /** FCM refused this token: forget it (unless another thread already replaced it). */
    synchronized void invalidate(String token) {
        if (current != null && current.value().equals(token)) {
            current = null;
        }
    }

    private Token fetch() throws Unavailable, InterruptedException {
        Instant now = clock.instant();
        String form = "grant_type=" + URLEncoder.encode(JWT_BEARER_GRANT, StandardCharsets.UTF_8)
                + "&assertion=" + ServiceAccountAssertion.sign(account, now);
        HttpResponse<BoundedBody> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(account.tokenUri()))
                            .timeout(REQUEST_TIMEOUT)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    BoundedBody.handler());
        } catch (IOException e) {
            throw new Unavailable(SendResult.retry("fcm token endpoint: " + e.getClass().getSimpleName(), null));
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body().text());
        if (status == 200 && body.path("access_token").isTextual()) {
            long expiresIn = body.path("expires_in").asLong(3600);
            Instant refreshAt = now.plusSeconds(expiresIn).minus(REFRESH_MARGIN);
            if (refreshAt.isBefore(now)) {
                refreshAt = now; // a very short-lived token is used once, then fetched again
            }
            return new Token(body.get("access_token").asText(), refreshAt);
        }
        String error = body.path("error").asText("");
        String detail = "fcm token endpoint " + status + (OAUTH_ERROR.matcher(error).matches() ? " " + error : "");
        String said = BoundedBody.forLog(body.path("error_description").asText(""));
        if (status == 429 || status >= 500) {
            throw new Unavailable(SendResult.retry(detail,
                    RetryAfter.parse(response.headers().firstValue("Retry-After"), clock)).withProviderSaid(said));
        }
        throw new Unavailable(SendResult.failed(detail
                + " (check the FCM service account key in the channel configuration, and this machine's clock)")
                .withProviderSaid(said));
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null ? JSON.createObjectNode() : json;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
