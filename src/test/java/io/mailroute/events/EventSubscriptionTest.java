package io.mailroute.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventSubscriptionTest {

    private Database db;
    private EventLog events;
    private final List<CamelContext> contexts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:subs-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 4);
        events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (CamelContext context : contexts) {
            context.close();
        }
        db.close();
    }

    @Test
    void deliversMatchingEventsInOrderAndResumesAfterARestart() throws Exception {
        append("case.created", "message.received", "case.created", "item.replied");
        List<String> received = new CopyOnWriteArrayList<>();
        CamelContext first = start("mailroute-events:audit-feed?types=case.created,item.replied", received, null);
        await(() -> received.size() == 3);
        assertEquals(List.of("1:case.created", "3:case.created", "4:item.replied"), received);

        first.close();
        append("message.received", "item.replied");
        List<String> afterRestart = new CopyOnWriteArrayList<>();
        start("mailroute-events:audit-feed?types=case.created,item.replied", afterRestart, null);
        await(() -> afterRestart.size() == 1);
        append("case.created"); // a later event: once it is through, anything redelivered before it would have shown
        await(() -> afterRestart.size() == 2);
        assertEquals(List.of("6:item.replied", "7:case.created"), afterRestart, "nothing redelivered, nothing missed");
        assertEquals(7L, new SubscriptionCursors(db, Clock.systemUTC()).all().get("audit-feed"));
    }

    @Test
    void aFailingSubscriberRetriesItsEventWithoutHoldingUpOthers() throws Exception {
        append("case.created", "case.created", "case.created");
        AtomicInteger attemptsOnSecond = new AtomicInteger();
        List<String> failing = new CopyOnWriteArrayList<>();
        List<String> healthy = new CopyOnWriteArrayList<>();
        start("mailroute-events:flaky?types=case.created", failing, seq -> {
            if (seq == 2 && attemptsOnSecond.incrementAndGet() < 3) {
                throw new IllegalStateException("downstream is down");
            }
        });
        start("mailroute-events:steady?types=case.created", healthy, null);

        await(() -> healthy.size() == 3);
        await(() -> failing.size() == 3);
        assertEquals(List.of("1:case.created", "2:case.created", "3:case.created"), failing);
        assertEquals(3, attemptsOnSecond.get(), "the failed event was offered again until it went through");
    }

    @Test
    void aPoisonEventIsDeadLetteredAfterMaxAttemptsAndTheRestFlow() throws Exception {
        append("case.created", "case.created", "case.created");
        AtomicInteger attempts = new AtomicInteger();
        List<String> received = new CopyOnWriteArrayList<>();
        start("mailroute-events:strict?types=case.created&maxAttempts=3", received, seq -> {
            if (seq == 2) {
                attempts.incrementAndGet();
                throw new IllegalStateException("cannot handle this one");
            }
        });

        await(() -> received.size() == 2);
        assertEquals(List.of("1:case.created", "3:case.created"), received);
        assertEquals(3, attempts.get());
        List<Event> dead = events.page(0, "subscription.dead-lettered", null, 10);
        assertEquals(1, dead.size());
        EventSchemas.assertValid("subscription-events.schema.json", Json.newMapper().readTree(dead.get(0).json()));
        assertTrue(dead.get(0).json().contains("\"eventSeq\":2") && dead.get(0).json().contains("cannot handle this one"),
                dead.get(0).json());
    }

    @Test
    void pausesBeforeAYoungGapInSeqAndSkipsItOnceItIsOld() throws Exception {
        append("case.created");
        // seq 2 "still committing": write seq 3 directly, as a concurrent transaction would
        Instant third = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        db.jdbc().getJdbcTemplate().update("INSERT INTO workflow_event (seq, id, type, occurred_at, payload) VALUES (3, 'e3', "
                + "'case.created', ?, '{}')", Timestamp.from(third));
        List<String> received = new CopyOnWriteArrayList<>();
        MutableClock clock = new MutableClock(third);
        start("mailroute-events:gappy?types=case.created&gapWait=3000", received, null, clock);

        await(() -> received.size() == 1);
        long readsAfterFirst = clock.reads();
        await(() -> clock.reads() >= readsAfterFirst + 3); // every poll reads the clock: three more polls saw the young gap
        assertEquals(List.of("1:case.created"), received, "seq 3 waits while the gap before it is younger than gapWait");

        clock.set(third.plusMillis(2999));
        long readsAtTheEdge = clock.reads();
        await(() -> clock.reads() >= readsAtTheEdge + 3);
        assertEquals(List.of("1:case.created"), received, "a gap 1 ms short of gapWait still holds seq 3");

        clock.set(third.plusMillis(3000));
        await(() -> received.size() == 2);
        assertEquals(List.of("1:case.created", "3:case.created"), received);
    }

    private void append(String... types) {
        for (String type : types) {
            db.transactions().executeWithoutResult(tx ->
                    events.append(type, "support", null, null, Json.newMapper().createObjectNode().put("n", 1)));
        }
    }

    interface OnEvent {
        void accept(long seq) throws Exception;
    }

    private CamelContext start(String uri, List<String> sink, OnEvent onEvent) throws Exception {
        return start(uri, sink, onEvent, Clock.systemUTC());
    }

    private CamelContext start(String uri, List<String> sink, OnEvent onEvent, Clock clock) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addComponent(EventsComponent.SCHEME, new EventsComponent(events, new SubscriptionCursors(db, Clock.systemUTC()),
                clock));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri + (uri.contains("?") ? "&" : "?") + "delay=50").process(exchange -> {
                    long seq = exchange.getMessage().getHeader(EventsConsumer.SEQ_HEADER, Long.class);
                    if (onEvent != null) {
                        onEvent.accept(seq);
                    }
                    sink.add(seq + ":" + exchange.getMessage().getHeader(EventsConsumer.TYPE_HEADER));
                });
            }
        });
        context.start();
        contexts.add(context);
        return context;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(20);
        }
    }
}
