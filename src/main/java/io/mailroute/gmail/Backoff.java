package io.mailroute.gmail;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter band (50%..150%), capped, never shorter than a
 * server's Retry-After. Pure, so it is unit tested without clocks.
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
}
