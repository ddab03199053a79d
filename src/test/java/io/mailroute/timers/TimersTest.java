package io.mailroute.timers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class TimersTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
    private static final String KIND = "test.reminder";
    private static final String FIRED_EVENT = "test.fired";

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger timersLog = (Logger) LoggerFactory.getLogger(Timers.class);
    private Database db;
    private EventLog events;
    private Timers timers;

    @BeforeEach
    void setUp() {
        db = TestDatabases.h2("timers");
        events = new EventLog(db, json, clock);
        timers = newTimers(10);
        log.start();
        timersLog.addAppender(log);
    }

    @AfterEach
    void tearDown() {
        timersLog.detachAppender(log);
        db.close();
    }

    /** Three attempts; a failed one waits 10 s, then 20 s (the backoff's jitter pinned to none). */
    private Timers newTimers(int batchSize) {
        return new Timers(db, json, clock, new Timers.Policy(batchSize, 3,
                new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), () -> 0.5)));
    }

    /** A handler that appends one event carrying the timer's data, and counts its runs per timer. */
    private TimerHandler appending(Map<Long, AtomicInteger> runs) {
        return timer -> {
            runs.computeIfAbsent(timer.id(), id -> new AtomicInteger()).incrementAndGet();
            return List.of(events.append(FIRED_EVENT, null, null, null, timer.data()));
        };
    }

    private Timer schedule(String subject, Duration in) {
        return timers.schedule(KIND, subject, "1", T0.plus(in), json.createObjectNode().put("subject", subject)).timer();
    }

    private Timer reread(Timer timer) {
        return timers.find(timer.kind(), timer.subject(), timer.slot()).orElseThrow();
    }

    private static int total(Map<Long, AtomicInteger> runs) {
        return runs.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Test
    void schedulingTheSameKindSubjectAndSlotAgainChangesNothingAndSaysSo() {
        Timers.Scheduled first = timers.schedule(KIND, "approval:42", "1", T0.plus(Duration.ofDays(1)),
                json.createObjectNode().put("step", 1));
        Timers.Scheduled again = timers.schedule(KIND, "approval:42", "1", T0.plus(Duration.ofDays(3)),
                json.createObjectNode().put("step", 9));
        Timers.Scheduled otherSlot = timers.schedule(KIND, "approval:42", "2", T0.plus(Duration.ofDays(2)), null);

        assertTrue(first.created());
        assertFalse(again.created(), "the same kind, subject and slot is the same timer");
        assertEquals(first.timer(), again.timer(), "left exactly as it was");
        assertEquals(T0.plus(Duration.ofDays(1)), again.timer().dueAt());
        assertEquals(1, again.timer().data().get("step").asInt());
        assertEquals(Timer.State.SCHEDULED, again.timer().state());
        assertTrue(otherSlot.created());
        assertEquals(json.createObjectNode(), otherSlot.timer().data(), "no data is an empty object");
        assertEquals(List.of("1", "2"), timers.pending("approval:42").stream().map(Timer::slot).toList());
    }

    @Test
    void aTimerNotYetDueDoesNotFire() {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        timers.register(KIND, appending(runs));
        Timer timer = schedule("approval:1", Duration.ofHours(1));

        clock.advance(Duration.ofMinutes(59));
        assertEquals(List.of(), timers.fireDue());

        assertEquals(0, total(runs));
        assertEquals(Timer.State.SCHEDULED, reread(timer).state());
        assertEquals(new Timers.Counts(1, 0, 0), timers.counts());
    }

    @Test
    void aDueTimerFiresOnceEvenWhenTheTickRunsAgain() {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        timers.register(KIND, appending(runs));
        Timer timer = schedule("approval:1", Duration.ofHours(1));

        clock.advance(Duration.ofHours(1));
        List<Event> raised = timers.fireDue();
        List<Event> second = timers.fireDue();
        clock.advance(Duration.ofDays(1));
        List<Event> third = timers.fireDue();

        assertEquals(List.of(FIRED_EVENT), raised.stream().map(Event::type).toList());
        assertTrue(raised.get(0).json().contains("\"subject\":\"approval:1\""), "the handler got the timer's data");
        assertEquals(List.of(), second);
        assertEquals(List.of(), third);
        assertEquals(1, runs.get(timer.id()).get());
        Timer fired = reread(timer);
        assertEquals(Timer.State.FIRED, fired.state());
        assertEquals(T0.plus(Duration.ofHours(1)), fired.firedAt());
        assertEquals(1, fired.attempts());
        assertEquals(1, events.count(FIRED_EVENT));
    }

    @Test
    void aTimerDueWhileNothingRanFiresOnceAtTheFirstTickAfterTheStart() {
        Timer timer = schedule("approval:7", Duration.ofMinutes(5));
        clock.advance(Duration.ofDays(3)); // the service was down meanwhile

        Timers restarted = newTimers(10);
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        restarted.register(KIND, appending(runs));
        assertEquals(1, restarted.fireDue().size());
        assertEquals(0, restarted.fireDue().size());

        assertEquals(1, runs.get(timer.id()).get());
        assertEquals(Timer.State.FIRED, reread(timer).state());
    }

    @Test
    void twoTicksFiringAtOnceRunEachHandlerOnce() throws Exception {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        Timers node1 = newTimers(100);
        Timers node2 = newTimers(100);
        node1.register(KIND, appending(runs));
        node2.register(KIND, appending(runs));
        for (int i = 0; i < 60; i++) {
            schedule("item:" + i, Duration.ofSeconds(i % 7));
        }
        clock.advance(Duration.ofMinutes(1));

        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<List<Event>> a = threads.submit(() -> {
                start.await();
                return node1.fireDue();
            });
            Future<List<Event>> b = threads.submit(() -> {
                start.await();
                return node2.fireDue();
            });
            assertEquals(60, a.get(60, TimeUnit.SECONDS).size() + b.get(60, TimeUnit.SECONDS).size(),
                    "every timer's event, each published by the tick that fired it");
        } finally {
            threads.shutdownNow();
        }

        assertEquals(60, runs.size());
        runs.forEach((id, count) -> assertEquals(1, count.get(), "timer " + id + " ran once"));
        assertEquals(60, events.count(FIRED_EVENT));
        assertEquals(new Timers.Counts(0, 0, 0), timers.counts());
    }

    @Test
    void aFailingHandlerIsRolledBackRetriedWithBackoffThenFailedWithoutHoldingUpOthers() {
        AtomicInteger attempts = new AtomicInteger();
        timers.register("test.broken", timer -> {
            attempts.incrementAndGet();
            events.append(FIRED_EVENT, null, null, null, timer.data()); // rolled back with the failure
            throw new IllegalStateException("the approval row is locked by a migration");
        });
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        timers.register(KIND, appending(runs));
        Timer broken = timers.schedule("test.broken", "approval:9", "1", T0, null).timer();
        Timer healthy = schedule("approval:10", Duration.ZERO);

        assertEquals(1, timers.fireDue().size(), "the healthy timer fired in the same tick");
        Timer afterFirst = reread(broken);
        assertEquals(1, attempts.get());
        assertEquals(1, events.count(FIRED_EVENT), "only the healthy timer's event: the broken one's was rolled back");
        assertEquals(1, runs.get(healthy.id()).get());
        assertEquals(Timer.State.SCHEDULED, afterFirst.state());
        assertEquals(1, afterFirst.attempts());
        assertNull(afterFirst.firedAt());
        assertEquals(T0.plus(Duration.ofSeconds(10)), afterFirst.nextAttemptAt());
        assertEquals("IllegalStateException: the approval row is locked by a migration", afterFirst.lastError());

        clock.advance(Duration.ofSeconds(9));
        timers.fireDue();
        assertEquals(1, attempts.get(), "not before its backoff");

        clock.advance(Duration.ofSeconds(1));
        timers.fireDue();
        assertEquals(2, attempts.get());
        assertEquals(clock.instant().plus(Duration.ofSeconds(20)), reread(broken).nextAttemptAt(), "the backoff doubles");
        assertTrue(log.list.isEmpty(), "a retry is no news: " + log.list);

        clock.advance(Duration.ofSeconds(20));
        timers.fireDue();
        clock.advance(Duration.ofHours(1));
        timers.fireDue();

        Timer failed = reread(broken);
        assertEquals(3, attempts.get(), "three attempts, then no more");
        assertEquals(Timer.State.FAILED, failed.state());
        assertEquals(3, failed.attempts());
        assertEquals("IllegalStateException: the approval row is locked by a migration", failed.lastError());
        assertEquals(1, events.count(FIRED_EVENT));
        assertEquals(new Timers.Counts(0, 0, 1), timers.counts());
        List<ILoggingEvent> errors = log.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        assertEquals(1, errors.size(), "logged once: " + log.list);
        String line = errors.get(0).getFormattedMessage();
        assertTrue(line.contains("test.broken") && line.contains("approval:9") && line.contains("locked by a migration"), line);
    }

    @Test
    void aTimerOfAnUnknownKindIsFailedSayingWhy() {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        timers.register(KIND, appending(runs));
        Timer orphan = timers.schedule("nobody.home", "approval:3", "1", T0, null).timer();
        Timer known = schedule("approval:4", Duration.ZERO);

        assertEquals(1, timers.fireDue().size());

        Timer failed = reread(orphan);
        assertEquals(Timer.State.FAILED, failed.state());
        assertTrue(failed.lastError().contains("no handler is registered for timer kind 'nobody.home' (registered: "
                + KIND + ")"), failed.lastError());
        assertEquals(Timer.State.FIRED, reread(known).state());
        assertEquals(1, log.list.stream().filter(e -> e.getLevel() == Level.ERROR).count());
    }

    @Test
    void cancelledTimersDoNotFireAndCancelAllTakesNestedSubjectsOnly() {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        timers.register(KIND, appending(runs));
        timers.register("test.expiry", appending(runs));
        schedule("approval:42", Duration.ofHours(1));
        timers.schedule(KIND, "approval:42", "2", T0.plus(Duration.ofHours(2)), null);
        timers.schedule("test.expiry", "approval:42", "1", T0.plus(Duration.ofDays(1)), null);
        timers.schedule("test.expiry", "approval:42:step:2", "1", T0.plus(Duration.ofDays(1)), null);
        Timer neighbour = schedule("approval:420", Duration.ofHours(1));
        Timer underscore = schedule("approval_42", Duration.ofHours(1));

        assertEquals(2, timers.cancel(KIND, "approval:42"), "both reminder slots");
        assertEquals(List.of("test.expiry", "test.expiry"), timers.pending("approval:42").stream().map(Timer::kind).toList());
        assertEquals(2, timers.cancelAll("approval:42"), "the expiry and the nested step's expiry");
        assertEquals(0, timers.cancelAll("approval:42"), "nothing left to cancel");
        assertEquals(List.of(), timers.pending("approval:42"));
        assertEquals(0, timers.cancelAll("approval%"), "a LIKE wildcard in a subject is a plain character");

        clock.advance(Duration.ofDays(2));
        assertEquals(2, timers.fireDue().size());
        assertEquals(Map.of(neighbour.id(), 1, underscore.id(), 1), Map.of(neighbour.id(), runs.get(neighbour.id()).get(),
                underscore.id(), runs.get(underscore.id()).get()));
        assertEquals(2, runs.size());
        Timers.Scheduled again = timers.schedule(KIND, "approval:42", "1", T0, null);
        assertFalse(again.created(), "a cancelled slot is not reused");
        assertEquals(Timer.State.CANCELLED, again.timer().state());
        assertEquals(0, timers.cancel(KIND, "approval:420"), "a fired timer is not cancelled");
    }

    @Test
    void theHandlersWorkAndFiredCommitTogether() throws Exception {
        List<String> seen = new ArrayList<>();
        timers.register(KIND, timer -> {
            Event event = events.append(FIRED_EVENT, null, null, null, timer.data());
            seen.add("inside: " + stateOf(timer.id()) + ", events " + events.count(FIRED_EVENT));
            // another connection, as another node or the API would read it, sees neither yet
            seen.add("outside: " + CompletableFuture.supplyAsync(() -> stateOf(timer.id()) + ", events "
                    + events.count(FIRED_EVENT)).get(30, TimeUnit.SECONDS));
            return List.of(event);
        });
        Timer timer = schedule("approval:5", Duration.ZERO);

        timers.fireDue();

        assertEquals(List.of("inside: FIRED, events 1", "outside: SCHEDULED, events 0"), seen);
        assertEquals("FIRED", stateOf(timer.id()));
        assertEquals(1, events.count(FIRED_EVENT));
    }

    @Test
    void schedulingJoinsTheCallersTransaction() {
        assertThrows(IllegalStateException.class, () -> db.transactions().execute(tx -> {
            timers.schedule(KIND, "approval:77", "1", T0.plus(Duration.ofDays(1)), null);
            throw new IllegalStateException("the approval's insert failed");
        }));
        assertTrue(timers.find(KIND, "approval:77", "1").isEmpty(), "rolled back with the caller");

        db.transactions().execute(tx -> timers.schedule(KIND, "approval:78", "1", T0.plus(Duration.ofDays(1)), null));
        assertTrue(timers.find(KIND, "approval:78", "1").isPresent());
    }

    @Test
    void aTickFiresAtMostABatchAndTheNextOneTheRest() {
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        timers.register(KIND, appending(runs));
        for (int i = 0; i < 15; i++) {
            schedule("item:" + i, Duration.ofSeconds(i));
        }
        clock.advance(Duration.ofMinutes(1));

        assertEquals(new Timers.Counts(15, 15, 0), timers.counts());
        assertEquals(10, timers.fireDue().size());
        assertEquals(5, timers.fireDue().size());
        assertEquals(15, total(runs));
    }

    @Test
    void aTickWhileTheDatabaseIsClosedDoesNothing() {
        timers.register(KIND, appending(new ConcurrentHashMap<>()));
        schedule("approval:1", Duration.ZERO);
        db.close();

        assertEquals(List.of(), timers.fireDue());
    }

    @Test
    void kindsSubjectsAndSlotsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> timers.schedule("Approval Reminder", "approval:1", "1", T0, null));
        assertThrows(IllegalArgumentException.class, () -> timers.schedule(KIND, " ", "1", T0, null));
        assertThrows(IllegalArgumentException.class, () -> timers.schedule(KIND, "approval:1", "", T0, null));
        assertThrows(IllegalArgumentException.class, () -> timers.schedule(KIND, "approval:1", "1", null, null));
        timers.register(KIND, timer -> List.of());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> timers.register(KIND, timer -> List.of()));
        assertTrue(twice.getMessage().contains(KIND), twice.getMessage());
    }

    private String stateOf(long id) {
        return db.jdbc().queryForObject("SELECT state FROM timer WHERE id = :id", Map.of("id", id), String.class);
    }
}
