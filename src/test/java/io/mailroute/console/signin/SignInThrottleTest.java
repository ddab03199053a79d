package io.mailroute.console.signin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    private static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final SignInThrottle throttle = new SignInThrottle(clock, 5, Duration.ofMinutes(5));

    @Test
    void fiveFailuresForANameBlockItFromAnyAddressUntilTheFirstLeavesTheWindow() {
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), throttle.blockedUntil("mei", "10.0.0." + i));
            throttle.failed("mei", "10.0.0." + i);
            clock.advance(Duration.ofSeconds(10));
        }
        assertEquals(Optional.of(T0.plus(Duration.ofMinutes(5))), throttle.blockedUntil("MEI", "10.9.9.9"), "names ignore case");
        assertEquals(Optional.empty(), throttle.blockedUntil("ana", "10.9.9.9"), "other names are not blocked");
        clock.set(T0.plus(Duration.ofMinutes(5)));
        assertEquals(Optional.empty(), throttle.blockedUntil("mei", "10.9.9.9"), "the first failure left the window");
        throttle.failed("mei", "10.9.9.9");
        assertEquals(Optional.of(T0.plus(Duration.ofSeconds(10)).plus(Duration.ofMinutes(5))),
                throttle.blockedUntil("mei", "10.9.9.9"), "the second failure is now the oldest of five");
    }

    @Test
    void fiveFailuresFromAnAddressBlockEveryNameFromIt() {
        for (String name : new String[] {"a", "b", "c", "d", "e"}) {
            throttle.failed(name, "127.0.0.1");
        }
        assertTrue(throttle.blockedUntil("f", "127.0.0.1").isPresent(), "guessing names from one address is blocked");
        assertEquals(Optional.empty(), throttle.blockedUntil("f", "127.0.0.2"));
    }
}
