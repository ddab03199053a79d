package io.mailroute.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Gmail's per-user rate limit: quota units spent in a rolling one-second window. A call that would
 * take the user over the limit is refused and costs nothing, as with Gmail.
 */
final class QuotaMeter {

    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final LongSupplier nanoClock;
    private final Map<String, UserWindow> windows = new ConcurrentHashMap<>();
    private volatile int unitsPerSecond;

    QuotaMeter(int unitsPerSecond) {
        this(unitsPerSecond, System::nanoTime);
    }

    QuotaMeter(int unitsPerSecond, LongSupplier nanoClock) {
        setUnitsPerSecond(unitsPerSecond);
        this.nanoClock = nanoClock;
    }

    /** @param units 0 means unlimited */
    void setUnitsPerSecond(int units) {
        if (units < 0) {
            throw new IllegalArgumentException("unitsPerSecond must be >= 0, was " + units);
        }
        this.unitsPerSecond = units;
    }

    int unitsPerSecond() {
        return unitsPerSecond;
    }

    /** Charges {@code units} to {@code user} if the rolling window allows it; false means answer 429. */
    boolean tryAcquire(String user, int units) {
        return windows.computeIfAbsent(user, u -> new UserWindow()).tryAcquire(units, unitsPerSecond, nanoClock.getAsLong());
    }

    /** All units charged to the user since start, whatever the limit. */
    long unitsUsed(String user) {
        UserWindow window = windows.get(user);
        return window == null ? 0 : window.total();
    }

    private static final class UserWindow {
        private final Deque<long[]> spends = new ArrayDeque<>(); // {nanoTime, units}
        private long inWindow;
        private long total;

        synchronized boolean tryAcquire(int units, int limit, long now) {
            while (!spends.isEmpty() && now - spends.peekFirst()[0] >= WINDOW_NANOS) {
                inWindow -= spends.pollFirst()[1];
            }
            if (limit > 0 && inWindow + units > limit) {
                return false;
            }
            spends.addLast(new long[] {now, units});
            inWindow += units;
            total += units;
            return true;
        }

        synchronized long total() {
            return total;
        }
    }
}
