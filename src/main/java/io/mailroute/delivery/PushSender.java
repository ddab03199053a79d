package io.mailroute.delivery;

/**
 * One push channel's wire protocol. Implementations are thread-safe, make one HTTP call per
 * {@link #send} (plus, for FCM, an occasional OAuth token refresh), time out rather than hang,
 * and never throw for a provider's answer: every answer becomes a {@link SendResult}.
 */
public interface PushSender {

    /** {@code webhook}, {@code fcm}, {@code webpush} or {@code appworks}. */
    String type();

    SendResult send(Notification notification, PushTarget target) throws InterruptedException;
}
