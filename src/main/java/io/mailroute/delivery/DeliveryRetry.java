package io.mailroute.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditTrail;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * A person's retry of a delivery that failed for good (the console's Deliveries page): due again at once, in one
 * transaction with its audit record ({@code delivery.retried}). The worker then sends it as any due delivery, by its
 * channel, with its fallback; a failure again is a FAILED delivery and a {@code delivery.failed} event again.
 */
public final class DeliveryRetry {

    public static final String RETRIED = "delivery.retried";

    /** What a retry came to. */
    public enum Outcome { RETRIED, NOT_FOUND, NOT_FAILED }

    /** @param delivery the row after the retry (or as it is, when it was not FAILED); null when there is none */
    public record Result(Outcome outcome, Delivery delivery) {
    }

    private final DeliveryStore store;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final Clock clock;

    public DeliveryRetry(DeliveryStore store, AuditTrail audit, ObjectMapper json, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    /** @param actor who asked ({@code console:<user>}) */
    public Result retry(long id, String actor) {
        return store.database().transactions().execute(tx -> {
            Optional<Delivery> found = store.get(id);
            if (found.isEmpty()) {
                return new Result(Outcome.NOT_FOUND, null);
            }
            Delivery d = found.get();
            Instant now = clock.instant();
            if (!store.retry(id, now)) {
                return new Result(Outcome.NOT_FAILED, d);
            }
            audit.record(RETRIED, d.mailbox(), "delivery:" + id, json.createObjectNode().put("deliveryId", id)
                    .put("eventId", d.eventId()).put("eventType", d.eventType()).put("channel", d.channel())
                    .put("recipient", d.recipient()).put("attempts", d.attempts()).put("lastError", d.lastError())
                    .put("by", actor));
            return new Result(Outcome.RETRIED, store.get(id).orElseThrow());
        });
    }
}
