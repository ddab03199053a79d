package io.mailroute.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The nodes as Quartz's check-ins in {@code qrtz_scheduler_state} (migration 28, PostgreSQL only) show them, in a
 * database of its own migrated by {@link Database#open}. Skipped, saying so, without MAILROUTE_TEST_POSTGRES_URL.
 */
class ClusterViewPostgresIT {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");

    private io.mailroute.testing.TestPostgres postgres;
    private Database db;

    @BeforeEach
    void createDatabase() throws Exception {
        postgres = io.mailroute.testing.TestPostgres.create("cluster_view");
        db = Database.open(postgres.url(), null, null, 2);
    }

    @AfterEach
    void dropDatabase() throws Exception {
        if (db != null) {
            db.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void eachNodeIsAliveWhileItsCheckInIsWithinTwiceItsIntervalPlusSevenAndAHalfSeconds() {
        checkIn("mailroute", "node-1", NOW.minusSeconds(3), 5_000);
        checkIn("mailroute", "node-2", NOW.minusMillis(17_500), 5_000);
        checkIn("mailroute", "node-3", NOW.minusMillis(17_501), 5_000);
        checkIn("mailroute", "node-4", NOW.minusSeconds(600), 5_000);
        checkIn("another-scheduler", "elsewhere-1", NOW, 5_000);
        ClusterSettings settings = new ClusterSettings(true, "node-1", Duration.ofSeconds(5), Duration.ofSeconds(10), 6, 2);

        List<ClusterView.Node> nodes = new ClusterView(db, settings, new MutableClock(NOW)).nodes();

        assertEquals(List.of(
                new ClusterView.Node("node-1", NOW.minusSeconds(3), Duration.ofSeconds(5), true),
                new ClusterView.Node("node-2", NOW.minusMillis(17_500), Duration.ofSeconds(5), true),
                new ClusterView.Node("node-3", NOW.minusMillis(17_501), Duration.ofSeconds(5), false),
                new ClusterView.Node("node-4", NOW.minusSeconds(600), Duration.ofSeconds(5), false)), nodes,
                "only scheduler 'mailroute', each judged by its own interval");
    }

    @Test
    void notClusteredOnPostgresItIsTheOnlyNodeWhateverTheTableHolds() {
        checkIn("mailroute", "node-9", NOW, 5_000);

        List<ClusterView.Node> nodes = new ClusterView(db, ClusterSettings.single("solo"), new MutableClock(NOW)).nodes();

        assertEquals(List.of(new ClusterView.Node("solo", null, null, true)), nodes);
    }

    private void checkIn(String scheduler, String node, Instant at, long intervalMillis) {
        db.jdbc().update("""
                INSERT INTO qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)
                VALUES (:scheduler, :node, :at, :interval)""",
                Map.of("scheduler", scheduler, "node", node, "at", at.toEpochMilli(), "interval", intervalMillis));
    }
}
