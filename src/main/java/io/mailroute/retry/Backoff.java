package io.mailroute.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter band (50%..150%), capped, never shorter than a
 * server's Retry-After; after a rate limit, the Retry-After itself with a little jitter. Pure, so it
 * is unit tested without clocks. Shared by whatever retries (Gmail polls and sends, deliveries, timers); it knows no
 * provider's errors: a caller says whether a failure was a rate limit (e.g. {@code GmailFailure.waitAfter}).
 */
public final class Backoff {

    private final Duration base;
    private final Duration cap;
    private final DoubleSupplier random;

    public Backoff(Duration base, Duration cap, DoubleSupplier random) {
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** @param failures consecutive failures so far, at least 1 */
    public Duration delay(int failures, Duration retryAfter) {
        int exponent = Math.max(0, Math.min(failures - 1, 20));
        long exponential = Math.min(cap.toMillis(), base.toMillis() * (1L << exponent));
        long jittered = Math.round(exponential * (0.5 + random.getAsDouble()));
        long delay = Math.min(jittered, cap.toMillis());
        if (retryAfter != null) {
            delay = Math.max(delay, retryAfter.toMillis());
        }
        return Duration.ofMillis(delay);
    }

    /**
     * After the {@code failures}-th failure in a row: a rate limit that says how long to wait waits that
     * long ({@link #rateLimitWait}), not an exponential interval; anything else backs off as {@link #delay}.
     *
     * @param retryAfter  what the server asked for, or null
     * @param rateLimited whether the failure was a rate limit
     */
    public Duration after(int failures, Duration retryAfter, boolean rateLimited) {
        return rateLimited && retryAfter != null ? rateLimitWait(retryAfter) : delay(failures, retryAfter);
    }

    /**
     * What Retry-After asked for, plus up to a fifth of it (of a second, at least) of jitter, so that
     * mailboxes told the same thing at the same moment do not all come back in the same instant.
     */
    public Duration rateLimitWait(Duration retryAfter) {
        long asked = retryAfter.toMillis();
        return Duration.ofMillis(asked + Math.round(Math.max(asked, 1000) * 0.2 * random.getAsDouble()));
    }
}
