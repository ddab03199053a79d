package io.mailroute.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mailroute.db.Database;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The cluster as the database records it, on H2: owners and holders as written by SQL, this node the only one. */
class ClusterViewTest {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");

    private final Database db = TestDatabases.h2("cluster-view");
    private final ClusterView view = new ClusterView(db, ClusterSettings.single("host-a-4711"), new MutableClock(NOW));

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aSingleInstanceIsTheOnlyNodeAliveWithoutCheckIns() {
        List<ClusterView.Node> nodes = view.nodes();

        assertEquals(List.of(new ClusterView.Node("host-a-4711", null, null, true)), nodes);
        assertFalse(view.clustered());
        assertEquals("host-a-4711", view.node());
    }

    @Test
    void eachSubscriptionsHolderAsRecordedWithItsPosition() {
        db.jdbc().update("""
                INSERT INTO subscription_cursor (name, last_seq, updated_at, holder, holder_node, held_since)
                VALUES (:name, 42, :now, 'fire-7', 'node-3', :since)""",
                Map.of("name", "triage", "now", Timestamp.from(NOW), "since", Timestamp.from(NOW.minusSeconds(3))));
        db.jdbc().update("INSERT INTO subscription_cursor (name, last_seq, updated_at) VALUES ('alerts', 0, :now)",
                Map.of("now", Timestamp.from(NOW)));

        ClusterView.Snapshot snapshot = view.snapshot();

        assertEquals(List.of(new ClusterView.SubscriptionHolder("alerts", 0, null, null),
                new ClusterView.SubscriptionHolder("triage", 42, "node-3", NOW.minusSeconds(3))), snapshot.subscriptions());
        assertEquals("host-a-4711", snapshot.node());
        assertEquals(1, snapshot.nodes().size());
    }

    @Test
    void aClosedDatabaseGivesNoSnapshotRatherThanAnError() {
        db.close();

        assertNull(view.snapshot());
    }

    @ParameterizedTest(name = "checked in {0} ms ago, every {1} ms: alive {2}")
    @CsvSource({
        "0,     5000, true",
        "17500, 5000, true",  // 2 x 5 s + 7.5 s: the last moment Quartz would still wait
        "17501, 5000, false",
        "60000, 5000, false",
        "47500, 20000, true",
        "-2000, 5000, true",  // its clock is a little ahead of ours
    })
    void aliveWithinTwiceTheIntervalPlusQuartzsGrace(long agoMillis, long intervalMillis, boolean alive) {
        assertEquals(alive, ClusterView.isAlive(NOW.minusMillis(agoMillis), Duration.ofMillis(intervalMillis), NOW));
    }
}
