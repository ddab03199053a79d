package io.mailroute.timers;

import io.mailroute.events.Event;
import java.util.List;

/**
 * What happens when a timer of one kind fires; registered with {@link Timers#register}.
 *
 * <p>It runs inside the transaction that marks the timer FIRED, so its work and the FIRED state commit
 * together or not at all: a crash, a restart or a second node can neither lose nor double it. Hence
 * the handler does database work only, through {@link io.mailroute.db.Database#jdbc()} and
 * {@link io.mailroute.events.EventLog#append} (which join that transaction): it updates rows and appends
 * events, and anything sent outside (an email, a push) goes out downstream from the outbox, through the
 * delivery pipeline. It must not call external systems itself, and must not start transactions of its
 * own (they would commit apart from the timer).
 *
 * <p>It should check that its subject still wants it (an approval decided a moment ago, in a transaction
 * that raced the timer, needs no reminder) and do nothing when not: the timer is FIRED all the same.
 *
 * <p>Throwing rolls its work back: the timer is tried again later, with backoff, and after
 * {@code mailroute.timers.max-attempts} attempts it is FAILED with the exception's message, logged once.
 * A failing timer never holds up others.
 */
@FunctionalInterface
public interface TimerHandler {

    /**
     * Fires one timer.
     *
     * @param timer the timer as claimed: state FIRED, {@code attempts} counting this one, {@code data} as scheduled
     * @return the events it appended, in order (empty when none): they are published on the in-process bus
     *         once the transaction has committed (the outbox holds them in any case)
     * @throws Exception to roll its work back and try again later
     */
    List<Event> fire(Timer timer) throws Exception;
}
