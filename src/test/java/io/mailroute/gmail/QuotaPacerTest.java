package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QuotaPacerTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void spacesCallsByTheirCostAtTheBudgetRateLessTheHeadroom() {
        QuotaPacer pacer = new QuotaPacer(50); // 50 units/s less 10 %: a 5-unit call every 110 ms
        long t0 = 1_000 * SECOND;
        assertEquals(0, pacer.reserveNanos(5, t0));
        assertEquals(110_000_000L, pacer.reserveNanos(5, t0));
        assertEquals(220_000_000L, pacer.reserveNanos(5, t0));
    }

    @Test
    void idleTimeIsNotSavedUpIntoABurst() {
        QuotaPacer pacer = new QuotaPacer(10);
        long t0 = 1_000 * SECOND;
        pacer.reserveNanos(5, t0);
        // a minute later the next call goes at once, but the one after it still waits its share
        assertEquals(0, pacer.reserveNanos(5, t0 + 60 * SECOND));
        assertEquals(550_000_000L, pacer.reserveNanos(5, t0 + 60 * SECOND));
    }

    /** Gmail's budget (250 units/s) paced by one mailbox, with every call reaching Gmail up to 80 ms late. */
    @Test
    void noOneSecondWindowOfArrivalsHoldsMoreThanTheBudgetDespiteJitter() {
        int budget = 250;
        QuotaPacer pacer = new QuotaPacer(budget);
        long t0 = 1_000 * SECOND;
        java.util.Random jitter = new java.util.Random(7);
        long[] arrivals = new long[2000];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = t0 + pacer.reserveNanos(5, t0) + jitter.nextInt(80_000_000);
        }
        java.util.Arrays.sort(arrivals);
        for (int i = 0; i < arrivals.length; i++) {
            int units = 0;
            for (long arrival : arrivals) {
                if (arrival > arrivals[i] - SECOND && arrival <= arrivals[i]) {
                    units += 5;
                }
            }
            assertEquals(true, units <= budget, "the second up to arrival " + i + " spent " + units);
        }
    }

    @Test
    void noOneSecondWindowHoldsMoreThanTheBudgetPlusOneCall() {
        int budget = 50;
        QuotaPacer pacer = new QuotaPacer(budget);
        long t0 = 1_000 * SECOND;
        long[] starts = new long[200];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = t0 + pacer.reserveNanos(5, t0);
        }
        for (int i = 0; i < starts.length; i++) {
            int units = 0;
            for (long start : starts) {
                if (start >= starts[i] && start < starts[i] + SECOND) {
                    units += 5;
                }
            }
            assertEquals(true, units <= budget + 5, "window at call " + i + " spent " + units);
        }
    }
}
