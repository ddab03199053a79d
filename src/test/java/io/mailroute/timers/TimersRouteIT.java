package io.mailroute.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.SchedulerMetaData;
import org.quartz.simpl.RAMJobStore;

/**
 * The real {@code routes/timers.camel.yaml} with the real {@code config/application.properties} in Camel Main:
 * Quartz really ticks, fires a timer that fell due while nothing ran once after the start, and fires nothing
 * twice across a restart on the same H2 file. (The service's other beans are not needed: a test handler stands
 * for the features', and the bus is a list.)
 */
class TimersRouteIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String KIND = "it.ping";

    private final ObjectMapper json = Json.newMapper();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final List<Event> published = new CopyOnWriteArrayList<>();

    @TempDir
    Path data;

    @Test
    void quartzFiresTimersDueWhileNothingRanOnceAfterTheStartAndNothingTwiceAcrossARestart() throws Exception {
        String url = "jdbc:h2:file:" + data.resolve("timers") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        Instant now = Instant.now();
        try (Database db = Database.open(url, "sa", "", 2)) {
            Timers before = timers(db);
            before.schedule(KIND, "approval:1", "1", now.minus(Duration.ofHours(1)), null); // due while nothing ran
            before.schedule(KIND, "approval:2", "1", now.plusMillis(300), null);
            before.schedule(KIND, "approval:3", "1", now.plus(Duration.ofDays(1)), null);

            Main first = start(db);
            try {
                await(() -> runs.containsKey("approval:1") && runs.containsKey("approval:2"), "both due timers fired");
                ticks(first, 3);
                QuartzComponent quartz = first.getCamelContext().getComponent("quartz", QuartzComponent.class);
                SchedulerMetaData scheduler = quartz.getScheduler().getMetaData();
                // the service's QuartzSetup: one thread for the one quartz route (timers-tick) + mailroute.quartz.spare-threads
                assertEquals(1 + 2, scheduler.getThreadPoolSize(), "QuartzSetup configured Quartz");
                assertEquals(RAMJobStore.class, scheduler.getJobStoreClass());
            } finally {
                first.stop();
            }
            assertEquals(Map.of("approval:1", 1, "approval:2", 1), counts());
            assertTrue(threads.stream().allMatch(t -> t.startsWith("mailroute-quartz-")), "fired on Quartz's threads: " + threads);
            assertEquals(List.of("approval:1", "approval:2"), published.stream()
                    .map(e -> e.json().replaceAll(".*\"subject\":\"([^\"]+)\".*", "$1")).sorted().toList(),
                    "the handlers' events reached the bus");

            // down for a while: one more timer falls due meanwhile
            timers(db).schedule(KIND, "approval:4", "1", Instant.now().minusSeconds(1), null);

            Main second = start(db);
            try {
                await(() -> runs.containsKey("approval:4"), "the timer due while down fired");
                ticks(second, 3);
            } finally {
                second.stop();
            }
            assertEquals(Map.of("approval:1", 1, "approval:2", 1, "approval:4", 1), counts(), "nothing fired twice");
            assertEquals(Timer.State.SCHEDULED, timers(db).find(KIND, "approval:3", "1").orElseThrow().state());
        }
    }

    private Timers timers(Database db) {
        return new Timers(db, json, Clock.systemUTC(), new Timers.Policy(100, 3,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), () -> 0.5)));
    }

    /** Camel Main as the service runs it, minus its HTTP servers, ticking every 100 ms. */
    private Main start(Database db) throws Exception {
        Timers timers = timers(db);
        EventLog events = new EventLog(db, json, Clock.systemUTC());
        timers.register(KIND, timer -> {
            runs.computeIfAbsent(timer.subject(), s -> new AtomicInteger()).incrementAndGet();
            threads.add(Thread.currentThread().getName());
            return List.of(events.append("it.pinged", null, null, null, json.createObjectNode().put("subject", timer.subject())));
        });
        Main main = new Main();
        main.setPropertyPlaceholderLocations("file:" + Path.of("config/application.properties").toAbsolutePath());
        main.addOverrideProperty("camel.server.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("camel.metrics.enabled", "false");
        main.addOverrideProperty("mailroute.timers.check-interval", "100");
        main.configure().withRoutesIncludePattern("file:" + Path.of("routes/timers.camel.yaml").toAbsolutePath());
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:events-publish").routeId("test-bus").process(e -> published.add(e.getIn().getBody(Event.class)));
            }
        });
        main.bind("timers", timers);
        main.addMainListener(new io.mailroute.cluster.QuartzSetup(() -> io.mailroute.cluster.ClusterSettings.single("it"),
                () -> null, java.util.Set::of));
        main.start();
        return main;
    }

    private static void ticks(Main main, int count) {
        NotifyBuilder ticks = new NotifyBuilder(main.getCamelContext()).fromRoute("timers-tick").whenDone(count).create();
        assertTrue(ticks.matches(WAIT.toSeconds(), TimeUnit.SECONDS), count + " more ticks");
    }

    private Map<String, Integer> counts() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        runs.forEach((subject, n) -> counts.put(subject, n.get()));
        return counts;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
