package io.mailroute.events;

import io.mailroute.text.Counted;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledPollConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a subscription's events one by one, in seq order, and moves its cursor after each
 * event the route processed without an unhandled exception. A failure stops the batch; the same
 * event is offered again on the next poll (at-least-once). Route authors make their side
 * idempotent on the event id ({@code MailrouteEventId}).
 */
final class EventsConsumer extends ScheduledPollConsumer {

    public static final String TYPE_HEADER = "MailrouteEventType";
    public static final String SEQ_HEADER = "MailrouteEventSeq";
    public static final String ID_HEADER = "MailrouteEventId";
    public static final String MAILBOX_HEADER = "MailrouteMailbox";
    public static final String ITEM_HEADER = "MailrouteItemId";
    private static final Logger LOG = LoggerFactory.getLogger(EventsConsumer.class);

    public static final String DEAD_LETTERED = "subscription.dead-lettered";

    private final EventsEndpoint endpoint;
    private long failingSeq = -1;
    private int failedAttempts;

    EventsConsumer(EventsEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    /** Gives up on one event, durably and visibly, so that it cannot block the subscription forever. */
    private void deadLetter(String name, Event event, Exception failure) {
        LOG.error("Subscription {}: giving up on event {} ({}, seq {}) after {}: {}", name, event.id(), event.type(),
                event.seq(), Counted.of(failedAttempts, "attempt"), failure.getMessage());
        EventsComponent component = endpoint.getComponent();
        component.database().transactions().executeWithoutResult(tx -> component.events().append(DEAD_LETTERED,
                event.mailbox(), event.itemId(), event.messageId(), component.json().createObjectNode()
                        .put("subscription", name)
                        .put("eventId", event.id())
                        .put("eventType", event.type())
                        .put("eventSeq", event.seq())
                        .put("attempts", failedAttempts)
                        .put("error", String.valueOf(failure.getMessage()))));
    }

    @Override
    protected int poll() throws Exception {
        // While the database is closed and being reopened, the cursor waits where it is.
        return endpoint.getComponent().database().unlessClosed(0, this::deliverPage);
    }

    private int deliverPage() throws Exception {
        EventsComponent component = endpoint.getComponent();
        String name = endpoint.getSubscription();
        long start = endpoint.getStartAt().equals("latest") ? component.events().lastSeq() : 0;
        long cursor = component.cursors().position(name, start);
        Instant settled = component.clock().instant().minus(endpoint.gapWaitDuration());
        long horizon = component.events().horizon(cursor, endpoint.getBatchSize() * 10, settled);
        if (horizon == cursor) {
            return 0;
        }
        List<Event> page = component.events().page(cursor, horizon, endpoint.typeSet(), endpoint.getMailbox(),
                endpoint.getBatchSize());
        int delivered = 0;
        for (Event event : page) {
            if (!isRunAllowed()) {
                return delivered;
            }
            Exchange exchange = createExchange(false);
            exchange.getMessage().setBody(event.json());
            exchange.getMessage().setHeader(TYPE_HEADER, event.type());
            exchange.getMessage().setHeader(SEQ_HEADER, event.seq());
            exchange.getMessage().setHeader(ID_HEADER, event.id());
            exchange.getMessage().setHeader(MAILBOX_HEADER, event.mailbox());
            if (event.itemId() != null) {
                exchange.getMessage().setHeader(ITEM_HEADER, event.itemId());
            }
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            }
            Exception failure = exchange.getException();
            releaseExchange(exchange, false);
            if (failure != null && !component.database().isAvailable()) {
                // The database closed under the subscriber: not the event's fault, so it costs no attempt.
                return delivered;
            }
            if (failure != null) {
                failedAttempts = failingSeq == event.seq() ? failedAttempts + 1 : 1;
                failingSeq = event.seq();
                if (endpoint.getMaxAttempts() == 0 || failedAttempts < endpoint.getMaxAttempts()) {
                    LOG.warn("Subscription {}: event {} ({}, seq {}) failed (attempt {}) and will be offered again: {}", name,
                            event.id(), event.type(), event.seq(), failedAttempts, failure.getMessage());
                    throw failure; // lets the scheduler's backoff options apply
                }
                deadLetter(name, event, failure);
            }
            component.cursors().advance(name, event.seq());
            cursor = event.seq();
            delivered++;
        }
        failingSeq = -1;
        if (page.size() < endpoint.getBatchSize() && isRunAllowed()) {
            // Everything up to the horizon that this subscription wants has been delivered.
            component.cursors().advance(name, horizon);
        }
        return delivered;
    }
}
