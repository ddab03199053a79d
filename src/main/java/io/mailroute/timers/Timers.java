package io.mailroute.timers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.retry.Backoff;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mailroute's one timer mechanism: reminders, expiry, escalation, digests. A timer is a row in the
 * {@code timer} table, so it survives restarts; the {@code timers-tick} route ({@code routes/timers.camel.yaml},
 * a camel-quartz trigger every {@code mailroute.timers.check-interval} ms) calls {@link #fireDue}, which fires
 * each due timer once: never twice, never not at all.
 *
 * <p>How a feature uses it:
 * <ol>
 *   <li>At start, register one {@link TimerHandler} per kind it owns: {@code timers.register("approval.reminder",
 *       handler)}. Kinds are dotted names, feature first.</li>
 *   <li>Schedule in the transaction that makes the change the timer belongs to, so both commit or neither does:
 *       <pre>{@code
 * db.transactions().execute(tx -> {
 *     long id = approvals.insert(...);
 *     timers.schedule("approval.reminder", "approval:" + id, "1", requestedAt.plus(Duration.ofDays(1)), data);
 *     timers.schedule("approval.expiry", "approval:" + id, "1", requestedAt.plus(Duration.ofDays(7)), data);
 *     return id;
 * });}</pre>
 *       Outside a transaction each call commits by itself.</li>
 *   <li>When the subject no longer needs its timers (the approval is decided), {@link #cancelAll} them in that
 *       transaction too. A timer can still fire in the same instant (it was claimed first): its handler checks
 *       its subject's state and does nothing when it is moot.</li>
 * </ol>
 *
 * <p>Firing: a due timer is claimed by a compare-and-set UPDATE (SCHEDULED to FIRED) and its handler runs in
 * the same transaction, so the handler's rows and events commit with FIRED. Two ticks (threads, or nodes on
 * one PostgreSQL) that read the same timer cannot both claim it. A handler that throws has its work rolled
 * back; the timer is tried again after a backoff ({@code mailroute.timers.backoff-base} doubling up to
 * {@code backoff-max}) and after {@code mailroute.timers.max-attempts} attempts it is FAILED, with the error
 * kept in the row and logged once. A timer whose kind has no handler is FAILED at once, saying so. At most
 * {@code mailroute.timers.batch-size} timers fire per tick; the rest fire at the next. While the database is
 * closed a tick does nothing.
 */
public final class Timers {

    private static final Logger LOG = LoggerFactory.getLogger(Timers.class);
    private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final int MAX_SUBJECT = 190;
    private static final int MAX_SLOT = 64;
    private static final int MAX_ERROR = 2000;

    /**
     * How timers fire.
     *
     * @param batchSize   timers fired per tick at most ({@code mailroute.timers.batch-size})
     * @param maxAttempts handler runs before a failing timer is FAILED ({@code mailroute.timers.max-attempts})
     * @param backoff     the wait before the next attempt after the n-th failed one
     */
    public record Policy(int batchSize, int maxAttempts, Backoff backoff) {
        public Policy {
            if (batchSize < 1 || maxAttempts < 1) {
                throw new IllegalArgumentException("timers: batch size and max attempts must be at least 1, not "
                        + batchSize + " and " + maxAttempts);
            }
        }
    }

    /**
     * What {@link #schedule} did.
     *
     * @param created true when it scheduled a new timer; false when the kind, subject and slot had one already,
     *                which it left as it was (whatever its state, due time and data)
     * @param timer   the timer as stored now
     */
    public record Scheduled(boolean created, Timer timer) {
    }

    /**
     * Timers an operator may want to know about.
     *
     * @param scheduled waiting to fire
     * @param due       of those, due now (more than a tick's worth for long means the tick is not keeping up)
     * @param failed    FAILED: their handler failed every attempt, or none is registered for their kind
     */
    public record Counts(long scheduled, long due, long failed) {
    }

    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;
    private final Policy policy;
    private final TimerStore store;
    private final Map<String, TimerHandler> handlers = new ConcurrentHashMap<>();

    public Timers(Database db, ObjectMapper json, Clock clock, Policy policy) {
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.policy = policy;
        this.store = new TimerStore(db, json);
    }

    /**
     * Registers the handler that fires timers of {@code kind}; one handler per kind. Register at start,
     * before the first tick: a due timer whose kind has no handler is FAILED.
     *
     * @param kind a dotted name, feature first ({@code approval.reminder}): lower case letters, digits, {@code . _ -}
     * @throws IllegalStateException when the kind has a handler already
     */
    public void register(String kind, TimerHandler handler) {
        checkKind(kind);
        if (handler == null) {
            throw new IllegalArgumentException("timer kind " + kind + ": the handler is null");
        }
        if (handlers.putIfAbsent(kind, handler) != null) {
            throw new IllegalStateException("timer kind " + kind + " has a handler already: register each kind once");
        }
    }

    /** The kinds that have a handler, sorted. */
    public Set<String> kinds() {
        return new TreeSet<>(handlers.keySet());
    }

    /**
     * Schedules a timer, once: scheduling the same kind, subject and slot again changes nothing (not the due
     * time, not the data, not a cancelled or fired timer) and answers {@code created == false} with the timer
     * as it stands. To move a timer, cancel it and schedule one with a new slot.
     *
     * <p>Joins the caller's transaction when there is one ({@link Database#transactions()}), so the timer
     * commits with the change it belongs to; otherwise it commits by itself.
     *
     * @param kind    which handler fires it ({@code approval.reminder}); see {@link #register}
     * @param subject what it is about, as {@code <thing>:<id>} ({@code approval:42}); {@code :} nests subjects
     *                ({@code approval:42:step:2}), which {@link #cancelAll} and {@link #pending} include; at most 190
     *                characters
     * @param slot    which timer of this kind for this subject ({@code 1}, {@code 2} for a second reminder,
     *                {@code 2026-03-01} for a day's digest); at most 64 characters
     * @param dueAt   when it fires (at the first tick at or after it; a time in the past fires at the next tick)
     * @param data    JSON the handler gets back in {@link Timer#data()}; null for an empty object
     */
    public Scheduled schedule(String kind, String subject, String slot, Instant dueAt, JsonNode data) {
        checkKind(kind);
        checkSubject(subject);
        if (slot == null || slot.isBlank() || slot.length() > MAX_SLOT) {
            throw new IllegalArgumentException("timer slot must be 1 to " + MAX_SLOT + " characters, not " + quoted(slot));
        }
        if (dueAt == null) {
            throw new IllegalArgumentException("timer " + kind + " " + subject + ": dueAt is null");
        }
        boolean created = store.insert(kind, subject, slot, dueAt.truncatedTo(ChronoUnit.MILLIS),
                data == null ? json.createObjectNode() : data, now());
        Timer timer = store.byKey(kind, subject, slot).orElseThrow(() -> new IllegalStateException(
                "timer " + kind + " " + subject + " slot " + slot + " was neither inserted nor found"));
        if (!created) {
            LOG.debug("Timer {} {} slot {} exists already ({}, due {}): left as it is", kind, subject, slot,
                    timer.state(), timer.dueAt());
        }
        return new Scheduled(created, timer);
    }

    /**
     * Cancels the scheduled timers of one kind for one subject (every slot; not nested subjects). Fired,
     * failed and cancelled ones stay as they are. Joins the caller's transaction like {@link #schedule}.
     *
     * @return how many it cancelled
     */
    public int cancel(String kind, String subject) {
        checkKind(kind);
        checkSubject(subject);
        return store.cancel(kind, subject, now());
    }

    /**
     * Cancels every scheduled timer of a subject and of the subjects nested in it, of any kind:
     * {@code cancelAll("approval:42")} cancels those of {@code approval:42} and {@code approval:42:step:2},
     * not those of {@code approval:420}. Joins the caller's transaction like {@link #schedule}.
     *
     * @return how many it cancelled
     */
    public int cancelAll(String subject) {
        checkSubject(subject);
        return store.cancelAll(subject, now());
    }

    /** The scheduled timers of a subject and of the subjects nested in it (as {@link #cancelAll}), soonest first. */
    public List<Timer> pending(String subject) {
        checkSubject(subject);
        return store.pending(subject);
    }

    /** The timer of this kind, subject and slot, in whatever state. */
    public Optional<Timer> find(String kind, String subject, String slot) {
        return store.byKey(kind, subject, slot);
    }

    /** Counts for the operator (metrics). */
    public Counts counts() {
        return store.counts(now());
    }

    /**
     * Fires the due timers, at most a batch; called by the {@code timers-tick} route. Safe to call from
     * several threads or nodes at once: each timer fires once.
     *
     * @return the events the handlers appended, committed, for the in-process bus
     */
    public List<Event> fireDue() {
        List<Event> raised = new ArrayList<>();
        // While the database is closed: what committed so far is published, the next tick does the rest.
        return db.unlessClosed(raised, () -> {
            for (long id : store.due(now(), policy.batchSize())) {
                raised.addAll(fire(id));
            }
            return raised;
        });
    }

    /** One timer: claimed, handled and marked in one transaction; logged after that committed. */
    private List<Event> fire(long id) {
        Instant now = now();
        Outcome outcome;
        try {
            outcome = db.transactions().execute(tx -> {
                if (!store.claim(id, now)) {
                    return Outcome.NOTHING; // another tick fired it, or it was cancelled, since it was read
                }
                Timer timer = store.byId(id).orElseThrow();
                TimerHandler handler = handlers.get(timer.kind());
                if (handler == null) {
                    String reason = "no handler is registered for timer kind '" + timer.kind() + "' (registered: "
                            + (handlers.isEmpty() ? "none" : String.join(", ", kinds())) + "); the feature that schedules "
                            + "it must register one at start";
                    store.notFired(id, Timer.State.FAILED, timer.nextAttemptAt(), reason, now);
                    return new Outcome(List.of(), timer, reason);
                }
                Object savepoint = tx.createSavepoint();
                try {
                    List<Event> events = handler.fire(timer);
                    tx.releaseSavepoint(savepoint);
                    return new Outcome(events == null ? List.of() : List.copyOf(events), timer, null);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Exception | Error e) {
                    tx.rollbackToSavepoint(savepoint); // the handler's work goes, the claim stays until notFired
                    return attemptFailed(timer, e, now);
                }
            });
        } catch (RuntimeException e) {
            if (!db.isAvailable()) {
                throw e; // fireDue ends the tick quietly
            }
            LOG.warn("Timer {} could not be fired in this tick, the next one tries again: {}", id, e.toString());
            return List.of();
        }
        if (outcome.timer() != null && outcome.failure() != null) {
            Timer t = outcome.timer();
            LOG.error("Timer {} for {} (slot {}, id {}) FAILED and will not fire: {}", t.kind(), t.subject(), t.slot(),
                    t.id(), outcome.failure());
        } else if (outcome.timer() != null) {
            LOG.debug("Timer {} for {} (slot {}) fired", outcome.timer().kind(), outcome.timer().subject(),
                    outcome.timer().slot());
        }
        return outcome.events();
    }

    /** Back to SCHEDULED after a backoff, or FAILED once it had its attempts (then the outcome carries why). */
    private Outcome attemptFailed(Timer timer, Throwable failure, Instant now) {
        String error = describe(failure);
        if (timer.attempts() >= policy.maxAttempts()) {
            store.notFired(timer.id(), Timer.State.FAILED, timer.nextAttemptAt(), error, now);
            return new Outcome(List.of(), timer, "its handler failed " + timer.attempts() + " times, the last with " + error);
        }
        Instant next = now.plus(policy.backoff().delay(timer.attempts(), null));
        store.notFired(timer.id(), Timer.State.SCHEDULED, next, error, now);
        LOG.debug("Timer {} for {} (slot {}): attempt {} failed, next at {}: {}", timer.kind(), timer.subject(),
                timer.slot(), timer.attempts(), next, error);
        return Outcome.NOTHING;
    }

    /** What one claim did: events to publish; a timer with a failure is FAILED for good (logged once, after commit). */
    private record Outcome(List<Event> events, Timer timer, String failure) {
        static final Outcome NOTHING = new Outcome(List.of(), null, null);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR - 3) + "...";
    }

    private static void checkKind(String kind) {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("timer kind must be a dotted name of lower case letters, digits, '.', '_' "
                    + "or '-' (at most 64 characters, e.g. approval.reminder), not " + quoted(kind));
        }
    }

    private static void checkSubject(String subject) {
        if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT) {
            throw new IllegalArgumentException("timer subject must be 1 to " + MAX_SUBJECT
                    + " characters (e.g. approval:42), not " + quoted(subject));
        }
    }

    private static String quoted(String value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
