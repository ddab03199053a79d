package io.mailroute.events;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** Where each named event subscriber has got to, durably, in table {@code subscription_cursor}. */
public final class SubscriptionCursors {

    private static final String GET = "SELECT last_seq FROM subscription_cursor WHERE name = :name";
    private static final String CREATE = """
            INSERT INTO subscription_cursor (name, last_seq, updated_at) VALUES (:name, :seq, :now)
            ON CONFLICT DO NOTHING""";
    private static final String ADVANCE = """
            UPDATE subscription_cursor SET last_seq = :seq, updated_at = :now
            WHERE name = :name AND last_seq < :seq""";
    private static final String ALL = "SELECT name, last_seq FROM subscription_cursor ORDER BY name";

    private final Database db;
    private final Clock clock;

    public SubscriptionCursors(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The subscriber's position; a new subscriber starts at {@code startSeq} (0: from the first event). */
    public long position(String name, long startSeq) {
        List<Long> rows = db.jdbc().queryForList(GET, Map.of("name", name), Long.class);
        if (!rows.isEmpty()) {
            return rows.get(0);
        }
        db.jdbc().update(CREATE, new MapSqlParameterSource("name", name).addValue("seq", startSeq)
                .addValue("now", Timestamp.from(clock.instant())));
        return db.jdbc().queryForList(GET, Map.of("name", name), Long.class).get(0);
    }

    /** Moves forward only: a late or repeated acknowledgement never moves a cursor back. */
    public void advance(String name, long seq) {
        db.jdbc().update(ADVANCE, new MapSqlParameterSource("name", name).addValue("seq", seq)
                .addValue("now", Timestamp.from(clock.instant())));
    }

    public Map<String, Long> all() {
        Map<String, Long> cursors = new java.util.LinkedHashMap<>();
        db.jdbc().query(ALL, Map.of(), rs -> {
            cursors.put(rs.getString("name"), rs.getLong("last_seq"));
        });
        return cursors;
    }
}
