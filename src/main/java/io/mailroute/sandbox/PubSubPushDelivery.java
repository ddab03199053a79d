package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a push subscription's messages as Pub/Sub does: one HTTP POST per message to the push endpoint,
 * body {@code {"message":{...},"subscription":"projects/P/subscriptions/S"}}, with an OIDC ID token as bearer
 * when the subscription names a service account. A 2xx answer acknowledges; anything else (or no answer) gives
 * the message back after a backoff that doubles per attempt, from {@value #MIN_BACKOFF_MILLIS} ms up to
 * {@value #MAX_BACKOFF_MILLIS} ms (Google: 10 s to 600 s; shorter here so tests run quickly).
 */
final class PubSubPushDelivery implements Runnable {

    static final long MIN_BACKOFF_MILLIS = 100;
    static final long MAX_BACKOFF_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(PubSubPushDelivery.class);

    private final PubSubSubscription subscription;
    private final HttpClient http;
    /** (service account email, audience) -> signed ID token. */
    private final BiFunction<String, String, String> idTokens;

    PubSubPushDelivery(PubSubSubscription subscription, HttpClient http, BiFunction<String, String, String> idTokens) {
        this.subscription = subscription;
        this.http = http;
        this.idTokens = idTokens;
    }

    /** Delivers until the subscription is deleted. */
    @Override
    public void run() {
        while (!subscription.isDeleted()) {
            List<PubSubSubscription.Received> batch;
            try {
                batch = subscription.pull(1, 60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (PubSubSubscription.Received received : batch) {
                if (deliver(received)) {
                    subscription.acknowledge(List.of(received.ackId()));
                } else {
                    subscription.modifyAckDeadline(List.of(received.ackId()), backoffMillis(received.deliveryAttempt()));
                }
            }
        }
    }

    static long backoffMillis(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 20);
        return Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << doublings);
    }

    private boolean deliver(PubSubSubscription.Received received) {
        PubSubSubscription.PushConfig config = subscription.pushConfig();
        ObjectNode message = received.message().json();
        // Google's push body carries both spellings
        message.put("message_id", received.message().messageId()).put("publish_time", message.get("publishTime").asText());
        ObjectNode body = HttpExchanges.JSON.createObjectNode();
        body.set("message", message);
        body.put("subscription", subscription.name()).put("deliveryAttempt", received.deliveryAttempt());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.pushEndpoint()))
                .timeout(Duration.ofSeconds(subscription.ackDeadlineSeconds()))
                .header("Content-Type", "application/json")
                .header("User-Agent", "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (config.serviceAccountEmail() != null) {
            String audience = config.audience() == null || config.audience().isEmpty()
                    ? config.pushEndpoint() : config.audience();
            request.header("Authorization", "Bearer " + idTokens.apply(config.serviceAccountEmail(), audience));
        }
        try {
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status / 100 == 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.debug("Push to {} for {} failed: {}", config.pushEndpoint(), subscription.name(), e.toString());
            return false;
        }
    }
}
