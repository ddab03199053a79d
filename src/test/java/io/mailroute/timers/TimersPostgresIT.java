package io.mailroute.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The timers' SQL on a real PostgreSQL ({@code .ci/run} sets MAILROUTE_TEST_POSTGRES_URL; without it this test is
 * skipped, saying so): idempotent scheduling, LIKE escaping, two nodes claiming at once, and a handler whose SQL
 * fails (PostgreSQL aborts the whole transaction then: the savepoint must bring the claim's transaction back).
 */
class TimersPostgresIT {

    private final ObjectMapper json = Json.newMapper();

    @Test
    void timersFireOnceAndFailCleanlyOnPostgres() throws Exception {
        String url = System.getenv("MAILROUTE_TEST_POSTGRES_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                "MAILROUTE_TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL is available)");
        // other runs leave rows behind in the shared database: this run's subjects are its own
        String run = "pg" + System.nanoTime();
        Instant t0 = Instant.parse("2026-03-02T09:00:00Z");
        MutableClock clock = new MutableClock(t0);
        try (Database db = Database.open(url, null, null, 4)) {
            EventLog events = new EventLog(db, json, clock);
            Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
            Timers node1 = timers(db, clock);
            Timers node2 = timers(db, clock);
            String kind = "pg.ping." + run;
            String broken = "pg.broken." + run;
            for (Timers node : List.of(node1, node2)) {
                node.register(kind, timer -> {
                    runs.computeIfAbsent(timer.subject(), s -> new AtomicInteger()).incrementAndGet();
                    return List.of(events.append("pg.pinged", null, null, null, timer.data()));
                });
                node.register(broken, timer -> {
                    events.append("pg.pinged", null, null, null, timer.data());
                    db.jdbc().update("INSERT INTO no_such_table (id) VALUES (:id)", Map.of("id", 1)); // aborts the transaction
                    return List.of();
                });
            }

            assertTrue(node1.schedule(kind, run + ":1", "1", t0, null).created());
            assertFalse(node1.schedule(kind, run + ":1", "1", t0.plusSeconds(60), null).created());
            node1.schedule(kind, run + "_1", "1", t0, null);
            node1.schedule(kind, run + ":1:step:2", "1", t0.plusSeconds(3600), null);
            for (int i = 0; i < 30; i++) {
                node1.schedule(kind, run + ":many:" + i, "1", t0, null);
            }
            node1.schedule(broken, run + ":broken", "1", t0, null);
            assertEquals(0, node1.cancelAll(run + "%"), "LIKE wildcards are plain characters");
            assertEquals(1, node1.cancelAll(run + ":1:step"), "the nested subject");
            assertEquals(List.of(run + ":1"), node1.pending(run + ":1").stream().map(Timer::subject).toList());

            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<List<Event>> a = threads.submit(node1::fireDue);
                Future<List<Event>> b = threads.submit(node2::fireDue);
                assertEquals(32, a.get(60, TimeUnit.SECONDS).size() + b.get(60, TimeUnit.SECONDS).size());
            } finally {
                threads.shutdownNow();
            }
            assertEquals(32, runs.size());
            runs.forEach((subject, n) -> assertEquals(1, n.get(), subject + " fired once"));

            Timer failed = node1.find(broken, run + ":broken", "1").orElseThrow();
            assertEquals(Timer.State.SCHEDULED, failed.state(), "to be tried again");
            assertEquals(1, failed.attempts());
            assertTrue(failed.lastError().contains("no_such_table"), failed.lastError());
            assertEquals(Timer.State.CANCELLED, node1.find(kind, run + ":1:step:2", "1").orElseThrow().state());
        }
    }

    private Timers timers(Database db, MutableClock clock) {
        return new Timers(db, json, clock, new Timers.Policy(100, 3,
                new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), () -> 0.5)));
    }
}
