package io.mailroute.delivery.fcm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.delivery.Notification;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code messages:send} request body for one notification to one registration token
 * (FCM HTTP v1 {@code Message}: https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages).
 * The notification block makes it show in the tray; the data block carries ids the app acts on.
 */
final class FcmMessage {

    /** Keys FCM uses itself and refuses in {@code data} (error-codes page, "Invalid data key"). */
    static final Set<String> RESERVED_DATA_KEYS = Set.of("from", "notification", "message_type");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FcmMessage() {
    }

    /** Why this notification cannot go to FCM as it is, or empty. */
    static Optional<String> problem(Notification n) {
        for (String key : n.data().keySet()) {
            if (isReserved(key)) {
                return Optional.of("fcm: data key '" + key + "' is reserved by FCM (from, notification, message_type,"
                        + " google*, gcm*); rename it where the channel's data is mapped");
            }
        }
        return Optional.empty();
    }

    static boolean isReserved(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return RESERVED_DATA_KEYS.contains(k) || k.startsWith("google") || k.startsWith("gcm");
    }

    static String json(Notification n, String registrationToken) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode message = root.putObject("message");
        message.put("token", registrationToken);
        ObjectNode notification = message.putObject("notification");
        if (n.title() != null) {
            notification.put("title", n.title());
        }
        if (n.body() != null) {
            notification.put("body", n.body());
        }
        ObjectNode data = message.putObject("data");
        n.data().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> data.put(e.getKey(), e.getValue()));
        // ours last: the app dedupes on deliveryId, so a same-named key in the event data must not shadow it
        data.put("deliveryId", n.deliveryId());
        data.put("eventId", n.eventId());
        data.put("eventType", n.eventType());
        if (n.url() != null) {
            data.put("url", n.url());
        }
        // a person is waiting for these: deliver now rather than in the next maintenance window
        message.putObject("android").put("priority", "HIGH");
        message.putObject("apns").putObject("headers").put("apns-priority", "10");
        if (n.url() != null && n.url().startsWith("https://")) {
            message.putObject("webpush").putObject("fcm_options").put("link", n.url()); // FCM accepts HTTPS only
        }
        return root.toString();
    }
}
