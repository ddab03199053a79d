package io.mailroute.gmail;

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
    void neverShorterThanRetryAfter() {
        assertEquals(Duration.ofSeconds(30), middle.delay(1, Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(8), middle.delay(4, Duration.ofSeconds(3)));
    }
}
