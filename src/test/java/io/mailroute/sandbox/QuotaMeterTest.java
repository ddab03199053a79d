package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class QuotaMeterTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);

    @Test
    void admitsUpToTheLimitWithinOneSecondThenRefuses() {
        QuotaMeter meter = new QuotaMeter(250, clock::get);
        for (int i = 0; i < 10; i++) {
            assertTrue(meter.tryAcquire("a", 25), "call " + i);
        }
        assertFalse(meter.tryAcquire("a", 1));
        assertEquals(250, meter.unitsUsed("a"));
    }

    @Test
    void refusedCallsCostNothing() {
        QuotaMeter meter = new QuotaMeter(10, clock::get);
        assertTrue(meter.tryAcquire("a", 5));
        assertFalse(meter.tryAcquire("a", 6));
        assertTrue(meter.tryAcquire("a", 5), "the refused 6 units were not charged");
        assertEquals(10, meter.unitsUsed("a"));
    }

    @Test
    void theWindowRollsSpendByAgeNotByCalendarSecond() {
        QuotaMeter meter = new QuotaMeter(10, clock::get);
        assertTrue(meter.tryAcquire("a", 6));
        clock.addAndGet(600 * MS);
        assertTrue(meter.tryAcquire("a", 4));
        clock.addAndGet(300 * MS); // 900 ms after the first spend: all 10 units still in the window
        assertFalse(meter.tryAcquire("a", 1));
        clock.addAndGet(100 * MS); // the first spend (6) is now a second old and leaves the window
        assertTrue(meter.tryAcquire("a", 6));
        assertFalse(meter.tryAcquire("a", 1));
    }

    @Test
    void usersHaveSeparateWindows() {
        QuotaMeter meter = new QuotaMeter(5, clock::get);
        assertTrue(meter.tryAcquire("a", 5));
        assertFalse(meter.tryAcquire("a", 5));
        assertTrue(meter.tryAcquire("b", 5));
    }

    @Test
    void zeroMeansUnlimitedButStillCounts() {
        QuotaMeter meter = new QuotaMeter(0, clock::get);
        for (int i = 0; i < 100; i++) {
            assertTrue(meter.tryAcquire("a", 100));
        }
        assertEquals(10_000, meter.unitsUsed("a"));
        meter.setUnitsPerSecond(50);
        assertFalse(meter.tryAcquire("a", 1), "the last second's 10,000 units count against the new limit");
    }
}
