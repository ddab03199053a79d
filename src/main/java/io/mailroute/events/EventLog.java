package io.mailroute.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/**
 * Appends events to {@code workflow_event}, the event log that is also the outbox. Callers append
 * inside the transaction that makes the change, so an event exists exactly when its change does.
 */
public final class EventLog {

    public static final int VERSION = 1;

    private static final String INSERT = """
            INSERT INTO workflow_event (id, type, mailbox_id, item_id, message_id, occurred_at, payload)
            VALUES (:id, :type, :mailbox, :itemId, :messageId, :occurredAt, :payload)""";
    private static final String PAGE = """
            SELECT seq, id, type, mailbox_id, item_id, message_id, occurred_at, payload
            FROM workflow_event
            WHERE seq > :after AND (:type IS NULL OR type = :type) AND (:mailbox IS NULL OR mailbox_id = :mailbox)
            ORDER BY seq
            LIMIT :limit""";
    private static final String COUNT = "SELECT COUNT(*) FROM workflow_event WHERE (:type IS NULL OR type = :type)";

    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;

    public EventLog(Database db, ObjectMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    /** Appends one event; must run inside the caller's transaction. */
    public Event append(String type, String mailbox, Long itemId, Long messageId, JsonNode data) {
        String id = UUID.randomUUID().toString();
        Instant occurredAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String payload;
        try {
            payload = json.writeValueAsString(new Event.Envelope(id, type, VERSION, occurredAt, mailbox, itemId, data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise event " + type, e);
        }
        KeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update(INSERT, new MapSqlParameterSource("id", id)
                .addValue("type", type)
                .addValue("mailbox", mailbox)
                .addValue("itemId", itemId)
                .addValue("messageId", messageId)
                .addValue("occurredAt", Timestamp.from(occurredAt))
                .addValue("payload", payload), keys, new String[] {"seq"});
        long seq = keys.getKey().longValue();
        return new Event(seq, id, type, mailbox, itemId, messageId, occurredAt, payload);
    }

    /** Events after {@code after} in commit order; type and mailbox filter when not null. */
    public List<Event> page(long after, String type, String mailbox, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("after", after)
                .addValue("type", type, Types.VARCHAR)
                .addValue("mailbox", mailbox, Types.VARCHAR)
                .addValue("limit", limit);
        return db.jdbc().query(PAGE, params, (rs, n) -> new Event(
                rs.getLong("seq"),
                rs.getString("id"),
                rs.getString("type"),
                rs.getString("mailbox_id"),
                (Long) rs.getObject("item_id", Long.class),
                (Long) rs.getObject("message_id", Long.class),
                rs.getTimestamp("occurred_at").toInstant(),
                rs.getString("payload")));
    }

    public long count(String type) {
        Long count = db.jdbc().queryForObject(COUNT, new MapSqlParameterSource().addValue("type", type, Types.VARCHAR), Long.class);
        return count == null ? 0 : count;
    }
}
