package io.mailroute.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventsComponent;
import io.mailroute.events.SubscriptionCursors;
import io.mailroute.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.DBConnectionManager;

/**
 * Two nodes (two CamelContexts, each with its clustered Quartz scheduler on one PostgreSQL database) consume one
 * {@code mailroute-events:} subscription: each event once, never on both nodes at the same time, and when the
 * holding node's scheduler dies, the other takes the subscription over. Skipped without
 * MAILROUTE_TEST_POSTGRES_URL.
 */
class EventSubscriptionClusterIT {

    private static final String SUBSCRIPTION = "it-feed";
    private static final String SEQ_HEADER = "MailrouteEventSeq"; // the header route authors read

    /** One processing of one event: which node, and when it started and ended (nanoTime, one JVM). */
    private record Run(long seq, String node, long start, long end) {
    }

    private io.mailroute.testing.TestPostgres postgres;
    private Database db;
    private EventLog events;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Run> runs = new CopyOnWriteArrayList<>();

    private final class Node {
        final String id;
        final Database db;
        final Scheduler quartz;
        final CamelContext context;

        Node(String id, String url) throws Exception {
            this.id = id;
            ClusterSettings cluster = new ClusterSettings(true, id, Duration.ofSeconds(1), Duration.ofSeconds(2), 3, 1);
            this.db = Database.open(url, null, null, 3);
            String dataSource = "subs-it-" + id + "-" + System.nanoTime();
            DBConnectionManager.getInstance().addConnectionProvider(dataSource, new QuartzConnections(url, null, null, 3));
            context = new DefaultCamelContext();
            // Quartz keeps one scheduler per name per JVM, and every node must say "mailroute" (the cluster's name):
            // take this one out of the registry so that the next node gets a scheduler of its own.
            quartz = new StdSchedulerFactory(QuartzSetup.properties(cluster, 3, dataSource, context)).getScheduler();
            SchedulerRepository.getInstance().remove(ClusterSettings.SCHEDULER_NAME);
            EventLog log = new EventLog(this.db, Json.newMapper(), Clock.systemUTC());
            context.addComponent(EventsComponent.SCHEME, new EventsComponent(log, new SubscriptionCursors(this.db,
                    Clock.systemUTC()), Clock.systemUTC(), cluster, () -> quartz));
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("mailroute-events:" + SUBSCRIPTION + "?delay=50").process(exchange -> {
                        long start = System.nanoTime();
                        Thread.sleep(10); // a subscriber that takes a moment, so that overlaps would show
                        runs.add(new Run(exchange.getMessage().getHeader(SEQ_HEADER, Long.class), id, start, System.nanoTime()));
                    });
                }
            });
            context.start();
            quartz.start();
        }

        void close() throws Exception {
            context.close();
            if (!quartz.isShutdown()) {
                quartz.shutdown(true);
            }
            db.close();
        }
    }

    @BeforeEach
    void createDatabase() throws Exception {
        postgres = io.mailroute.testing.TestPostgres.create("subs");
        db = Database.open(databaseUrl(), null, null, 2);
        events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
    }

    @AfterEach
    void dropDatabase() throws Exception {
        for (Node node : nodes) {
            node.close();
        }
        if (db != null) {
            db.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private String databaseUrl() {
        return postgres.url();
    }

    /** Takeover takes up to about two check-in intervals plus Quartz's 7.5 s margin: 60 s is plenty on a busy machine. */
    @Test
    void eachEventOnceOnOneNodeAtATimeAndTheOtherNodeTakesOverWhenTheHolderDies() throws Exception {
        nodes.add(new Node("node-1", databaseUrl()));
        nodes.add(new Node("node-2", databaseUrl()));
        for (int batch = 0; batch < 4; batch++) {
            append(10);
            Thread.sleep(700); // batches across several holds (2 s each): the subscription may change hands
        }
        awaitProcessed(40);
        assertEachOnceNeverTogether(40);

        SubscriptionCursors cursors = new SubscriptionCursors(db, Clock.systemUTC());
        String holder = cursors.holders().get(SUBSCRIPTION).node();
        Node dying = nodes.stream().filter(n -> n.id.equals(holder)).findFirst().orElseThrow();
        Node survivor = nodes.stream().filter(n -> n != dying).findFirst().orElseThrow();
        dying.quartz.shutdown(false); // no more check-ins, no waiting for its jobs: to the others it died
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!survivor.id.equals(cursors.holders().get(SUBSCRIPTION).node())) {
            assertTrue(System.nanoTime() < deadline, survivor.id + " never took " + SUBSCRIPTION + " over: " + cursors.holders());
            Thread.sleep(100);
        }
        append(10);

        awaitProcessed(50);
        assertEachOnceNeverTogether(50);
        List<Run> afterDeath = runs.stream().filter(r -> r.seq() > 40).toList();
        assertTrue(afterDeath.stream().allMatch(r -> r.node().equals(survivor.id)),
                "the events after " + dying.id + " died were consumed by " + survivor.id + ": " + afterDeath);
        assertEquals(survivor.id, cursors.holders().get(SUBSCRIPTION).node());
        assertEquals(50L, cursors.all().get(SUBSCRIPTION));
    }

    private void append(int count) {
        for (int i = 0; i < count; i++) {
            db.transactions().executeWithoutResult(tx ->
                    events.append("case.created", "support", null, null, Json.newMapper().createObjectNode().put("n", 1)));
        }
    }

    /** Waits for the cursor to reach {@code seq}. */
    private void awaitProcessed(long seq) throws InterruptedException {
        SubscriptionCursors cursors = new SubscriptionCursors(db, Clock.systemUTC());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (cursors.all().getOrDefault(SUBSCRIPTION, 0L) < seq) {
            assertTrue(System.nanoTime() < deadline, "timed out at " + cursors.all() + ", holders " + cursors.holders()
                    + ", runs " + runs.size());
            Thread.sleep(100);
        }
    }

    private void assertEachOnceNeverTogether(int count) {
        Map<Long, List<String>> bySeq = new TreeMap<>(runs.stream()
                .collect(Collectors.groupingBy(Run::seq, Collectors.mapping(Run::node, Collectors.toList()))));
        assertEquals(count, bySeq.size(), "every event processed: " + bySeq.keySet());
        assertTrue(bySeq.values().stream().allMatch(n -> n.size() == 1), "each event once: " + bySeq);
        for (Run a : runs) {
            for (Run b : runs) {
                if (!a.node().equals(b.node())) {
                    assertTrue(a.end() <= b.start() || b.end() <= a.start(), "two nodes at the same time: " + a + " and " + b);
                }
            }
        }
    }
}
