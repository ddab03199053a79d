package io.mailroute.delivery;

import java.time.Instant;

/**
 * A row of {@code delivery}: one event, to one address, by one channel.
 *
 * @param claimToken the token of the claim that last took it (null before the first): a claimed delivery's writes
 *     carry it, and change nothing once another worker has claimed it since ({@link DeliveryStore})
 */
public record Delivery(long id, String eventId, String eventType, String mailbox, Long itemId, String channel,
        String channelType, String recipient, String address, String status, int attempts, Instant nextAttemptAt,
        String lastError, String providerId, String messageId, Long fallbackOf, Instant createdAt, String sentVia,
        String claimToken) {

    public static final String PENDING = "PENDING";
    public static final String SENDING = "SENDING";
    public static final String SENT = "SENT";
    public static final String DELIVERED = "DELIVERED";
    public static final String FAILED = "FAILED";
    public static final String FELL_BACK = "FELL_BACK";
    /** Not sent because there was nothing left to say (not a failure: no fallback, no delivery.failed). */
    public static final String OBSOLETE = "OBSOLETE";
}
