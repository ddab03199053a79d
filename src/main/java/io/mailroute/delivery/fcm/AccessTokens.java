package io.mailroute.delivery.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpResponseException;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.RetryAfter;
import io.mailroute.delivery.SendResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One service account's OAuth access token, by google-auth-library's {@link ServiceAccountCredentials}: it signs
 * the JWT bearer assertion, exchanges it at the key's {@code token_uri}, caches the token and refreshes it shortly
 * before expiry. The library holds no lock across the token call (one caller fetches, the others wait on that
 * fetch's future). This class only turns the library's failures into a send's outcome.
 */
final class AccessTokens {

    static final String FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    /** Refresh this long before expiry, so a token never runs out between taking it and FCM checking it. */
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
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

    private final ServiceAccountCredentials credentials;
    private final Clock clock;
    private volatile String refused;

    AccessTokens(ServiceAccount account, HttpClient http, Clock clock) {
        JdkHttpTransport transport = new JdkHttpTransport(http);
        ServiceAccountCredentials.Builder builder = ServiceAccountCredentials.newBuilder()
                .setProjectId(account.projectId())
                .setClientEmail(account.clientEmail())
                .setPrivateKey(account.privateKey())
                .setTokenServerUri(URI.create(account.tokenUri()))
                .setScopes(List.of(FCM_SCOPE))
                .setHttpTransportFactory(() -> transport)
                .setDefaultRetriesEnabled(false); // the delivery worker retries, with the provider's Retry-After
        builder.setExpirationMargin(REFRESH_MARGIN).setRefreshMargin(REFRESH_MARGIN);
        this.credentials = builder.build();
        this.clock = clock;
    }

    String get() throws Unavailable, InterruptedException {
        try {
            AccessToken cached = credentials.getAccessToken();
            if (cached != null && cached.getTokenValue().equals(refused)) {
                credentials.refresh(); // single flight in the library: concurrent callers share this fetch
            } else {
                credentials.refreshIfExpired();
            }
            AccessToken token = credentials.getAccessToken();
            if (token == null) {
                throw new Unavailable(SendResult.retry("fcm token endpoint: no token", null));
            }
            return token.getTokenValue();
        } catch (InterruptedIOException e) {
            throw new InterruptedException(e.getMessage());
        } catch (IOException e) {
            throw new Unavailable(outcome(e));
        }
    }

    /** FCM refused this token: the next {@link #get} fetches a fresh one (unless one already replaced it). */
    void invalidate(String token) {
        refused = token;
    }

    private SendResult outcome(IOException e) {
        Optional<HttpResponseException> answer = answerIn(e);
        if (answer.isEmpty()) {
            return SendResult.retry("fcm token endpoint: " + e.getClass().getSimpleName(), null);
        }
        HttpResponseException response = answer.get();
        int status = response.getStatusCode();
        JsonNode body = parse(response.getContent());
        String error = body.path("error").asText("");
        String detail = "fcm token endpoint " + status + (OAUTH_ERROR.matcher(error).matches() ? " " + error : "");
        String said = BoundedBody.forLog(body.path("error_description").asText(""));
        if (status == 429 || status >= 500) {
            return SendResult.retry(detail, RetryAfter.parse(Optional.ofNullable(
                    response.getHeaders().getFirstHeaderStringValue("Retry-After")), clock)).withProviderSaid(said);
        }
        return SendResult.failed(detail
                + " (check the FCM service account key in the channel configuration, and this machine's clock)")
                .withProviderSaid(said);
    }

    private static Optional<HttpResponseException> answerIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException r) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = body == null ? null : JSON.readTree(body);
            return json == null ? JSON.createObjectNode() : json;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
