package io.mailroute.events;

import io.mailroute.cluster.ClusterSettings;
import io.mailroute.cluster.HeldPollScheduler;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.quartz.Scheduler;

/**
 * {@code mailroute-events:NAME?types=case.created,item.replied} — a durable event subscription
 * for route authors. Each NAME has its own cursor in the database: the route receives every
 * matching event at least once, in order, resumes after a restart where it left off, and a slow
 * or failing subscriber holds up nobody else.
 *
 * <p>A subscription polls its table every {@code delay} (200 ms) and, in between, at once when an event it wants
 * commits in this process ({@link OutboxSignal}, {@link WakeablePollScheduler}): the poll is the safety net for
 * events committed by another node or before a crash.
 *
 * <p>Clustered ({@code mailroute.cluster.enabled}), each subscription is consumed by one node at a time: its
 * polls run under a {@link HeldPollScheduler} on the service's Quartz scheduler. Route files stay the same.
 */
public final class EventsComponent extends DefaultComponent {

    public static final String SCHEME = "mailroute-events";

    private final EventLog events;
    private final SubscriptionCursors cursors;
    private final Clock clock;
    private final ClusterSettings cluster;
    private final Supplier<Scheduler> quartz;

    /** One instance on its own: each subscription polled by Camel's default scheduler. */
    public EventsComponent(EventLog events, SubscriptionCursors cursors, Clock clock) {
        this(events, cursors, clock, ClusterSettings.single("local"), () -> null);
    }

    /** @param quartz the service's Quartz scheduler, used when {@code cluster} is enabled */
    public EventsComponent(EventLog events, SubscriptionCursors cursors, Clock clock, ClusterSettings cluster,
            Supplier<Scheduler> quartz) {
        this.events = events;
        this.cursors = cursors;
        this.clock = clock;
        this.cluster = cluster;
        this.quartz = quartz;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || !remaining.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("'" + uri + "': name the subscription after the route, e.g. "
                    + SCHEME + ":finance-webhook (letters, digits, '.', '_', '-')");
        }
        EventsEndpoint endpoint = new EventsEndpoint(uri, this, remaining);
        endpoint.setDelay(200); // poll the outbox every 200 ms by default: cheap, indexed by seq
        // After a failed event, wait 10 x 200 ms before offering it again, rather than hammering a
        // subscriber that is down; both overridable in the URI.
        endpoint.setBackoffErrorThreshold(1);
        endpoint.setBackoffMultiplier(10);
        // Polled every delay, and at once when a matching event commits in this process (OutboxSignal).
        if (cluster.enabled()) {
            endpoint.setScheduler(new HeldPollScheduler(remaining, quartz, cluster.subscriptionHold(), endpoint.wakeup()));
        } else {
            endpoint.setScheduler(new WakeablePollScheduler(SCHEME + ":" + remaining, endpoint.wakeup()));
        }
        setProperties(endpoint, parameters);
        return endpoint;
    }

    io.mailroute.db.Database database() {
        return events.database();
    }

    com.fasterxml.jackson.databind.ObjectMapper json() {
        return events.json();
    }

    EventLog events() {
        return events;
    }

    SubscriptionCursors cursors() {
        return cursors;
    }

    Clock clock() {
        return clock;
    }

    String nodeId() {
        return cluster.nodeId();
    }
}
