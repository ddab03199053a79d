package io.mailroute.delivery.fcm;

import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.PushTarget;
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
import java.util.Objects;
import java.util.Optional;

/**
 * Firebase Cloud Messaging, HTTP v1 API: {@code POST {base}v1/projects/{project}/messages:send} with a service
 * account's OAuth token. {@code target.address()} is the device's registration token.
 */
public final class FcmSender implements PushSender {

    /** Google's endpoint; tests and the demo pass the sandbox's instead. */
    public static final String GOOGLE_BASE_URL = "https://fcm.googleapis.com/";
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI endpoint;
    private final AccessTokens tokens;
    private final HttpClient http;
    private final Clock clock;

    public FcmSender(ServiceAccount account, String baseUrl, HttpClient http, Clock clock) {
        Objects.requireNonNull(account, "FCM service account");
        String base = Objects.requireNonNull(baseUrl, "FCM base URL");
        this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "v1/projects/"
                + URLEncoder.encode(account.projectId(), StandardCharsets.UTF_8) + "/messages:send");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tokens = new AccessTokens(account, http, clock);
    }

    @Override
    public String type() {
        return "fcm";
    }

    @Override
    public SendResult send(Notification notification, PushTarget target) throws InterruptedException {
        Optional<String> problem = FcmMessage.problem(notification);
        if (problem.isPresent()) {
            return SendResult.failed(problem.get());
        }
        String registrationToken = target.address();
        if (registrationToken == null || registrationToken.isBlank()) {
            return SendResult.failed("fcm: the target has no registration token");
        }
        String body = FcmMessage.json(notification, registrationToken);
        boolean refreshed = false;
        while (true) {
            String accessToken;
            try {
                accessToken = tokens.get();
            } catch (AccessTokens.Unavailable e) {
                return e.result;
            }
            HttpResponse<BoundedBody> response;
            try {
                response = http.send(HttpRequest.newBuilder(endpoint)
                                .timeout(REQUEST_TIMEOUT)
                                .header("Authorization", "Bearer " + accessToken)
                                .header("Content-Type", "application/json; charset=UTF-8")
                                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                                .build(),
                        BoundedBody.handler());
            } catch (HttpTimeoutException e) {
                return SendResult.retry("fcm: no answer within " + REQUEST_TIMEOUT.toSeconds() + " s", null);
            } catch (IOException e) {
                return SendResult.retry("fcm: " + e.getClass().getSimpleName(), null);
            }
            FcmAnswer answer = FcmAnswer.parse(response.statusCode(), response.body().text());
            if (answer.isStaleAccessToken() && !refreshed) {
                tokens.invalidate(accessToken); // revoked or expired early: one fresh token, one more try
                refreshed = true;
                continue;
            }
            return answer.outcome(RetryAfter.parse(response.headers().firstValue("Retry-After"), clock));
        }
    }

    @Override
    public String toString() {
        return "FcmSender[" + endpoint + "]";
    }
}
