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
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/**
 * Appends events to {@code workflow_event}, the event log that is also the outbox. Callers append
 * inside the transaction that makes the change, so an event exists exactly when its change does.
 */
public final class EventLog {

    public static final int VERSION = 1;
    /**
     * The exchange property a route's bean puts the events it committed in (a {@code List<Event>}), for
     * the route to publish ({@code direct:approvals-publish}, or a {@code split} over it).
     */
    public static final String COMMITTED = "mailrouteEvents";

    private static final String INSERT = """
            INSERT INTO workflow_event (id, type, mailbox_id, item_id, message_id, occurred_at, payload)
            VALUES (:id, :type, :mailbox, :itemId, :messageId, :occurredAt, :payload)""";
    private static final String PAGE = """
            SELECT seq, id, type, mailbox_id, item_id, message_id, occurred_at, payload
            FROM workflow_event
            WHERE seq > :after AND seq <= :upTo AND (:type IS NULL OR type = :type)
              AND (:mailbox IS NULL OR mailbox_id = :mailbox)
            ORDER BY seq
            LIMIT :limit""";
    /**
     * One type's part of a page of several types (see {@link #page(long, long, Set, String, int)}); {@code %d} is the
     * type's index among the query's parameters.
     */
    private static final String PAGE_OF_ONE_TYPE = """
            (SELECT seq, id, type, mailbox_id, item_id, message_id, occurred_at, payload
             FROM workflow_event
             WHERE type = :type%d AND seq > :after AND seq <= :upTo AND (:mailbox IS NULL OR mailbox_id = :mailbox)
             ORDER BY seq
             LIMIT :limit)""";
    private static final String SEQS_AFTER = """
            SELECT seq, occurred_at FROM workflow_event WHERE seq > :after ORDER BY seq LIMIT :limit""";
    private static final String LAST_SEQ = "SELECT COALESCE(MAX(seq), 0) FROM workflow_event";
    private static final String COUNT = "SELECT COUNT(*) FROM workflow_event WHERE (:type IS NULL OR type = :type)";

    /** {@link #pageSql} by the number of types: built once, as a subscription polls with the same types each time. */
    private static final Map<Integer, String> PAGES_OF_TYPES = new ConcurrentHashMap<>();

    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;
    private final OutboxSignal signal = new OutboxSignal();

    public EventLog(Database db, ObjectMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    public Database database() {
        return db;
    }

    public ObjectMapper json() {
        return json;
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
        Event event = new Event(seq, id, type, mailbox, itemId, messageId, occurredAt, payload);
        signal.appended(event); // wakes the in-process subscriptions once this transaction commits
        return event;
    }

    /** Who is told of each committed event in this process (the subscriptions, to poll at once). */
    OutboxSignal signal() {
        return signal;
    }

    /** Events after {@code after} in seq order; type and mailbox filter when not null. */
    public List<Event> page(long after, String type, String mailbox, int limit) {
        return page(after, Long.MAX_VALUE, type == null ? Set.of() : Set.of(type), mailbox, limit);
    }

    /**
     * Events in (after, upTo] in seq order, of any of {@code types} (all types when empty).
     *
     * <p>Several types are read one range of the {@code (type, seq)} index each, merged by seq: with {@code type IN
     * (...)} H2 looks the types up in that index but not the seq range after them, so it read every event of those
     * types each time, and a subscription's poll grew with the log (6,001 rows read for a 10-event range at 12,000
     * events).
     */
    public List<Event> page(long after, long upTo, Set<String> types, String mailbox, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("after", after)
                .addValue("upTo", upTo)
                .addValue("mailbox", mailbox, Types.VARCHAR)
                .addValue("limit", limit);
        String sql = pageSql(types.size());
        if (types.size() <= 1) {
            params.addValue("type", types.isEmpty() ? null : types.iterator().next(), Types.VARCHAR);
        } else {
            int index = 0;
            for (String type : types) {
                params.addValue("type" + index++, type);
            }
        }
        return db.jdbc().query(sql, params, (rs, n) -> new Event(
                rs.getLong("seq"),
                rs.getString("id"),
                rs.getString("type"),
                rs.getString("mailbox_id"),
                (Long) rs.getObject("item_id", Long.class),
                (Long) rs.getObject("message_id", Long.class),
                rs.getTimestamp("occurred_at").toInstant(),
                rs.getString("payload")));
    }

    /** The query of {@link #page(long, long, Set, String, int)} for that many types (0: all types). */
    static String pageSql(int types) {
        return types <= 1 ? PAGE : PAGES_OF_TYPES.computeIfAbsent(types, EventLog::pageOfTypesSql);
    }

    private static String pageOfTypesSql(int types) {
        StringJoiner parts = new StringJoiner("\nUNION ALL\n", "", "\nORDER BY seq\nLIMIT :limit");
        for (int index = 0; index < types; index++) {
            parts.add(PAGE_OF_ONE_TYPE.formatted(index));
        }
        return parts.toString();
    }

    /**
     * The highest seq up to which the log is settled: every lower seq is committed or was lost long
     * enough ago ({@code settledBefore}) to be a rolled-back insert. Under concurrency events commit
     * out of seq order, so a reader that skipped a young gap could miss the event filling it.
     */
    public long horizon(long after, int scanLimit, Instant settledBefore) {
        return settled(after, scanLimit, settledBefore).seq();
    }

    /**
     * Where the settled log ends ({@link #horizon}) and why.
     *
     * @param seq         the horizon
     * @param youngGapEnd when the horizon stops before a young gap: when the first event after the gap occurred (the
     *                    gap counts as settled once that is older than {@code settledBefore}); null otherwise
     */
    public record Horizon(long seq, Instant youngGapEnd) {
    }

    /** As {@link #horizon}, telling also whether it stopped before a young gap. */
    public Horizon settled(long after, int scanLimit, Instant settledBefore) {
        long[] horizon = {after};
        Instant[] gapEnd = {null};
        db.jdbc().query(SEQS_AFTER, new MapSqlParameterSource("after", after).addValue("limit", scanLimit), rs -> {
            if (gapEnd[0] != null) {
                return;
            }
            long seq = rs.getLong("seq");
            Instant occurredAt = rs.getTimestamp("occurred_at").toInstant();
            if (seq != horizon[0] + 1 && occurredAt.isAfter(settledBefore)) {
                gapEnd[0] = occurredAt;
                return;
            }
            horizon[0] = seq;
        });
        return new Horizon(horizon[0], gapEnd[0]);
    }

    /** The highest seq written so far (0 when empty). */
    public long lastSeq() {
        Long last = db.jdbc().getJdbcTemplate().queryForObject(LAST_SEQ, Long.class);
        return last == null ? 0 : last;
    }

    public long count(String type) {
        Long count = db.jdbc().queryForObject(COUNT, new MapSqlParameterSource().addValue("type", type, Types.VARCHAR), Long.class);
        return count == null ? 0 : count;
    }
}
