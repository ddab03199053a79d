package io.mailroute.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.cluster.ClusterSettings;
import io.mailroute.cluster.HeldPollScheduler;
import io.mailroute.cluster.QuartzSetup;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.impl.StdSchedulerFactory;

/**
 * A subscription polled under a hold ({@link HeldPollScheduler}) on Quartz in memory and H2: what a clustered node
 * does, minus the second node (EventSubscriptionClusterIT has two on PostgreSQL).
 */
class EventSubscriptionHoldTest {

    private Database db;
    private EventLog events;
    private SubscriptionCursors cursors;
    private Scheduler quartz;
    private CamelContext context;
    private final List<Long> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        db = TestDatabases.h2("held");
        events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
        cursors = new SubscriptionCursors(db, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (context != null) {
            context.close(); // shuts its Quartz scheduler down
        }
        db.close();
    }

    private void start(Duration hold) throws Exception {
        start(hold, Duration.ofMillis(50));
    }

    private void start(Duration hold, Duration delay) throws Exception {
        context = new DefaultCamelContext();
        ClusterSettings cluster = new ClusterSettings(true, "node-a", Duration.ofSeconds(1), hold, 2, 1);
        // wired as the service wires it: QuartzSetup gives the quartz component its factory, MailrouteBeans the supplier
        context.getComponent("quartz", QuartzComponent.class).setSchedulerFactory(
                new StdSchedulerFactory(QuartzSetup.properties(ClusterSettings.single("node-a"), 2, null, context)));
        context.addComponent(EventsComponent.SCHEME, new EventsComponent(events, cursors, Clock.systemUTC(), cluster,
                () -> context.getComponent("quartz", QuartzComponent.class).getScheduler()));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("mailroute-events:held-feed?types=case.created&delay=" + delay.toMillis()).routeId("held-feed").process(exchange ->
                        received.add(exchange.getMessage().getHeader(EventsConsumer.SEQ_HEADER, Long.class)));
            }
        });
        context.start();
        quartz = context.getComponent("quartz", QuartzComponent.class).getScheduler();
    }

    @Test
    void theNodeHoldingTheSubscriptionDeliversItsEventsAndSaysSo() throws Exception {
        append(3);
        start(Duration.ofSeconds(2));

        await(() -> Long.valueOf(3).equals(cursors.all().get("held-feed")));
        assertEquals(List.of(1L, 2L, 3L), received);
        assertEquals("node-a", cursors.holders().get("held-feed").node());
        assertTrue(quartz.checkExists(JobKey.jobKey("held-feed", HeldPollScheduler.GROUP)));

        append(2);
        await(() -> received.size() == 5); // across fires of the trigger
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), received);

        context.getRouteController().stopRoute("held-feed");
        assertFalse(quartz.checkExists(JobKey.jobKey("held-feed", HeldPollScheduler.GROUP)),
                "in memory the job goes with the route (clustered it stays, for the other nodes)");
    }

    @Test
    void aNodeWhoseHoldWasTakenOverStopsAndMovesNothing() throws Exception {
        append(2);
        start(Duration.ofMinutes(5)); // one fire for the whole test
        await(() -> Long.valueOf(2).equals(cursors.all().get("held-feed")));

        cursors.hold("held-feed", "node-b#1", "node-b"); // another node's fire takes the subscription
        append(3);

        await(() -> quartz.getCurrentlyExecutingJobs().isEmpty()); // the fire noticed and ended its hold
        assertEquals(List.of(1L, 2L), received.subList(0, 2));
        assertTrue(received.size() <= 3, "at most the event in flight is delivered, and the new holder offers it again: "
                + received);
        assertEquals(2L, cursors.all().get("held-feed"), "the cursor stays where the new holder will read it");
        assertEquals("node-b", cursors.holders().get("held-feed").node());
    }

    @Test
    void aCommitWakesTheHoldingNodeAtOnce() throws Exception {
        start(Duration.ofMinutes(5), Duration.ofHours(1)); // one fire, and no poll but the woken ones
        await(() -> cursors.holders().containsKey("held-feed"));

        append(1);
        await(() -> received.size() == 1);
        append(2);
        await(() -> received.size() == 3);
        assertEquals(List.of(1L, 2L, 3L), received);
    }

    private void append(int count) {
        for (int i = 0; i < count; i++) {
            db.transactions().executeWithoutResult(tx ->
                    events.append("case.created", "support", null, null, Json.newMapper().createObjectNode().put("n", 1)));
        }
    }

    private interface Check {
        boolean get() throws Exception;
    }

    private static void await(Check condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(20);
        }
    }
}
