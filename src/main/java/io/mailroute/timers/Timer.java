package io.mailroute.timers;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One timer, as stored in the {@code timer} table.
 *
 * @param id            the row's id
 * @param kind          which {@link TimerHandler} fires it ({@code approval.reminder}, {@code report.digest} ...)
 * @param subject       what it is about ({@code approval:42}); {@code :} nests subjects ({@code approval:42:step:2})
 * @param slot          which one of its kind for the subject ({@code 1}, {@code 2}, {@code 2026-03-01}): a slot is used once
 * @param dueAt         when it is due
 * @param data          the JSON given to {@link Timers#schedule}, an empty object when none was
 * @param state         where it stands
 * @param attempts      handler runs so far, failed ones included
 * @param nextAttemptAt when it is tried next: {@code dueAt}, later after a failed attempt
 * @param lastError     why the last attempt failed, or null
 * @param firedAt       when it fired, or null
 * @param createdAt     when it was scheduled
 */
public record Timer(long id, String kind, String subject, String slot, Instant dueAt, JsonNode data, State state,
        int attempts, Instant nextAttemptAt, String lastError, Instant firedAt, Instant createdAt) {

    /** A timer's life: SCHEDULED, then FIRED, CANCELLED or (its handler failing every attempt, or none) FAILED. */
    public enum State {
        /** Waiting to be due, or to be tried again after a failed attempt. */
        SCHEDULED,
        /** Its handler ran and its work committed with this state. Final. */
        FIRED,
        /** Cancelled before it fired. Final. */
        CANCELLED,
        /** No handler for its kind, or the handler failed every attempt; {@code lastError} says why. Final. */
        FAILED
    }
}
