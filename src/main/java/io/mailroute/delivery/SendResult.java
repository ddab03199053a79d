package io.mailroute.delivery;

import java.time.Duration;

/**
 * What one attempt at a delivery came to.
 *
 * @param outcome    see {@link Outcome}
 * @param providerId the provider's id for the message (FCM message name, Web Push Location), or null
 * @param detail     a short, log-safe description (status code and reason; never secrets or payloads)
 * @param retryAfter the provider's Retry-After when it gave one, else null
 */
public record SendResult(Outcome outcome, String providerId, String detail, Duration retryAfter) {

    public enum Outcome {
        /** The provider accepted it. */
        DELIVERED,
        /** Try again later (5xx, 429, timeouts, QUOTA_EXCEEDED, UNAVAILABLE). */
        RETRY,
        /** It will never work as sent (400, 401/403 on our credentials): do not retry. */
        FAILED,
        /** The device token or subscription is gone (FCM UNREGISTERED, Web Push 404/410): disable it. */
        TARGET_GONE
    }

    public static SendResult delivered(String providerId) {
        return new SendResult(Outcome.DELIVERED, providerId, "delivered", null);
    }

    public static SendResult retry(String detail, Duration retryAfter) {
        return new SendResult(Outcome.RETRY, null, detail, retryAfter);
    }

    public static SendResult failed(String detail) {
        return new SendResult(Outcome.FAILED, null, detail, null);
    }

    public static SendResult targetGone(String detail) {
        return new SendResult(Outcome.TARGET_GONE, null, detail, null);
    }
}
