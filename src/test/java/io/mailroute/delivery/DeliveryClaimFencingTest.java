package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two workers on one database (issue 13): worker A's lease runs out, worker B claims the delivery again, and from then on
 * nothing A writes about its attempt changes the row; B's outcome stands. The clock is moved by hand.
 */
class DeliveryClaimFencingTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Database db;
    private DeliveryStore workerA;
    private DeliveryStore workerB;
    private EventLog events;

    @BeforeEach
    void setUp() {
        db = TestDatabases.h2("claims");
        workerA = store();
        workerB = store();
        events = new EventLog(db, json, clock);
        List.of(DeliveryStore.class, DeliveryWorker.class).forEach(c -> ((Logger) LoggerFactory.getLogger(c)).addAppender(log));
        log.start();
    }

    @AfterEach
    void tearDown() {
        List.of(DeliveryStore.class, DeliveryWorker.class).forEach(c -> ((Logger) LoggerFactory.getLogger(c)).detachAppender(log));
        db.close();
    }

    private DeliveryStore store() {
        String key = TokenKey.generate();
        return new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false),
                () -> false));
    }

    private long plan(String address) {
        String eventId = db.transactions().execute(tx -> events.append("case.created", "support", 42L, null,
                json.createObjectNode().put("itemId", 42).put("queue", "support").put("subject", "Help")).id());
        assertTrue(workerA.plan(eventId, "case.created", "support", 42L, "team-hook", "webhook", "team", address, null,
                clock.instant()));
        return workerA.list(eventId, null, 0, 10).get(0).id();
    }

    private Delivery claimOne(DeliveryStore store, String node) {
        List<Delivery> claimed = store.claimDue(clock.instant(), clock.instant().plus(LEASE), 10, node);
        assertEquals(1, claimed.size(), claimed.toString());
        return claimed.get(0);
    }

    private Map<String, Object> row(long id) {
        return db.jdbc().queryForMap("SELECT status, attempts, provider_id, message_id, sent_via, last_error, claim_token,"
                + " claimed_by FROM delivery WHERE id = :id", Map.of("id", id));
    }

    private List<String> lostClaims() {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("lost its claim"))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void aWorkerWhoseLeaseRanOutAndWasOvertakenChangesNothingAndTheNewOwnersOutcomeStands() {
        long id = plan("team-room");
        Delivery a = claimOne(workerA, "node-a");
        assertEquals("node-a", row(id).get("claimed_by"));

        clock.advance(LEASE.plusSeconds(1)); // A is still sending; its lease ran out
        Delivery b = claimOne(workerB, "node-b");
        assertEquals(id, b.id());
        assertNotEquals(a.claimToken(), b.claimToken(), "each claim has its own token");
        assertEquals("node-b", row(id).get("claimed_by"));
        assertEquals(b.claimToken(), row(id).get("claim_token"));

        assertFalse(workerA.renew(a, clock.instant().plus(LEASE)), "A must not send it any more");
        assertFalse(workerA.setSentVia(a, "smtp 127.0.0.1:25 as alerts@acme.example"));
        assertFalse(workerA.setMessageId(a, "mailroute.a@acme.example"));
        assertFalse(workerA.markAccepted(a, "provider-a"));
        // A's attempt failed and would be retried: without the fence this PENDING would undo B's claim, B's success would
        // then match nothing, and the delivery would be sent a third time
        assertFalse(workerA.finish(a, Delivery.PENDING, clock.instant().plusSeconds(5), "webhook 503", null, clock.instant()));
        Map<String, Object> untouched = row(id);
        assertEquals(Delivery.SENDING, untouched.get("status"));
        assertEquals(0, ((Number) untouched.get("attempts")).intValue());
        assertNull(untouched.get("provider_id"));
        assertNull(untouched.get("message_id"));
        assertNull(untouched.get("sent_via"));
        assertNull(untouched.get("last_error"));
        assertEquals(4, lostClaims().size(), lostClaims().toString()); // each dropped write says so (renew's caller does)
        assertTrue(lostClaims().get(0).startsWith("Delivery " + id + ": lost its claim (lease expired, another worker has it);"
                + " outcome dropped"), lostClaims().get(0));

        assertTrue(workerB.renew(b, clock.instant().plus(LEASE)));
        assertTrue(workerB.setMessageId(b, "mailroute.b@acme.example"));
        assertTrue(workerB.markAccepted(b, "provider-b"));
        assertTrue(workerB.finish(b, Delivery.DELIVERED, clock.instant(), null, "provider-b", clock.instant()));

        assertFalse(workerA.finish(a, Delivery.FAILED, clock.instant(), "late", null, clock.instant()), "still nothing");
        Map<String, Object> done = row(id);
        assertEquals(Delivery.DELIVERED, done.get("status"));
        assertEquals(1, ((Number) done.get("attempts")).intValue());
        assertEquals("provider-b", done.get("provider_id"));
        assertEquals("mailroute.b@acme.example", done.get("message_id"));
        assertNull(done.get("last_error"));
        assertFalse(workerB.renew(b, clock.instant().plus(LEASE)), "a finished delivery is nobody's to send");
    }

    @Test
    void aLateWorkerThatNobodyOvertookStillRecordsItsOutcome() {
        long id = plan("team-room");
        Delivery a = claimOne(workerA, "node-a");
        clock.advance(LEASE.plusSeconds(10)); // as on a single instance: slow, but nobody claimed it since

        assertTrue(workerA.renew(a, clock.instant().plus(LEASE)));
        assertTrue(workerA.setMessageId(a, "mailroute.a@acme.example"));
        assertFalse(workerA.setMessageId(a, "mailroute.other@acme.example"), "recorded once");
        assertTrue(workerA.finish(a, Delivery.DELIVERED, clock.instant(), null, "provider-a", clock.instant()));

        assertEquals(Delivery.DELIVERED, row(id).get("status"));
        assertEquals("mailroute.a@acme.example", row(id).get("message_id"));
        assertEquals(List.of(), lostClaims(), "a write that found its value there already is no lost claim");
    }

    @Test
    void theWorkerSkipsADeliveryWhoseLeaseRanOutDuringTheSendsBeforeItAndThatAnotherWorkerClaimed() throws Exception {
        long first = plan("room-1");
        long second = plan("room-2");
        List<String> sentByA = new CopyOnWriteArrayList<>();
        List<String> sentByB = new CopyOnWriteArrayList<>();
        ChannelsConfig channels = new ChannelsConfig(Map.of(
                "team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", "http://127.0.0.1:9/hook"), null)),
                Map.of("team", new ChannelsConfig.Recipient("team", "Team", "team@acme.example", List.of())), Map.of(), Map.of());
        List<Delivery> claimedByB = new CopyOnWriteArrayList<>();
        // A's first send is slow: the leases of its whole batch run out, and worker B claims both meanwhile
        DeliveryWorker a = worker(channels, workerA, sender("node-a", sentByA, () -> {
            clock.advance(LEASE.plusSeconds(1));
            claimedByB.addAll(workerB.claimDue(clock.instant(), clock.instant().plus(LEASE), 10, "node-b"));
        }), "node-a");

        assertEquals(1, a.runOnce(), "A claimed two and sent one: the second was B's by then");
        assertEquals(List.of("room-1"), sentByA);
        assertEquals(2, claimedByB.size());
        for (long id : List.of(first, second)) {
            Map<String, Object> row = row(id);
            assertEquals(Delivery.SENDING, row.get("status"), "B's claim stands: A's outcome was dropped");
            assertEquals(0, ((Number) row.get("attempts")).intValue());
            assertEquals("node-b", row.get("claimed_by"));
        }
        assertTrue(lostClaims().contains("Delivery " + second + ": lost its claim before its send (lease expired, another "
                + "worker has it); skipped"), lostClaims().toString());
        assertTrue(lostClaims().stream().anyMatch(m -> m.startsWith("Delivery " + first + ": lost its claim (lease expired, "
                + "another worker has it); outcome dropped: DELIVERED")), lostClaims().toString());

        // B sends what it claimed (room-1 a second time: a send that outlasts its lease is what the lease check warns of)
        DeliveryWorker b = worker(channels, workerB, sender("node-b", sentByB, () -> { }), "node-b");
        for (Delivery claimed : claimedByB) {
            b.record(claimed, b.attempt(claimed));
        }
        assertEquals(List.of("room-1", "room-2"), sentByB);
        for (long id : List.of(first, second)) {
            assertEquals(Delivery.DELIVERED, row(id).get("status"));
            assertEquals(1, ((Number) row(id).get("attempts")).intValue(), "recorded once, by B");
        }
        assertEquals("provider-node-b-room-1", row(first).get("provider_id"));
    }

    @Test
    void aRunClaimsTenAtMost() throws Exception {
        for (int i = 0; i < DeliveryWorker.BATCH + 3; i++) {
            plan("room-" + i);
        }
        List<String> sent = new CopyOnWriteArrayList<>();
        ChannelsConfig channels = new ChannelsConfig(Map.of(
                "team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", "http://127.0.0.1:9/hook"), null)),
                Map.of(), Map.of(), Map.of());
        DeliveryWorker worker = worker(channels, workerA, sender("node-a", sent, () -> { }), "node-a");

        assertEquals(10, worker.runOnce());
        assertEquals(3, db.jdbc().queryForObject("SELECT COUNT(*) FROM delivery WHERE status = 'PENDING'", Map.of(),
                Integer.class));
        assertEquals(3, worker.runOnce());
        assertEquals(13, sent.size());
    }

    private static PushSender sender(String node, List<String> sent, Interruptible during) {
        return new PushSender() {
            @Override
            public String type() {
                return "webhook";
            }

            @Override
            public SendResult send(Notification notification, PushTarget target) throws InterruptedException {
                sent.add(target.address());
                during.run();
                return SendResult.delivered("provider-" + node + "-" + target.address());
            }
        };
    }

    private DeliveryWorker worker(ChannelsConfig channels, DeliveryStore store, PushSender sender, String node) {
        return new DeliveryWorker(channels, store, Map.of("team-hook", sender), (d, n, c) -> SendResult.failed("no email"),
                new NotificationFactory(null), db, json, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1),
                () -> 0.5), LEASE).onNode(node);
    }

    @FunctionalInterface
    private interface Interruptible {
        void run() throws InterruptedException;
    }
}
