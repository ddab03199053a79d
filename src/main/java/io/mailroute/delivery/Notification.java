package io.mailroute.delivery;

import java.util.Map;

/**
 * One notification, rendered and channel-neutral: what a push channel puts on the wire.
 *
 * @param deliveryId the delivery row's id: the receiver's idempotency key (a retry carries the same one)
 * @param eventId    the event it announces
 * @param eventType  e.g. {@code case.created}
 * @param title      short, for the notification's title line
 * @param body       one or two sentences
 * @param url        a deep link into the workflow tool, or null
 * @param data       small string pairs for the app (itemId, queue, priority, ...); never mail bodies (an agent's
 *                   {@code text} to a customer, at most 4,000 characters, is ours, not a mail's). Among them
 *                   {@value #ACK_URL}, the delivery's signed acknowledgement URL, when it has one: every push
 *                   provider copies {@code data}, so each payload carries it (FCM data, Web Push JSON, AppWorks and
 *                   webhook {@code data})
 */
public record Notification(String deliveryId, String eventId, String eventType, String title, String body, String url,
        Map<String, String> data) {

    /** The data key of the signed acknowledgement URL (io.mailroute.engagement: the app POSTs opened/acted to it). */
    public static final String ACK_URL = "ackUrl";

    public Notification {
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /** The delivery's signed acknowledgement URL ({@value #ACK_URL} in {@link #data}), or null. */
    public String ackUrl() {
        return data.get(ACK_URL);
    }
}
