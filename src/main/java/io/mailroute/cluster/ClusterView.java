package io.mailroute.cluster;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Who does what in a cluster, read from the database for health, metrics, the API and {@code status}: the nodes
 * (Quartz's check-ins), the node that polls each mailbox and the node that holds each event subscription. Read
 * only: Quartz, {@code MailboxStates} and the subscription holders write these rows. A single instance (H2, or
 * {@code mailroute.cluster.enabled=false}) is the only node; owners and holders are then as recorded.
 */
public final class ClusterView {

    /**
     * Quartz takes a node over when it has not checked in for its interval plus 7.5 s (JobStoreSupport's
     * misfire tolerance); one more interval of slack keeps a node that is merely slow from looking dead.
     */
    static final Duration GRACE = Duration.ofMillis(7_500);

    private static final String NODES = """
            SELECT instance_name, last_checkin_time, checkin_interval
            FROM qrtz_scheduler_state WHERE sched_name = :scheduler ORDER BY instance_name""";
    private static final String SUBSCRIPTION_HOLDERS = """
            SELECT name, last_seq, holder_node, held_since FROM subscription_cursor ORDER BY name""";

    /**
     * One node.
     *
     * @param lastCheckin     its last check-in in Quartz's table; null for a single instance, which has none
     * @param checkinInterval how often it promised to check in; null for a single instance
     * @param alive           checked in within twice its interval plus 7.5 s (a single instance: itself, alive)
     */
    public record Node(String id, Instant lastCheckin, Duration checkinInterval, boolean alive) {
    }


    /** The node that holds (or last held) an event subscription and since when; both null if none ever held it. */
    public record SubscriptionHolder(String subscription, long lastSeq, String node, Instant since) {
    }

    /** Everything at once, for the health answer. */
    public record Snapshot(String node, boolean clustered, List<Node> nodes, List<SubscriptionHolder> subscriptions) {
    }

    private final Database db;
    private final ClusterSettings settings;
    private final Clock clock;

    public ClusterView(Database db, ClusterSettings settings, Clock clock) {
        this.db = db;
        this.settings = settings;
        this.clock = clock;
    }

    /** This node's id ({@code mailroute.cluster.node-id}). */
    public String node() {
        return settings.nodeId();
    }

    public boolean clustered() {
        return settings.enabled();
    }

    /**
     * The nodes Quartz knows, each judged alive or not, when clustered (on PostgreSQL, whose migration 28 holds
     * Quartz's tables); this node alone otherwise. A node that stopped cleanly has no row: Quartz deletes it.
     */
    public List<Node> nodes() {
        if (!settings.enabled()) {
            return List.of(new Node(settings.nodeId(), null, null, true));
        }
        Instant now = clock.instant();
        return db.jdbc().query(NODES, Map.of("scheduler", ClusterSettings.SCHEDULER_NAME), (rs, n) -> {
            Instant checkin = Instant.ofEpochMilli(rs.getLong("last_checkin_time"));
            Duration interval = Duration.ofMillis(rs.getLong("checkin_interval"));
            return new Node(rs.getString("instance_name"), checkin, interval, isAlive(checkin, interval, now));
        });
    }

    /** Every event subscription's holder as recorded, by subscription name. */
    public List<SubscriptionHolder> subscriptionHolders() {
        return db.jdbc().query(SUBSCRIPTION_HOLDERS, Map.of(), (rs, n) -> new SubscriptionHolder(rs.getString("name"),
                rs.getLong("last_seq"), rs.getString("holder_node"), instant(rs.getTimestamp("held_since"))));
    }

    /** Everything for the health answer; null while the database is closed and being reopened. */
    public Snapshot snapshot() {
        return db.unlessClosed(null, () -> new Snapshot(node(), clustered(), nodes(), subscriptionHolders()));
    }

    /** Alive when the last check-in is within twice the interval plus {@link #GRACE} of now. */
    static boolean isAlive(Instant lastCheckin, Duration interval, Instant now) {
        return !now.isAfter(lastCheckin.plus(interval.multipliedBy(2)).plus(GRACE));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
