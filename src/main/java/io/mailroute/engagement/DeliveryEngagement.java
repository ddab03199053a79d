package io.mailroute.engagement;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The engagement of deliveries (columns {@code opened_at}, {@code acted_at}/{@code acted_action},
 * {@code dismissed_at}, {@code ignored_at} of {@code delivery}, migration V31). Forward-only: each time is set once
 * and never cleared, by a conditional UPDATE, so a signal sent twice (a retried fetch, a replayed POST, two
 * devices) is recorded once, also under concurrency; acting also opens; IGNORED only while never opened. Each
 * change appends its event in the same transaction: {@code delivery.opened}, {@code delivery.acted},
 * {@code delivery.ignored} (schemas/engagement-events.schema.json). A dismissal is kept, without an event.
 */
public final class DeliveryEngagement {

    private static final String SELECT = """
            SELECT id, event_id, event_type, mailbox_id, item_id, channel, channel_type, recipient, status, created_at,
                   opened_at, acted_at, acted_action, dismissed_at, ignored_at
              FROM delivery""";
    private static final String FIND = SELECT + " WHERE id = :id";
    private static final String FIND_ALL = SELECT + " WHERE id IN (:ids)";
    private static final String OPEN = "UPDATE delivery SET opened_at = :at WHERE id = :id AND opened_at IS NULL";
    private static final String ACT = """
            UPDATE delivery SET acted_at = :at, acted_action = :action WHERE id = :id AND acted_at IS NULL""";
    private static final String DISMISS = "UPDATE delivery SET dismissed_at = :at WHERE id = :id AND dismissed_at IS NULL";
    private static final String IGNORE = """
            UPDATE delivery SET ignored_at = :at WHERE id = :id AND opened_at IS NULL AND ignored_at IS NULL""";

    /**
     * A delivery and its engagement.
     *
     * @param recipient the person (recipient id) it is for, as a signed link carries it
     * @param action    what {@link #actedAt} recorded, null before
     */
    public record Engagement(long deliveryId, String eventId, String eventType, String mailbox, Long itemId, String channel,
            String channelType, String recipient, String status, Instant sentAt, Instant openedAt, Instant actedAt,
            String action, Instant dismissedAt, Instant ignoredAt) {

        /** ACTED, OPENED, IGNORED or null (nothing yet); a late open of an IGNORED delivery makes it OPENED. */
        public String state() {
            return actedAt != null ? "ACTED" : openedAt != null ? "OPENED" : ignoredAt != null ? "IGNORED" : null;
        }
    }

    private final Database db;
    private final EventLog events;
    private final ObjectMapper json;
    private final Clock clock;
    private java.util.function.Consumer<Engagement> acted = delivery -> { };

    public DeliveryEngagement(Database db, EventLog events, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.events = Objects.requireNonNull(events, "events");
        this.json = events.json();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Who is told, in the recording transaction, when a delivery is first ACTED on (escalation stops: its timers are
     * cancelled with the acknowledgement); one listener.
     */
    public DeliveryEngagement whenActed(java.util.function.Consumer<Engagement> listener) {
        this.acted = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** A delivery and its engagement; empty when there is no such delivery. */
    public Optional<Engagement> find(long deliveryId) {
        return db.jdbc().query(FIND, Map.of("id", deliveryId), DeliveryEngagement::engagement).stream().findFirst();
    }

    /**
     * The delivery a signed link names (its subject id), when it is for the link's recipient; empty for any other
     * (no such delivery, someone else's, a subject that is no delivery id).
     */
    public Optional<Engagement> find(io.mailroute.links.SignedLink link) {
        long id;
        try {
            id = Long.parseLong(link.subjectId());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return find(id).filter(d -> d.recipient().equals(link.recipient()));
    }

    /** The engagement of these deliveries (one query), by delivery id; a delivery that is not there is not in it. */
    public Map<Long, Engagement> find(java.util.Collection<Long> deliveryIds) {
        Map<Long, Engagement> found = new java.util.HashMap<>();
        if (!deliveryIds.isEmpty()) {
            db.jdbc().query(FIND_ALL, Map.of("ids", deliveryIds), DeliveryEngagement::engagement)
                    .forEach(e -> found.put(e.deliveryId(), e));
        }
        return found;
    }

    /**
     * Records what a recipient did, in one transaction with its events: OPENED once; ACTED once, with the first
     * action, opening it too when it was not; DISMISSED once. Anything already recorded changes nothing.
     *
     * @return the events appended (committed when this returns): none when nothing changed or there is no such delivery
     */
    public List<Event> record(long deliveryId, AckSignal signal) {
        Objects.requireNonNull(signal, "signal");
        Timestamp at = now();
        return db.transactions().execute(tx -> {
            List<Event> appended = new ArrayList<>();
            if (signal.kind() == AckSignal.Kind.DISMISSED) {
                update(DISMISS, deliveryId, at, null);
                return appended;
            }
            if (update(OPEN, deliveryId, at, null)) {
                appended.add(append("delivery.opened", deliveryId, at, null));
            }
            if (signal.kind() == AckSignal.Kind.ACTED && update(ACT, deliveryId, at, signal.action())) {
                appended.add(append("delivery.acted", deliveryId, at, signal.action()));
                find(deliveryId).ifPresent(acted);
            }
            return appended;
        });
    }

    /**
     * Records that a delivery was opened where no link was followed, naming how it is known (e.g. {@code gmail-read}:
     * the recipient's own monitored mailbox shows the notice read). Once, like {@link #record}.
     *
     * @return the {@code delivery.opened} event, committed, with {@code data.source}; empty when it was opened already
     */
    public Optional<Event> opened(long deliveryId, String source) {
        Objects.requireNonNull(source, "source");
        Timestamp at = now();
        return db.transactions().execute(tx -> {
            if (!update(OPEN, deliveryId, at, null)) {
                return Optional.<Event>empty();
            }
            return Optional.of(append("delivery.opened", deliveryId, at, null, source));
        });
    }

    /**
     * Marks a delivery IGNORED: not opened by its deadline (for escalation, which decides the deadline). Once, and
     * only while it was never opened.
     *
     * @return the {@code delivery.ignored} event, committed; empty when it was opened or ignored already, or is no delivery
     */
    public Optional<Event> ignored(long deliveryId) {
        Timestamp at = now();
        return db.transactions().execute(tx -> update(IGNORE, deliveryId, at, null)
                ? Optional.of(append("delivery.ignored", deliveryId, at, null)) : Optional.empty());
    }

    private boolean update(String sql, long deliveryId, Timestamp at, String action) {
        return db.jdbc().update(sql, new MapSqlParameterSource("id", deliveryId).addValue("at", at)
                .addValue("action", action)) == 1;
    }

    /** The event of a change just made, about the delivery as it is in this transaction. */
    private Event append(String type, long deliveryId, Timestamp at, String action) {
        return append(type, deliveryId, at, action, null);
    }

    private Event append(String type, long deliveryId, Timestamp at, String action, String source) {
        Engagement d = find(deliveryId).orElseThrow(() -> new IllegalStateException("delivery " + deliveryId + " vanished"));
        ObjectNode data = json.createObjectNode().put("deliveryId", d.deliveryId()).put("eventId", d.eventId())
                .put("eventType", d.eventType()).put("channel", d.channel()).put("channelType", d.channelType())
                .put("recipient", d.recipient()).put("at", at.toInstant().toString());
        if (action != null) {
            data.put("action", action);
        }
        if (source != null) {
            data.put("source", source);
        }
        return events.append(type, d.mailbox(), d.itemId(), null, data);
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }

    private static Engagement engagement(ResultSet rs, int row) throws SQLException {
        return new Engagement(rs.getLong("id"), rs.getString("event_id"), rs.getString("event_type"), rs.getString("mailbox_id"),
                rs.getObject("item_id", Long.class), rs.getString("channel"), rs.getString("channel_type"),
                rs.getString("recipient"), rs.getString("status"), instant(rs, "created_at"), instant(rs, "opened_at"),
                instant(rs, "acted_at"), rs.getString("acted_action"), instant(rs, "dismissed_at"), instant(rs, "ignored_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }
}
