package io.mailroute.events;

import io.mailroute.cluster.HeldPollScheduler;
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
 *
 * <p>Clustered, the subscription is polled by a {@link HeldPollScheduler}: only while this node holds it, and
 * every acknowledgement carries the hold, so that a node that lost the subscription moves nothing.
 */
final class EventsConsumer extends ScheduledPollConsumer implements HeldPollScheduler.Holdable {

    public static final String TYPE_HEADER = "MailrouteEventType";
    public static final String SEQ_HEADER = "MailrouteEventSeq";
    public static final String ID_HEADER = "MailrouteEventId";
    public static final String MAILBOX_HEADER = "MailrouteMailbox";
    public static final String ITEM_HEADER = "MailrouteItemId";
    private static final Logger LOG = LoggerFactory.getLogger(EventsConsumer.class);

    public static final String DEAD_LETTERED = "subscription.dead-lettered";

    private final EventsEndpoint endpoint;
    /** The Quartz fire that holds the subscription for this node; null on a single instance. */
    private volatile String holder;
    private volatile boolean holdLost;

    EventsConsumer(EventsEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    /**
     * Gives up on one event, durably and visibly, so that it cannot block the subscription forever: the
     * dead-letter event and the cursor move commit together (so a node that lost the hold records neither).
     */
    private void deadLetter(String name, Event event, Exception failure, int attempts) {
        LOG.error("Subscription {}: giving up on event {} ({}, seq {}) after {}: {}", name, event.id(), event.type(),
                event.seq(), Counted.of(attempts, "attempt"), failure.getMessage());
        EventsComponent component = endpoint.getComponent();
        component.database().transactions().executeWithoutResult(tx -> {
            component.events().append(DEAD_LETTERED, event.mailbox(), event.itemId(), event.messageId(),
                    component.json().createObjectNode()
                            .put("subscription", name)
                            .put("eventId", event.id())
                            .put("eventType", event.type())
                            .put("eventSeq", event.seq())
                            .put("attempts", attempts)
                            .put("error", String.valueOf(failure.getMessage())));
            component.cursors().advance(name, event.seq(), holder);
        });
    }

    @Override
    public void hold(String token) {
        EventsComponent component = endpoint.getComponent();
        String name = endpoint.getSubscription();
        component.cursors().position(name, startSeq());
        component.cursors().hold(name, token, component.nodeId());
        holdLost = false;
        holder = token;
    }

    @Override
    public boolean holds(String token) {
        return token.equals(holder) && !holdLost;
    }

    @Override
    protected int poll() throws Exception {
        if (holder == null && getScheduler() instanceof HeldPollScheduler) {
            return 0; // clustered: nothing moves before this node holds the subscription
        }
        try {
            // While the database is closed and being reopened, the cursor waits where it is.
            return endpoint.getComponent().database().unlessClosed(0, this::deliverPage);
        } catch (SubscriptionCursors.LostHold e) {
            holdLost = true;
            LOG.info("{}: this node stops consuming it", e.getMessage());
            return 0;
        }
    }

    private long startSeq() {
        return endpoint.getStartAt().equals("latest") ? endpoint.getComponent().events().lastSeq() : 0;
    }

    private int deliverPage() throws Exception {
        EventsComponent component = endpoint.getComponent();
        String name = endpoint.getSubscription();
        long cursor = component.cursors().position(name, startSeq());
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
                // counted in the database, so that attempts on every node and before a restart add up
                int attempts = component.cursors().failed(name, event.seq(), holder);
                if (endpoint.getMaxAttempts() == 0 || attempts < endpoint.getMaxAttempts()) {
                    LOG.warn("Subscription {}: event {} ({}, seq {}) failed (attempt {}) and will be offered again: {}", name,
                            event.id(), event.type(), event.seq(), attempts, failure.getMessage());
                    throw failure; // lets the scheduler's backoff options apply
                }
                deadLetter(name, event, failure, attempts);
            } else {
                component.cursors().advance(name, event.seq(), holder);
            }
            cursor = event.seq();
            delivered++;
        }
        if (page.size() < endpoint.getBatchSize() && isRunAllowed()) {
            // Everything up to the horizon that this subscription wants has been delivered.
            component.cursors().advance(name, horizon, holder);
        }
        return delivered;
    }
}
