package io.mailroute.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A committed event: the row in {@code workflow_event} and its JSON. {@code seq} orders events
 * by commit and is what consumers keep as their cursor.
 */
public record Event(long seq, String id, String type, String mailbox, Long itemId, Long messageId,
        Instant occurredAt, String json) {

    /** The JSON envelope every event shares; {@code data} is the type-specific part. */
    public record Envelope(String id, String type, int version, Instant occurredAt, String mailbox, Long itemId,
            JsonNode data) {
    }
}
