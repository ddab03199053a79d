package io.mailroute.gmail.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /gmail/push} (routes/gmail-push.camel.yaml): a Pub/Sub push subscription's delivery, its OIDC token
 * already checked by the {@link io.mailroute.access.ApiGuard} (security key {@code pubsubOidc}). The body is Pub/Sub's
 * envelope {@code {"message": {"data": base64, "messageId": ...}, "subscription": ...}}; its notification is handled as
 * a pulled one is ({@link PushNotifications}). The answer is Pub/Sub's acknowledgement: 204 once the sync it triggered
 * has committed, or at once for what is ignored (an undecodable message, an unknown or paused mailbox: redelivering it
 * would change nothing); 503 when the sync has not committed within {@code syncTimeout}, and 429 when
 * {@code maxWaiting} pushes already wait, so that Pub/Sub pushes it again later. Without {@code pubsub.endpoint:} it is
 * a 404.
 */
public final class PushEndpoint {

    /** What a push is answered. */
    public enum Answer {
        /** Its sync committed: acknowledged. */
        SYNCED(204),
        /** Unreadable, or for no listening mailbox: acknowledged, so that Pub/Sub stops pushing it. */
        IGNORED(204),
        /** Its sync did not commit in time: pushed again. */
        TIMED_OUT(503),
        /** Too many pushes wait already: pushed again. */
        BUSY(429),
        /** No {@code pubsub.endpoint:} configured. */
        NOT_CONFIGURED(404);

        private final int status;

        Answer(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** The parts of Pub/Sub's push body that are used; each is untrusted text. */
    record Envelope(String messageId, String data, String subscription) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PushEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "the push endpoint";

    private final PushNotifications notifications;
    private final int maxWaiting;
    private final Semaphore waiting;

    /**
     * @param notifications null when no push endpoint is configured (every push is a 404)
     * @param maxWaiting    pushes that may wait for their sync at once
     */
    public PushEndpoint(PushNotifications notifications, int maxWaiting) {
        this.notifications = notifications;
        this.maxWaiting = Math.max(1, maxWaiting);
        this.waiting = new Semaphore(this.maxWaiting);
    }

    /** The route's bean method: the answer's status on the message, once it is known (the body stays empty). */
    public CompletionStage<String> receive(Exchange exchange) {
        return answer(exchange.getMessage().getBody(String.class)).thenApply(answer -> {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
            return "";
        });
    }

    /** The answer to a push with this body, completed once it is known. */
    CompletableFuture<Answer> answer(String body) {
        if (notifications == null) {
            return CompletableFuture.completedFuture(Answer.NOT_CONFIGURED);
        }
        if (!waiting.tryAcquire()) {
            LOG.warn("Gmail push: {} pushes wait for their syncs already (pubsub.endpoint.maxWaiting); answering 429, "
                    + "Pub/Sub pushes it again later", maxWaiting);
            return CompletableFuture.completedFuture(Answer.BUSY);
        }
        CompletableFuture<Answer> answer;
        try {
            answer = handle(body);
        } catch (RuntimeException e) {
            waiting.release();
            throw e;
        }
        return answer.whenComplete((a, e) -> waiting.release());
    }

    private CompletableFuture<Answer> handle(String body) {
        Envelope envelope;
        try {
            envelope = envelope(body);
        } catch (IllegalArgumentException e) {
            LOG.warn("Gmail push: a push to {} is no Pub/Sub push body, acknowledged and dropped: {}", SOURCE, e.getMessage());
            return CompletableFuture.completedFuture(Answer.IGNORED);
        }
        PushNotifications.Target target = notifications.target(envelope.messageId(), envelope.data(),
                SOURCE + (envelope.subscription() == null ? "" : " (" + envelope.subscription() + ")"));
        if (target == null) {
            return CompletableFuture.completedFuture(Answer.IGNORED);
        }
        return notifications.sync(target).thenApply(committed -> committed ? Answer.SYNCED : Answer.TIMED_OUT);
    }

    /**
     * Reads Pub/Sub's push body. The subscription and message id are only logged, each cut short.
     *
     * @throws IllegalArgumentException saying what is wrong with it (such a push is acknowledged and dropped)
     */
    static Envelope envelope(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("the body is empty");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        JsonNode message = json == null ? null : json.get("message");
        if (message == null || !message.isObject()) {
            throw new IllegalArgumentException("the body has no message object");
        }
        JsonNode data = message.get("data");
        if (data == null || !data.isTextual()) {
            throw new IllegalArgumentException("its message has no data");
        }
        String messageId = text(message, "messageId");
        return new Envelope(messageId != null ? messageId : text(message, "message_id"), data.asText(),
                text(json, "subscription"));
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isValueNode()) {
            return null;
        }
        String text = value.asText().replaceAll("[^\\w./:@-]", "?");
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
