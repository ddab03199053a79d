package io.mailroute.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.cluster.ClusterSettings;
import io.mailroute.cluster.QuartzSetup;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.SendResult;
import io.mailroute.engagement.DeliveryEngagement;
import io.mailroute.engagement.EngagementLinks;
import io.mailroute.engagement.EngagementPages;
import io.mailroute.escalation.EscalationPolicy;
import io.mailroute.escalation.Escalations;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.pages.Pages;
import io.mailroute.testing.PageRoutes;
import io.mailroute.testing.TestDatabases;
import io.mailroute.timers.Timers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * The two engagement measures, in one JVM with the service's real parts on an H2 file (the service's default
 * database), so that what is timed is the mechanism and not a service's start:
 * <ul>
 *   <li>{@code escalation}: escalation timers pending at once (one per unopened URGENT email, each firing a real
 *   escalation: IGNORED, a delivery planned, {@code delivery.escalated}), due evenly over a window, fired by the real
 *   {@code routes/timers.camel.yaml} on Quartz at the shipped {@code mailroute.timers.check-interval} and
 *   {@code batch-size}. Lateness = the time its tick claimed it − its due time, from the timer table.</li>
 *   <li>{@code ack}: the real {@code routes/engagement.camel.yaml} on a loopback port; clients POST
 *   {@code {"event":"opened"}} and then {@code {"event":"acted","action":"approve"}} to each delivery's signed
 *   acknowledgement URL (two commits with their events, the second cancelling the delivery's escalation timer).</li>
 * </ul>
 */
final class EngagementRun {

    private static final ObjectMapper JSON = Json.newMapper();
    private static final Duration STALL = Duration.ofMinutes(5);

    private EngagementRun() {
    }

    /** The escalation phase. */
    static ObjectNode escalation(BenchSettings settings) throws Exception {
        BenchSettings.Engagement knobs = settings.engagement();
        Properties shipped = shippedProperties();
        int n = knobs.timers();
        ObjectNode json = Results.object().put("timers", n).put("windowMillis", knobs.window().toMillis())
                .put("checkIntervalMillis", Long.parseLong(shipped.getProperty("mailroute.timers.check-interval").trim()))
                .put("batchSize", Integer.parseInt(shipped.getProperty("mailroute.timers.batch-size").trim()));
        Path dir = settings.outDir().resolve("work").resolve("escalation");
        Files.createDirectories(dir);
        try (World world = new World(dir, Integer.parseInt(shipped.getProperty("mailroute.timers.batch-size").trim()))) {
            Duration after = Duration.ofMinutes(15);
            List<Delivery> sent = new ArrayList<>();
            long seeding = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sent.add(world.sentEmail(i));
            }
            json.put("seedSeconds", Results.round((System.nanoTime() - seeding) / 1e9, 1));
            Main main = world.tick(); // ticking before the timers exist: its start-up is no timer's lateness
            try {
                // due from 3 s on, evenly over the window; scheduled as the worker schedules them on SENT
                Instant first = Instant.now().plusSeconds(3);
                long scheduling = System.nanoTime();
                world.db.transactions().executeWithoutResult(tx -> {
                    for (int i = 0; i < n; i++) {
                        Instant due = first.plusNanos(knobs.window().toNanos() * i / Math.max(1, n - 1));
                        world.escalations.sent(sent.get(i), due.minus(after));
                    }
                });
                json.put("scheduleSeconds", Results.round((System.nanoTime() - scheduling) / 1e9, 1));
                json.put("pendingAtStart", world.timers.counts().scheduled());
                long deadline = System.nanoTime() + knobs.window().plus(STALL).toNanos();
                while (count(world.db, "SELECT COUNT(*) FROM timer WHERE state = 'SCHEDULED'") > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
            } finally {
                main.stop();
            }
            List<Long> lateness = world.db.jdbc().query("SELECT due_at, fired_at FROM timer WHERE state = 'FIRED'", Map.of(),
                    (rs, row) -> rs.getTimestamp("fired_at").toInstant().toEpochMilli() - rs.getTimestamp("due_at").toInstant()
                            .toEpochMilli());
            List<Long> span = world.db.jdbc().query("SELECT MIN(fired_at) AS first_at, MAX(fired_at) AS last_at FROM timer "
                    + "WHERE state = 'FIRED'", Map.of(), (rs, row) -> rs.getTimestamp("last_at").getTime()
                    - rs.getTimestamp("first_at").getTime());
            json.put("firedPerSecond", span.isEmpty() || span.get(0) <= 0 ? 0 : Results.round(lateness.size() * 1000.0 / span.get(0), 0));
            json.put("fired", lateness.size())
                    .put("escalated", count(world.db, "SELECT COUNT(*) FROM workflow_event WHERE type = 'delivery.escalated'"))
                    .put("planned", count(world.db, "SELECT COUNT(*) FROM delivery WHERE channel = 'oncall-email'"))
                    .put("loadAverage", ProcStats.loadAverage());
            json.set("latenessMillis", LatencyRun.percentiles(lateness));
        }
        return json;
    }

    /** The ack phase. */
    static ObjectNode ack(BenchSettings settings) throws Exception {
        BenchSettings.Engagement knobs = settings.engagement();
        int deliveries = knobs.ackDeliveries();
        int warm = Math.max(20, deliveries / 10);
        ObjectNode json = Results.object().put("deliveries", deliveries).put("requests", 2L * deliveries)
                .put("clients", knobs.ackClients()).put("warmUpDeliveries", warm);
        Path dir = settings.outDir().resolve("work").resolve("ack");
        Files.createDirectories(dir);
        int port = PageRoutes.freeLoopbackPort();
        try (World world = new World(dir, 100)) {
            SignedLinks links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(port), world.db,
                    Clock.systemUTC());
            EngagementLinks ackLinks = new EngagementLinks(links, Duration.ofDays(7), Set.of("URGENT", "HIGH"), Clock.systemUTC());
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < warm + deliveries; i++) {
                Delivery push = world.sentPush(i);
                urls.add(ackLinks.ackUrl(push, Map.of()));
            }
            List<Event> published = new CopyOnWriteArrayList<>();
            Main main = PageRoutes.start(port, "engagement.camel.yaml", "engagementPages",
                    new EngagementPages(world.engagement, links, new Pages()), published);
            try {
                HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(knobs.ackClients())).build();
                round(http, urls.subList(0, warm), knobs.ackClients(), new ArrayList<>());
                List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
                long start = System.nanoTime();
                int failed = round(http, urls.subList(warm, urls.size()), knobs.ackClients(), latencies);
                double seconds = (System.nanoTime() - start) / 1e9;
                json.put("seconds", Results.round(seconds, 2))
                        .put("requestsPerSecond", Results.round(2L * deliveries / seconds, 0))
                        .put("failed", failed)
                        .put("acted", count(world.db, "SELECT COUNT(*) FROM delivery WHERE acted_at IS NOT NULL"))
                        .put("loadAverage", ProcStats.loadAverage());
                json.set("requestMillis", LatencyRun.percentiles(new ArrayList<>(latencies)));
            } finally {
                main.stop();
            }
        }
        return json;
    }

    /** Each URL gets opened then acted, the URLs shared among {@code clients} threads; returns the non-204 answers. */
    private static int round(HttpClient http, List<String> urls, int clients, List<Long> latencies) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < urls.size(); i = next.getAndIncrement()) {
                        for (String body : List.of("{\"event\":\"opened\"}", "{\"event\":\"acted\",\"action\":\"approve\"}")) {
                            HttpRequest post = HttpRequest.newBuilder(URI.create(urls.get(i)))
                                    .header("Content-Type", "text/plain;charset=UTF-8")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                            long sent = System.nanoTime();
                            int status = http.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
                            latencies.add((System.nanoTime() - sent) / 1_000_000);
                            if (status != 204) {
                                failed.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return failed.get();
    }

    private static long count(Database db, String sql) {
        Long value = db.jdbc().queryForObject(sql, Map.of(), Long.class);
        return value == null ? 0 : value;
    }

    private static Properties shippedProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config", "application.properties"))) {
            p.load(in);
        }
        return p;
    }

    /**
     * The service's parts for one phase on an H2 file: events, deliveries, timers, engagement and escalation (the email
     * channel escalates URGENT notices unopened for 15 minutes to the on-call's email).
     */
    private static final class World implements AutoCloseable {
        final Database db;
        final EventLog events;
        final DeliveryStore store;
        final Timers timers;
        final DeliveryEngagement engagement;
        final Escalations escalations;

        World(Path dir, int batchSize) {
            db = Database.open("jdbc:h2:file:" + dir.resolve("mailroute").toAbsolutePath()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "", 10);
            TestDatabases.addMailbox(db, "support");
            Clock clock = Clock.systemUTC();
            events = new EventLog(db, JSON, clock);
            store = new DeliveryStore(db, null);
            ChannelsConfig channels = new ChannelsConfig(Map.of(
                    "email", new ChannelsConfig.Channel("email", "email", Map.of("sender", "support"), null),
                    "oncall-email", new ChannelsConfig.Channel("oncall-email", "email", Map.of("sender", "support"), null),
                    "team-hook", new ChannelsConfig.Channel("team-hook", "webhook", Map.of("url", "sandbox"), null)),
                    Map.of("oncall", new ChannelsConfig.Recipient("oncall", "On call", "oncall@acme.example", List.of())),
                    Map.of("oncall-email", new ChannelsConfig.Audience("oncall-email", List.of("oncall"), List.of("oncall-email"))),
                    Map.of());
            timers = new Timers(db, JSON, clock, new Timers.Policy(batchSize, 5,
                    new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(10), () -> 0.5)));
            DeliveryPlanner planner = new DeliveryPlanner(channels, store, db, JSON, clock);
            engagement = new DeliveryEngagement(db, events, clock);
            DeliveryWorker worker = new DeliveryWorker(channels, store, Map.of(), (d, n, c) -> SendResult.failed("not sent here"),
                    new NotificationFactory(null), db, JSON, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1),
                    () -> 0.5), Duration.ofMinutes(1));
            escalations = new Escalations(db, events, timers, planner, engagement, Map.of(
                    "email", new EscalationPolicy("email", EscalationPolicy.Condition.UNOPENED, Duration.ofMinutes(15),
                            List.of("oncall-email"), Set.of("URGENT")),
                    "team-hook", new EscalationPolicy("team-hook", EscalationPolicy.Condition.UNACKED, Duration.ofMinutes(10),
                            List.of("oncall-email"), Set.of(EscalationPolicy.ANY)))).install(worker);
        }

        /** An URGENT alert's event and its email to the team, SENT. */
        Delivery sentEmail(int i) {
            return sent(i, "email", "email", "team@acme.example");
        }

        /** An event and its webhook push, DELIVERED, its escalation pending. */
        Delivery sentPush(int i) {
            Delivery push = sent(i, "team-hook", "webhook", "room-" + i);
            db.transactions().executeWithoutResult(tx -> escalations.sent(push, Instant.now()));
            return push;
        }

        private Delivery sent(int i, String channel, String type, String address) {
            return db.transactions().execute(tx -> {
                Event event = events.append("alert.raised", "support", null, null, JSON.createObjectNode()
                        .put("priority", "URGENT").put("summary", "bench " + i));
                Instant now = Instant.now();
                store.plan(event.id(), event.type(), "support", null, channel, type, "team", address, null, now);
                long id = db.jdbc().queryForObject("SELECT id FROM delivery WHERE event_id = :e", Map.of("e", event.id()),
                        Long.class);
                db.jdbc().update("UPDATE delivery SET status = :s, updated_at = :now WHERE id = :id", Map.of("id", id,
                        "s", type.equals("email") ? Delivery.SENT : Delivery.DELIVERED, "now", Timestamp.from(now)));
                return new Delivery(id, event.id(), event.type(), "support", null, channel, type, "team", address,
                        type.equals("email") ? Delivery.SENT : Delivery.DELIVERED, 1, now, null, null, null, null, now, null, null);
            });
        }

        /** The real timers-tick route on Quartz, with the shipped properties; the bus discards. */
        Main tick() throws Exception {
            Main main = new Main();
            main.setPropertyPlaceholderLocations("file:" + Path.of("config/application.properties").toAbsolutePath());
            main.addOverrideProperty("camel.server.enabled", "false");
            main.addOverrideProperty("camel.management.enabled", "false");
            main.addOverrideProperty("camel.metrics.enabled", "false");
            main.configure().withRoutesIncludePattern("file:" + Path.of("routes/timers.camel.yaml").toAbsolutePath());
            main.configure().addRoutesBuilder(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:events-publish").routeId("bench-bus").log(org.apache.camel.LoggingLevel.TRACE, "${body}");
                }
            });
            main.bind("timers", timers);
            main.addMainListener(new QuartzSetup(() -> ClusterSettings.single("bench"), () -> null, Set::of));
            main.start();
            return main;
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
