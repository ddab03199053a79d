package io.mailroute.gmail;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Spends a mailbox's whole Gmail quota budget, and never more, the way Gmail counts it: units per rolling
 * second by when each call reaches Gmail. Gmail charges a call somewhere between its sending and its answer,
 * so a call counts here from when it is let go until one second after its answer came (an unanswered one
 * counts until it is answered, or {@value #UNANSWERED_SECONDS} s at most). Whatever Gmail counted in the
 * second before a new call was also counted here, however late the calls travelled: no 429 for being early,
 * and no share of the budget held back for jitter. Calls go as soon as they fit: a burst up to the budget
 * goes at once. A call Gmail refused as unauthorized (401: charged nothing) gives its units back.
 *
 * <p>Costs are Gmail's published units per method ({@link GmailCallUnits}).
 */
public final class QuotaPacer {

    /** Gmail's window, with a millisecond for clock granularity. */
    static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(1001);
    static final int UNANSWERED_SECONDS = 60;
    private static final long UNANSWERED_NANOS = TimeUnit.SECONDS.toNanos(UNANSWERED_SECONDS);

    /** One call's units: counted from its start until a window after its answer. */
    public final class Spend {
        private final long start;
        private int units;
        private long answered = Long.MAX_VALUE;

        private Spend(long start, int units) {
            this.start = start;
            this.units = units;
        }

        /** The call is over (answered, or failed on the way): its units leave the window a second from now. */
        public void answered() {
            synchronized (QuotaPacer.this) {
                answered = Math.min(answered, nanoClock.getAsLong());
                QuotaPacer.this.notifyAll();
            }
        }

        /** Gmail charged nothing for the call (401): its units are free again. */
        public void release() {
            synchronized (QuotaPacer.this) {
                units = 0;
                QuotaPacer.this.notifyAll();
            }
        }

        int units() {
            synchronized (QuotaPacer.this) {
                return units;
            }
        }

        long leavesAt() {
            return Math.min(answered, start + UNANSWERED_NANOS) + WINDOW_NANOS;
        }
    }

    private final int unitsPerSecond;
    private final LongSupplier nanoClock;
    private final Deque<Spend> window = new ArrayDeque<>();

    public QuotaPacer(int unitsPerSecond) {
        this(unitsPerSecond, System::nanoTime);
    }

    QuotaPacer(int unitsPerSecond, LongSupplier nanoClock) {
        if (unitsPerSecond <= 0) {
            throw new IllegalArgumentException("unitsPerSecond must be positive");
        }
        this.unitsPerSecond = unitsPerSecond;
        this.nanoClock = nanoClock;
    }

    /**
     * Blocks until the call's units fit in the budget, then counts them from now. A call costing more than the
     * whole budget goes alone. Interrupted, it goes at once (the interrupt flag kept) so the caller can stop.
     */
    public Spend acquire(int units) {
        synchronized (this) {
            while (true) {
                long now = nanoClock.getAsLong();
                long wait = waitNanos(units, now);
                if (wait == 0 || Thread.currentThread().isInterrupted()) {
                    return spend(units, now);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Counts the units from now without waiting (for tests and callers that waited already). */
    synchronized Spend spend(int units, long now) {
        Spend spend = new Spend(now, units);
        window.addLast(spend);
        return spend;
    }

    /** How long a call of {@code units} must wait at {@code now}: 0 when it fits, else until the next units leave. */
    synchronized long waitNanos(int units, long now) {
        window.removeIf(s -> s.leavesAt() <= now || s.units == 0);
        long counted = 0;
        long nextLeave = Long.MAX_VALUE;
        for (Spend s : window) {
            counted += s.units;
            nextLeave = Math.min(nextLeave, s.leavesAt());
        }
        if (window.isEmpty() || counted + units <= unitsPerSecond) {
            return 0;
        }
        return nextLeave - now;
    }

    /** Units counted in the window at {@code now}. */
    synchronized long unitsInWindow(long now) {
        waitNanos(0, now);
        return window.stream().mapToLong(s -> s.units).sum();
    }

    public int unitsPerSecond() {
        return unitsPerSecond;
    }
}
