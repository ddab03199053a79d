package io.mailroute.events;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Where each named event subscriber has got to, durably, in table {@code subscription_cursor}.
 *
 * <p>When several instances share the database, a subscription is consumed by one node at a time: the node
 * whose Quartz fire {@link #hold holds} it. Its acknowledgements carry the fire's token (the holder), and an
 * acknowledgement with a token that is no longer the holder moves nothing: {@link LostHold}. Without a holder
 * (one instance) the cursor moves as it always did.
 */
public final class SubscriptionCursors {

    private static final String GET = "SELECT last_seq FROM subscription_cursor WHERE name = :name";
    private static final String CREATE = """
            INSERT INTO subscription_cursor (name, last_seq, updated_at) VALUES (:name, :seq, :now)
            ON CONFLICT DO NOTHING""";
    // An acknowledged event is no longer failing: its attempts start again at the next one.
    private static final String ADVANCE = """
            UPDATE subscription_cursor SET last_seq = :seq, failing_seq = NULL, failed_attempts = 0, updated_at = :now
            WHERE name = :name AND last_seq < :seq""";
    // Counts even when seq is behind (a late acknowledgement): 0 rows then means only that another fire holds it.
    private static final String ADVANCE_HELD = """
            UPDATE subscription_cursor SET last_seq = GREATEST(last_seq, :seq), failing_seq = NULL, failed_attempts = 0,
                updated_at = :now
            WHERE name = :name AND holder = :holder""";
    // The node keeps its held_since while it holds the subscription fire after fire; another node starts anew.
    private static final String HOLD = """
            UPDATE subscription_cursor SET holder = :holder, holder_node = :node,
                held_since = CASE WHEN holder_node = :node AND held_since IS NOT NULL THEN held_since ELSE :now END
            WHERE name = :name""";
    private static final String FAILED = """
            UPDATE subscription_cursor
            SET failed_attempts = CASE WHEN failing_seq = :seq THEN failed_attempts + 1 ELSE 1 END, failing_seq = :seq
            WHERE name = :name""";
    private static final String FAILED_HELD = FAILED + " AND holder = :holder";
    private static final String ATTEMPTS = "SELECT failed_attempts FROM subscription_cursor WHERE name = :name";
    private static final String ALL = "SELECT name, last_seq FROM subscription_cursor ORDER BY name";
    private static final String HOLDERS = """
            SELECT name, holder_node, held_since FROM subscription_cursor WHERE holder_node IS NOT NULL ORDER BY name""";

    /** An acknowledgement by a fire that no longer holds the subscription: another node has taken it over. */
    public static final class LostHold extends RuntimeException {
        LostHold(String name, String holder) {
            super("Subscription " + name + " is no longer held by " + holder + ": another node took it over");
        }
    }

    /** Which node holds a subscription, and since when. */
    public record Holder(String node, Instant since) {
    }

    private final Database db;
    private final Clock clock;

    public SubscriptionCursors(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The subscriber's position; a new subscriber starts at {@code startSeq} (0: from the first event). */
    public long position(String name, long startSeq) {
        return position(name, () -> startSeq);
    }

    /** As {@link #position(String, long)}; {@code startSeq} is asked only when the subscriber has no cursor yet. */
    public long position(String name, LongSupplier startSeq) {
        Optional<Long> position = find(name);
        if (position.isPresent()) {
            return position.get();
        }
        db.jdbc().update(CREATE, params(name).addValue("seq", startSeq.getAsLong()));
        return find(name).orElseThrow();
    }

    /** The subscriber's position, if it has one. */
    public Optional<Long> find(String name) {
        return db.jdbc().queryForList(GET, Map.of("name", name), Long.class).stream().findFirst();
    }

    /**
     * Gives the subscription to {@code holder} (a Quartz fire's id) on {@code node}: from now on only
     * acknowledgements carrying that holder move the cursor. The row must exist ({@link #position}).
     */
    public void hold(String name, String holder, String node) {
        if (db.jdbc().update(HOLD, params(name).addValue("holder", holder).addValue("node", node)) == 0) {
            throw new IllegalStateException("Subscription " + name + " has no cursor yet: read its position first");
        }
    }

    /** Moves forward only: a late or repeated acknowledgement never moves a cursor back. */
    public void advance(String name, long seq) {
        advance(name, seq, null);
    }

    /**
     * As {@link #advance(String, long)}; with a {@code holder}, only while that holder holds the subscription.
     *
     * @throws LostHold when another holder has taken the subscription: nothing moved
     */
    public void advance(String name, long seq, String holder) {
        MapSqlParameterSource params = params(name).addValue("seq", seq);
        if (holder == null) {
            db.jdbc().update(ADVANCE, params);
        } else if (db.jdbc().update(ADVANCE_HELD, params.addValue("holder", holder)) == 0) {
            throw new LostHold(name, holder);
        }
    }

    /**
     * Records one more failed attempt at event {@code seq} (the first if the subscription was failing on another
     * event), in the database so that every node counts the same attempts.
     *
     * @return the attempts at {@code seq} so far, this one included
     * @throws LostHold when {@code holder} is given and another holder has taken the subscription
     */
    public int failed(String name, long seq, String holder) {
        MapSqlParameterSource params = params(name).addValue("seq", seq);
        int rows = holder == null ? db.jdbc().update(FAILED, params)
                : db.jdbc().update(FAILED_HELD, params.addValue("holder", holder));
        if (rows == 0) {
            if (holder != null) {
                throw new LostHold(name, holder);
            }
            throw new IllegalStateException("Subscription " + name + " has no cursor yet: read its position first");
        }
        return db.jdbc().queryForObject(ATTEMPTS, Map.of("name", name), Integer.class);
    }

    public Map<String, Long> all() {
        Map<String, Long> cursors = new LinkedHashMap<>();
        db.jdbc().query(ALL, Map.of(), rs -> {
            cursors.put(rs.getString("name"), rs.getLong("last_seq"));
        });
        return cursors;
    }

    /** Each held subscription's node and since when (subscriptions never held, as on one instance, are absent). */
    public Map<String, Holder> holders() {
        Map<String, Holder> holders = new LinkedHashMap<>();
        db.jdbc().query(HOLDERS, Map.of(), rs -> {
            Timestamp since = rs.getTimestamp("held_since");
            holders.put(rs.getString("name"), new Holder(rs.getString("holder_node"), since == null ? null : since.toInstant()));
        });
        return holders;
    }

    private MapSqlParameterSource params(String name) {
        return new MapSqlParameterSource("name", name).addValue("now", Timestamp.from(clock.instant()));
    }
}
