package io.mailroute.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A committed event wakes the subscriptions that want it at once: every subscription here polls once at start and
 * then only every hour (and waits an hour for a gap), so whatever arrives after the first poll came by a wake-up.
 */
class OutboxWakeupTest {

    private static final String HOURLY = "initialDelay=0&delay=3600000";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Database db;
    private EventLog events;
    private SubscriptionCursors cursors;
    private CamelContext context;
    private EventsConsumer polls;
    private long pollsBefore;
    private final ExecutorService other = Executors.newSingleThreadExecutor();

    @BeforeEach
    void setUp() {
        db = TestDatabases.h2("wakeup");
        events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
        cursors = new SubscriptionCursors(db, Clock.systemUTC());
        context = new DefaultCamelContext();
        context.addComponent(EventsComponent.SCHEME, new EventsComponent(events, cursors, Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() throws Exception {
        other.shutdownNow();
        context.close();
        db.close();
    }

    @Test
    void aCommittedEventReachesASubscriptionThatPollsHourly() throws Exception {
        List<String> received = subscribe("feed", "types=case.created");
        append("case.created", "support");
        await("the event, woken by its commit", () -> received.size() == 1);
        append("message.received", "support"); // not wanted: wakes nobody, and is not delivered
        append("case.created", "support");
        await("the next one", () -> received.size() == 2);
        assertEquals(List.of("1:case.created", "3:case.created"), received);
    }

    @Test
    void theSignalComesAfterTheCommitAndNeverForARollback() {
        List<Event> told = new CopyOnWriteArrayList<>();
        events.signal().listen(told::add);

        db.transactions().executeWithoutResult(tx -> {
            events.append("case.created", "support", null, null, Json.newMapper().createObjectNode());
            assertEquals(List.of(), told, "nobody is told before the commit: the row is not visible yet");
        });
        assertEquals(1, told.size(), "told once it committed");

        db.transactions().executeWithoutResult(tx -> {
            events.append("case.created", "support", null, null, Json.newMapper().createObjectNode());
            tx.setRollbackOnly();
        });
        assertEquals(1, told.size(), "a rolled-back event wakes nobody");
    }

    @Test
    void aRolledBackEventIsNeverDelivered() throws Exception {
        List<String> received = subscribe("feed", "types=case.created&gapWait=50"); // its gap: settled after 50 ms
        db.transactions().executeWithoutResult(tx -> {
            events.append("case.created", "support", null, null, Json.newMapper().createObjectNode());
            tx.setRollbackOnly();
        });
        append("case.created", "support"); // wakes it; it waits out the young gap (not an hour) and delivers this one
        await("the committed event", () -> received.size() == 1);
        assertEquals(List.of("2:case.created"), received);
    }

    @Test
    void aGapFilledLaterIsDeliveredWithoutWaitingGapWait() throws Exception {
        List<String> received = subscribe("feed", "types=case.created&gapWait=3600000");
        // seq 1 is taken by a transaction still open; seq 2 commits first and wakes the subscription, which must
        // stop before the young gap. The commit of seq 1, a type it does not even want, must wake it again.
        CountDownLatch inserted = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        Future<?> slow = other.submit(() -> db.transactions().executeWithoutResult(tx -> {
            events.append("message.received", "support", null, null, Json.newMapper().createObjectNode());
            inserted.countDown();
            try {
                assertTrue(commit.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertTrue(inserted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        append("case.created", "support");
        await("the subscription to poll and stop before the gap", () -> polledSince() && !polls.isPolling());
        assertEquals(0, cursorOf("feed"));
        assertEquals(List.of(), received, "seq 2 waits while seq 1 may still commit");

        commit.countDown();
        slow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("seq 2, once the gap is filled", () -> received.size() == 1);
        assertEquals(List.of("2:case.created"), received);
    }

    @Test
    void aMailboxSubscriptionIsWokenOnlyByItsMailbox() throws Exception {
        List<String> support = subscribe("triage-support", "types=message.received&mailbox=support");
        List<String> accounts = subscribe("triage-accounts", "types=message.received&mailbox=accounts");
        append("message.received", "accounts");
        append("message.received", "support");
        await("each mailbox's own event", () -> support.size() == 1 && accounts.size() == 1);
        assertEquals(List.of("2:message.received"), support);
        assertEquals(List.of("1:message.received"), accounts);
    }

    @Test
    void aNewSubscriptionContinuesFromTheOneItReplaces() throws Exception {
        append("message.received", "support");   // 1: triaged by the old subscription
        append("message.received", "accounts");  // 2: triaged by the old subscription
        append("message.received", "support");   // 3: not yet
        cursors.position("triage", 0);
        cursors.advance("triage", 2);

        List<String> support = subscribe("triage-support", "types=message.received&mailbox=support&continueFrom=triage");
        List<String> accounts = subscribe("triage-accounts", "types=message.received&mailbox=accounts&continueFrom=triage");
        append("message.received", "accounts");  // 4
        await("what the old subscription had not delivered", () -> support.size() == 1 && accounts.size() == 1);
        assertEquals(List.of("3:message.received"), support, "neither 1 again nor 3 skipped");
        assertEquals(List.of("4:message.received"), accounts);

        List<String> fresh = subscribe("other", "types=message.received&continueFrom=no-such-subscription");
        await("a subscription whose predecessor never existed starts as startAt says", () -> fresh.size() == 4);
    }

    private List<String> subscribe(String name, String options) throws Exception {
        List<String> sink = new CopyOnWriteArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(EventsComponent.SCHEME + ":" + name + "?" + options + "&" + HOURLY).routeId(name).process(exchange ->
                        sink.add(exchange.getMessage().getHeader(EventsConsumer.SEQ_HEADER) + ":"
                                + exchange.getMessage().getHeader(EventsConsumer.TYPE_HEADER)));
            }
        });
        if (!context.isStarted()) {
            context.start();
        }
        await("the first poll of " + name, () -> cursors.find(name).isPresent()); // from now on only wake-ups
        polls = context.getRoute(name).getConsumer() instanceof EventsConsumer consumer ? consumer : null;
        pollsBefore = polls == null ? 0 : polls.getCounter();
        return sink;
    }

    /** The subscription subscribed last polled again since its first poll. */
    private boolean polledSince() {
        return polls != null && polls.getCounter() > pollsBefore;
    }

    private long cursorOf(String name) {
        return cursors.find(name).orElse(-1L);
    }

    private void append(String type, String mailbox) {
        db.transactions().executeWithoutResult(tx -> events.append(type, mailbox, null, null, Json.newMapper().createObjectNode()));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }
}
