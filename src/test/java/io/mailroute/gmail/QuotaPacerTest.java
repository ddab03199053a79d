package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QuotaPacerTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void spacesCallsByTheirCostAtTheBudgetRate() {
        QuotaPacer pacer = new QuotaPacer(50); // 50 units/s: a 5-unit call every 100 ms
        long t0 = 1_000 * SECOND;
        assertEquals(0, pacer.reserveNanos(5, t0));
        assertEquals(SECOND / 10, pacer.reserveNanos(5, t0));
        assertEquals(2 * SECOND / 10, pacer.reserveNanos(5, t0));
    }

    @Test
    void idleTimeIsNotSavedUpIntoABurst() {
        QuotaPacer pacer = new QuotaPacer(10);
        long t0 = 1_000 * SECOND;
        pacer.reserveNanos(5, t0);
        // a minute later the next call goes at once, but the one after it still waits its share
        assertEquals(0, pacer.reserveNanos(5, t0 + 60 * SECOND));
        assertEquals(SECOND / 2, pacer.reserveNanos(5, t0 + 60 * SECOND));
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
