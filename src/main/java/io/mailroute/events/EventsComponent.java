package io.mailroute.events;

import java.time.Clock;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code mailroute-events:NAME?types=case.created,item.replied} — a durable event subscription
 * for route authors. Each NAME has its own cursor in the database: the route receives every
 * matching event at least once, in order, resumes after a restart where it left off, and a slow
 * or failing subscriber holds up nobody else.
 */
public final class EventsComponent extends DefaultComponent {

    public static final String SCHEME = "mailroute-events";

    private final EventLog events;
    private final SubscriptionCursors cursors;
    private final Clock clock;

    public EventsComponent(EventLog events, SubscriptionCursors cursors, Clock clock) {
        this.events = events;
        this.cursors = cursors;
        this.clock = clock;
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
}
