package io.mailroute.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff middle = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);

    @Test
    void doublesWithEachFailureUpToTheCap() {
        assertEquals(Duration.ofSeconds(1), middle.delay(1, null));
        assertEquals(Duration.ofSeconds(2), middle.delay(2, null));
        assertEquals(Duration.ofSeconds(8), middle.delay(4, null));
        assertEquals(Duration.ofMinutes(5), middle.delay(30, null));
    }

    @Test
    void jitterSpreadsBetweenHalfAndOneAndAHalf() {
        assertEquals(Duration.ofMillis(2000), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.0).delay(3, null));
        assertEquals(Duration.ofMillis(5992), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.998).delay(3, null));
    }

    @Test
    void afterARateLimitItWaitsWhatRetryAfterSaysPlusAFifthAtMostNotAnExponentialInterval() {
        assertEquals(Duration.ofMillis(1100), middle.after(9, Duration.ofSeconds(1), true), "not 2^8 s after nine in a row");
        assertEquals(Duration.ofMillis(1000), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.0)
                .rateLimitWait(Duration.ofSeconds(1)));
        assertEquals(Duration.ofMillis(1200), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 1.0)
                .rateLimitWait(Duration.ofSeconds(1)));
        assertEquals(Duration.ofMillis(100), middle.rateLimitWait(Duration.ZERO), "Retry-After: 0 still spreads the mailboxes");
    }

    @Test
    void aRateLimitWithoutRetryAfterAndOtherFailuresBackOffExponentially() {
        assertEquals(Duration.ofSeconds(8), middle.after(4, null, true));
        assertEquals(Duration.ofSeconds(8), middle.after(4, null, false));
        assertEquals(Duration.ofSeconds(30), middle.after(1, Duration.ofSeconds(30), false), "a 5xx's Retry-After is a floor");
    }

    @Test
    void neverShorterThanRetryAfter() {
        assertEquals(Duration.ofSeconds(30), middle.delay(1, Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(8), middle.delay(4, Duration.ofSeconds(3)));
    }
}
