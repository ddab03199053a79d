package io.mailroute.events;

import io.mailroute.cluster.HeldPollScheduler;
import io.mailroute.text.Counted;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
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
    /** Set while a poll reads the horizon and after one that stopped before a young gap: any commit may fill it. */
    private volatile boolean gapPending;
    private Runnable unlisten = () -> { };

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
    protected void doStart() throws Exception {
        unlisten = endpoint.getComponent().events().signal().listen(this::committed);
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        unlisten.run();
        super.doStop();
    }

    /**
     * An event committed in this process: poll at once if it is one this subscription wants, or if the last poll
     * waits for a gap that it may fill (whatever its type). Not while the subscriber is failing: then the scheduled
     * polls and their backoff pace the retries.
     */
    private void committed(Event event) {
        boolean wanted = (endpoint.typeSet().isEmpty() || endpoint.typeSet().contains(event.type()))
                && (endpoint.getMailbox() == null || endpoint.getMailbox().equals(event.mailbox()));
        if ((wanted || gapPending) && getErrorCounter() == 0) {
            endpoint.wakeup().wake();
        }
    }

    @Override
    public void hold(String token) {
        EventsComponent component = endpoint.getComponent();
        String name = endpoint.getSubscription();
        component.cursors().position(name, this::startSeq);
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
        EventsComponent component = endpoint.getComponent();
        if (endpoint.getContinueFrom() != null) {
            Optional<Long> previous = component.cursors().find(endpoint.getContinueFrom());
            if (previous.isPresent()) {
                LOG.info("Subscription {} starts where subscription {} is: after event seq {}", endpoint.getSubscription(),
                        endpoint.getContinueFrom(), previous.get());
                return previous.get();
            }
        }
        return endpoint.getStartAt().equals("latest") ? component.events().lastSeq() : 0;
    }

    private int deliverPage() throws Exception {
        EventsComponent component = endpoint.getComponent();
        String name = endpoint.getSubscription();
        long cursor = component.cursors().position(name, this::startSeq);
        long start = cursor;
        Instant now = component.clock().instant();
        gapPending = true; // from before the horizon is read: a gap filled meanwhile wakes the next poll
        int scanLimit = endpoint.getBatchSize() * 10;
        EventLog.Horizon settled = component.events().settled(cursor, scanLimit, now.minus(endpoint.gapWaitDuration()));
        gapPending = settled.youngGapEnd() != null;
        if (gapPending) {
            // the commit filling the gap wakes this subscription; if none comes, the gap is settled by then
            endpoint.wakeup().wakeWithin(
                    Duration.between(now, settled.youngGapEnd().plus(endpoint.gapWaitDuration())).toMillis() + 1);
        }
        long horizon = settled.seq();
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
        if (page.size() == endpoint.getBatchSize() || horizon - start >= scanLimit) {
            endpoint.wakeup().wake(); // a full page or scan: there may be more, so look again at once
        }
        return delivered;
    }
}
