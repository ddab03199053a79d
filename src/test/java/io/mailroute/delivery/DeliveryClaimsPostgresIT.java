package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery claims on a real PostgreSQL, as several instances make them (issue 13): each worker has its own store and
 * pool, and a delivery is claimed by exactly one of them. A database of its own, since other ITs share
 * {@code postgres}; {@code .ci/run} sets MAILROUTE_TEST_POSTGRES_URL, without it this test is skipped, saying so.
 */
class DeliveryClaimsPostgresIT {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final int DELIVERIES = 200;
    private static final int WORKERS = 4;

    private io.mailroute.testing.TestPostgres postgres;
    private final List<Database> opened = new ArrayList<>();

    @BeforeEach
    void createDatabase() throws Exception {
        postgres = io.mailroute.testing.TestPostgres.create("mr_claims");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        opened.forEach(Database::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    /** A worker's store on its own pool, as on its own instance. */
    private DeliveryStore store() {
        Database db = Database.open(postgres.url(), null, null, 2);
        opened.add(db);
        String key = TokenKey.generate();
        return new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false),
                () -> false));
    }

    @Test
    void fourWorkersClaimingAtOnceClaimEachDeliveryExactlyOnce() throws Exception {
        List<DeliveryStore> stores = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            stores.add(store()); // opened one after the other: the first migrates
        }
        DeliveryStore planner = stores.get(0);
        for (int i = 0; i < DELIVERIES; i++) {
            assertTrue(planner.plan("event-" + i, "case.created", "support", null, "team-hook", "webhook", "team", "room",
                    null, NOW));
        }

        CyclicBarrier start = new CyclicBarrier(WORKERS);
        ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
        List<Future<List<Delivery>>> results = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            DeliveryStore store = stores.get(w);
            String node = "node-" + w;
            results.add(threads.submit(() -> {
                List<Delivery> mine = new ArrayList<>();
                start.await();
                while (true) { // every worker sees the same due rows first: they race for each one
                    List<Delivery> batch = store.claimDue(NOW, NOW.plus(Duration.ofHours(1)), 10, node);
                    mine.addAll(batch);
                    if (batch.isEmpty() && pending(store) == 0) {
                        return mine;
                    }
                }
            }));
        }
        threads.shutdown();
        assertTrue(threads.awaitTermination(2, TimeUnit.MINUTES), "the workers finished");

        Map<Long, String> claimedBy = new HashMap<>();
        int claims = 0;
        for (int w = 0; w < WORKERS; w++) {
            for (Delivery d : results.get(w).get()) {
                claims++;
                String before = claimedBy.put(d.id(), "node-" + w);
                assertEquals(null, before, "delivery " + d.id() + " claimed by " + before + " and node-" + w);
            }
        }
        assertEquals(DELIVERIES, claims, "every delivery claimed, none twice");
        assertEquals(DELIVERIES, claimedBy.size());
        for (Map<String, Object> row : planner.database().jdbc().queryForList(
                "SELECT id, status, claimed_by FROM delivery", Map.of())) {
            long id = ((Number) row.get("id")).longValue();
            assertEquals(Delivery.SENDING, row.get("status"));
            assertEquals(claimedBy.get(id), row.get("claimed_by"), "delivery " + id + " records the worker that claimed it");
        }
    }

    @Test
    void aWorkerOvertakenAfterItsLeaseChangesNothingOnPostgres() {
        DeliveryStore workerA = store();
        DeliveryStore workerB = store();
        assertTrue(workerA.plan("event-1", "case.created", "support", null, "team-hook", "webhook", "team", "room", null, NOW));
        Delivery a = workerA.claimDue(NOW, NOW.plusSeconds(30), 10, "node-a").get(0);
        Instant later = NOW.plusSeconds(31);
        Delivery b = workerB.claimDue(later, later.plusSeconds(30), 10, "node-b").get(0);

        assertFalse(workerA.renew(a, later.plusSeconds(30)));
        assertFalse(workerA.setMessageId(a, "mailroute.a@acme.example"));
        assertFalse(workerA.markAccepted(a, "provider-a"));
        assertFalse(workerA.finish(a, Delivery.PENDING, later, "webhook 503", null, later));
        assertTrue(workerB.renew(b, later.plusSeconds(30)));
        assertTrue(workerB.finish(b, Delivery.DELIVERED, later, null, "provider-b", later));

        Delivery done = workerB.get(b.id()).orElseThrow();
        assertEquals(Delivery.DELIVERED, done.status());
        assertEquals("provider-b", done.providerId());
        assertEquals(null, done.messageId());
        assertEquals(1, done.attempts());
    }

    private static int pending(DeliveryStore store) {
        Integer count = store.database().jdbc().queryForObject("SELECT COUNT(*) FROM delivery WHERE status = 'PENDING'",
                Map.of(), Integer.class);
        return count == null ? 0 : count;
    }
}
