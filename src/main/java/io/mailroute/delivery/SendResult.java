package io.mailroute.delivery;

import java.time.Duration;

/**
 * What one attempt at a delivery came to.
 *
 * @param outcome    see {@link Outcome}
 * @param providerId the provider's id for the message (FCM message name, Web Push Location), or null
 * @param detail       what happened, in our words: the HTTP status, a provider's error code when it is one
 *                     (a strict pattern), and what it means. It is the delivery's {@code lastError} that the API
 *                     shows, so never a provider's free text, a secret or a payload
 * @param retryAfter   the provider's Retry-After when it gave one, else null
 * @param providerSaid the provider's own words (its error message or body, one line, cut short) for the
 *                     service log only; null when it said nothing worth logging
 */
public record SendResult(Outcome outcome, String providerId, String detail, Duration retryAfter, String providerSaid) {

    public enum Outcome {
        /** The provider accepted it. */
        DELIVERED,
        /** Try again later (5xx, 429, timeouts, QUOTA_EXCEEDED, UNAVAILABLE). */
        RETRY,
        /** It will never work as sent (400, 401/403 on our credentials): do not retry. */
        FAILED,
        /** The device token or subscription is gone (FCM UNREGISTERED, Web Push 404/410): disable it. */
        TARGET_GONE,
        /** Nothing to send any more: what it was about ended before it went (an approval decided before its reminder). */
        OBSOLETE
    }

    public static SendResult delivered(String providerId) {
        return new SendResult(Outcome.DELIVERED, providerId, "delivered", null, null);
    }

    public static SendResult retry(String detail, Duration retryAfter) {
        return new SendResult(Outcome.RETRY, null, detail, retryAfter, null);
    }

    public static SendResult failed(String detail) {
        return new SendResult(Outcome.FAILED, null, detail, null, null);
    }

    public static SendResult obsolete(String detail) {
        return new SendResult(Outcome.OBSOLETE, null, detail, null, null);
    }

    public static SendResult targetGone(String detail) {
        return new SendResult(Outcome.TARGET_GONE, null, detail, null, null);
    }

    /** The same result with what the provider said, for the log (blank means nothing). */
    public SendResult withProviderSaid(String text) {
        return new SendResult(outcome, providerId, detail, retryAfter, text == null || text.isBlank() ? null : text);
    }

    /** The detail and, when there is some, the provider's words: for the service log, never for lastError. */
    public String forLog() {
        return providerSaid == null ? detail : detail + "; the provider said: " + providerSaid;
    }
}
