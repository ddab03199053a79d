package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventsComponent;
import io.mailroute.events.SubscriptionCursors;
import io.mailroute.events.WakeablePollScheduler;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * routes/deliver.camel.yaml's worker with its poll interval set to an hour: a delivery planned after its first poll
 * is still sent, because the plan's commit wakes the worker; one that is rolled back wakes it for nothing.
 */
class DeliveryWakeupTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ObjectMapper json = Json.newMapper();
    private final Clock clock = Clock.systemUTC();
    private final List<String> pushed = new CopyOnWriteArrayList<>();
    private Database db;
    private DeliveryStore store;
    private EventLog events;
    private Main main;

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabases.h2("delivery-wakeup");
        events = new EventLog(db, json, clock);
        String key = TokenKey.generate();
        store = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, key)::get, null, false),
                () -> DeliveryStore.holdsSealedKeys(db)));
        ChannelsConfig channels = new ChannelsConfig(
                Map.of("team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", "http://127.0.0.1:9/"), null)),
                Map.of("team", new ChannelsConfig.Recipient("team", "Team", "team@acme.example", List.of())), Map.of(), Map.of());
        PushSender recording = new PushSender() {
            @Override
            public String type() {
                return "webhook";
            }

            @Override
            public SendResult send(Notification notification, PushTarget target) {
                pushed.add(target.address());
                return SendResult.delivered("ok-" + pushed.size());
            }
        };
        store.addTarget("team", "team-hook", "room-1", Map.of(), clock.instant());
        store.addTarget("team", "team-hook", "room-2", Map.of(), clock.instant());
        DeliveryWorker worker = new DeliveryWorker(channels, store, Map.of("team-hook", recording),
                (d, n, c) -> SendResult.failed("no email here"), new NotificationFactory(null), db, json, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5), Duration.ofMinutes(1));

        main = new Main();
        main.setPropertyPlaceholderLocations("file:" + Path.of("config/application.properties").toAbsolutePath());
        main.addOverrideProperty("mailroute.delivery.poll-interval", Long.toString(Duration.ofHours(1).toMillis()));
        main.addOverrideProperty("camel.server.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("camel.metrics.enabled", "false");
        main.configure().withRoutesIncludePattern("file:" + Path.of("routes", "deliver.camel.yaml").toAbsolutePath());
        main.bind("deliveryWorker", worker);
        main.bind("deliveryPlanner", new DeliveryPlanner(channels, store, db, json, clock));
        main.bind("deliverWorkScheduler", new WakeablePollScheduler("deliver-work", store.due()));
        main.bind(EventsComponent.SCHEME, new EventsComponent(events, new SubscriptionCursors(db, clock), clock));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (main != null) {
            main.stop();
        }
        db.close();
    }

    @Test
    void aDeliveryPlannedAfterTheFirstPollIsSentWithoutWaitingThePollInterval() throws Exception {
        String first = plan("room-1");
        main.start();
        await("the delivery planned before start, sent by the first poll", () -> pushed.size() == 1);

        db.transactions().executeWithoutResult(tx -> {
            plan("room-2");
            tx.setRollbackOnly();
        });
        String second = db.transactions().execute(tx -> plan("room-2"));
        // the receiver has it before the worker records the outcome: wait for the record
        await("the delivery planned later, sent at once", () -> "DELIVERED".equals(status(second)));
        assertEquals(List.of("room-1", "room-2"), pushed, "the rolled-back plan sent nothing");
        assertEquals("DELIVERED", status(first));
    }

    private String plan(String address) {
        String eventId = events.append("case.created", "support", 42L, null, json.createObjectNode().put("itemId", 42)).id();
        assertTrue(store.plan(eventId, "case.created", "support", 42L, "team-hook", "webhook", "team", address, null,
                clock.instant()));
        return eventId;
    }

    private String status(String eventId) {
        return db.jdbc().queryForObject("SELECT status FROM delivery WHERE event_id = :id", Map.of("id", eventId), String.class);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }
}
