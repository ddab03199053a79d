package io.mailroute.console.overview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.testing.TestDatabases;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Overview's queries on a database with known rows, in a window ending in the 14:00 hour of 2026-03-10 (UTC), so
 * the buckets are 2026-03-09 15:00 (0) to 2026-03-10 14:00 (23). On H2 here; {@link OverviewQueriesPostgresIT} runs the
 * same on PostgreSQL.
 */
class OverviewQueriesTest {

    static final Instant NOW = Instant.parse("2026-03-10T14:25:00Z");
    static final OverviewWindow WINDOW = OverviewWindow.endingAt(NOW);

    Database db;
    OverviewRows rows;
    OverviewQueries queries;

    /** A fresh, migrated database of the kind under test. */
    Database database() {
        return TestDatabases.h2("overview");
    }

    @BeforeEach
    void open() {
        db = database();
        rows = new OverviewRows(db);
        queries = new OverviewQueries(db);
    }

    @AfterEach
    void close() {
        if (db != null) { // none when the PostgreSQL variant was skipped
            db.close();
        }
    }

    @Test
    void theWindowIsTheLast24WholeHoursEndingWithTheCurrentOne() {
        assertEquals(Instant.parse("2026-03-09T15:00:00Z"), WINDOW.start());
        assertEquals(Instant.parse("2026-03-10T15:00:00Z"), WINDOW.end());
        assertEquals(23, WINDOW.bucketOf(Instant.parse("2026-03-10T14:00:00Z")));
        assertEquals(22, WINDOW.bucketOf(Instant.parse("2026-03-10T13:59:59.999Z")));
        assertEquals(-1, WINDOW.bucketOf(Instant.parse("2026-03-09T14:59:59.999Z")));
    }

    @Test
    void messagesInAreCountedPerHourBucketAndMailboxWithTheEdgeInTheLaterHour() {
        rows.message("support", at("2026-03-10T13:59:59.999Z"));
        rows.message("support", at("2026-03-10T14:00:00Z")); // on the edge: the 14:00 bucket
        rows.message("support", at("2026-03-10T14:24:00Z"));
        rows.message("support", at("2026-03-09T15:00:00Z")); // the window's first instant
        rows.message("support", at("2026-03-09T14:59:59Z")); // before it
        rows.message("support", at("2026-03-10T14:10:00Z"), at("2026-03-10T14:10:00Z"), "SKIPPED"); // our own mail: not in
        rows.message("support", at("2026-03-10T14:11:00Z"), at("2026-03-10T14:11:00Z"), "QUARANTINED"); // came in all the same
        rows.message("hr", at("2026-03-10T10:30:00Z"));

        Map<String, long[]> in = queries.messagesIn(WINDOW);

        assertEquals(Set.of("support", "hr"), in.keySet());
        assertArrayEquals(hours(Map.of(0, 1L, 22, 1L, 23, 3L)), in.get("support"));
        assertArrayEquals(hours(Map.of(19, 1L)), in.get("hr"));
    }

    @Test
    void itemsMadeInTheWindowAreCountedByQueueAndState() {
        rows.item("support", "billing", "NEW", at("2026-03-10T09:00:00Z"));
        rows.item("support", "billing", "NEW", at("2026-03-10T10:00:00Z"));
        rows.item("support", "billing", "CLOSED", at("2026-03-09T16:00:00Z"));
        rows.item("hr", "people", "NEW", at("2026-03-10T14:00:00Z"));
        rows.item("hr", "people", "NEW", at("2026-03-08T10:00:00Z")); // two days ago

        assertEquals(List.of(new OverviewData.Count("billing", "CLOSED", 1), new OverviewData.Count("billing", "NEW", 2),
                new OverviewData.Count("people", "NEW", 1)), queries.items(WINDOW));
    }

    @Test
    void deliveriesPlannedInTheWindowAreCountedByStatusAndChannelType() {
        String event = rows.event("case.created", "support", rows.message("support", at("2026-03-10T09:00:00Z")),
                at("2026-03-10T09:00:00Z"));
        rows.delivery(event, "email", "SENT", at("2026-03-10T09:00:01Z"), at("2026-03-10T09:00:02Z"));
        rows.delivery(event, "webpush", "SENT", at("2026-03-10T09:00:01Z"), at("2026-03-10T09:00:02Z"));
        rows.delivery(event, "fcm", "FAILED", at("2026-03-10T09:00:01Z"), at("2026-03-10T09:30:00Z"));
        rows.delivery(event, "fcm", "FAILED", at("2026-03-10T09:00:01Z"), at("2026-03-10T09:30:00Z"));
        rows.delivery(event, "email", "SENT", at("2026-03-09T09:00:00Z"), at("2026-03-09T09:00:01Z")); // before the window

        assertEquals(List.of(new OverviewData.Count("FAILED", "fcm", 2), new OverviewData.Count("SENT", "email", 1),
                new OverviewData.Count("SENT", "webpush", 1)), queries.deliveries(WINDOW));
    }

    @Test
    void slaBreachesAreTheSlaBreachedEventsPerHourAndMailbox() {
        rows.event("sla.breached", "support", null, at("2026-03-09T20:15:00Z"));
        rows.event("sla.breached", "support", null, at("2026-03-09T20:59:59Z"));
        rows.event("sla.breached", "hr", null, at("2026-03-10T14:00:00Z"));
        rows.event("case.created", "support", null, at("2026-03-09T20:30:00Z")); // another type
        rows.event("sla.breached", "support", null, at("2026-03-09T14:00:00Z")); // before the window

        Map<String, long[]> breaches = queries.slaBreaches(WINDOW);

        assertEquals(Set.of("support", "hr"), breaches.keySet());
        assertArrayEquals(hours(Map.of(5, 2L)), breaches.get("support"));
        assertArrayEquals(hours(Map.of(23, 1L)), breaches.get("hr"));
    }

    @Test
    void emailToPushLatencyIsTheNearestRankMedianAnd95thPercentilePerHourOfSending() {
        Instant received = at("2026-03-10T14:00:00Z");
        for (int seconds = 1; seconds <= 20; seconds++) { // 20 pushes 1 s .. 20 s after their message: p50 10 s, p95 19 s
            long message = rows.message("support", received, received.plusSeconds(1), "INGESTED");
            String event = rows.event("case.created", "support", message, received.plusSeconds(1));
            rows.delivery(event, seconds % 2 == 0 ? "webpush" : "webhook", seconds % 2 == 0 ? "SENT" : "DELIVERED",
                    received.plusSeconds(1), received.plusSeconds(seconds));
        }
        // Gmail gave no receipt time: from ingestion, 1.5 s
        long noInternalDate = rows.message("hr", null, at("2026-03-10T09:10:00Z"), "INGESTED");
        rows.delivery(rows.event("case.created", "hr", noInternalDate, at("2026-03-10T09:10:00Z")), "fcm", "SENT",
                at("2026-03-10T09:10:00Z"), at("2026-03-10T09:10:01.500Z"));
        // not latency: an email, a failed push, a push of a later event about the message, a push sent before the window
        long other = rows.message("support", at("2026-03-10T12:00:00Z"));
        rows.delivery(rows.event("case.created", "support", other, at("2026-03-10T12:00:00Z")), "email", "SENT",
                at("2026-03-10T12:00:00Z"), at("2026-03-10T12:00:01Z"));
        rows.delivery(rows.event("item.replied", "support", other, at("2026-03-10T12:00:00Z")), "fcm", "FAILED",
                at("2026-03-10T12:00:00Z"), at("2026-03-10T12:05:00Z"));
        rows.delivery(rows.event("sla.breached", "support", other, at("2026-03-10T13:00:00Z")), "fcm", "SENT",
                at("2026-03-10T13:00:00Z"), at("2026-03-10T13:00:01Z"));
        long old = rows.message("support", at("2026-03-09T10:00:00Z"));
        rows.delivery(rows.event("case.created", "support", old, at("2026-03-09T10:00:00Z")), "fcm", "SENT",
                at("2026-03-09T10:00:00Z"), at("2026-03-09T10:00:01Z"));

        assertEquals(List.of(new OverviewData.LatencyHour(18, 1, 1_500, 1_500), new OverviewData.LatencyHour(23, 20, 10_000, 19_000)),
                queries.latency(WINDOW));
    }

    @Test
    void nearestRankPercentiles() {
        assertEquals(7, Percentiles.nearestRank(new long[] {7}, 50));
        assertEquals(7, Percentiles.nearestRank(new long[] {7}, 95));
        assertEquals(2, Percentiles.nearestRank(new long[] {1, 2, 3, 4}, 50));
        assertEquals(4, Percentiles.nearestRank(new long[] {1, 2, 3, 4}, 95));
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = i + 1;
        }
        assertEquals(50, Percentiles.nearestRank(hundred, 50));
        assertEquals(95, Percentiles.nearestRank(hundred, 95));
    }

    @Test
    void anEmptyDatabaseHasNothingInTheWindow() {
        OverviewData data = queries.read(WINDOW);
        assertEquals(Map.of(), data.messagesIn());
        assertEquals(List.of(), data.items());
        assertEquals(List.of(), data.deliveries());
        assertEquals(Map.of(), data.slaBreaches());
        assertEquals(List.of(), data.latency());
    }

    static Instant at(String instant) {
        return Instant.parse(instant);
    }

    static long[] hours(Map<Integer, Long> counts) {
        long[] hours = new long[OverviewWindow.HOURS];
        counts.forEach((bucket, count) -> hours[bucket] = count);
        return hours;
    }
}
