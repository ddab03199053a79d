package io.mailroute.gmail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Spends a mailbox's Gmail quota budget evenly, with {@value #HEADROOM_PERCENT}% held back: a call
 * costing n units may start n × 1.1 / budget seconds after the previous one. Gmail counts units per
 * rolling second by when calls arrive, and arrivals jitter (a GC pause between reserving and
 * sending, a slow connection): spacing calls for a 1.1 s window keeps any one second at the budget
 * or under it once the budget holds a dozen calls (50 units of messages.get), where pacing at the
 * full rate drew 429s (3 in the benchmark's quota run). Costs are Gmail's published units
 * (messages.get 5, history.list 2, ...).
 */
public final class QuotaPacer {

    public static final int GET_PROFILE = 1;
    public static final int HISTORY_LIST = 2;
    public static final int MESSAGES_LIST = 5;
    public static final int MESSAGES_GET = 5;
    public static final int MESSAGES_MODIFY = 5;
    public static final int LABELS = 5;

    /** Share of the budget held back for jitter in when calls reach Gmail. */
    static final int HEADROOM_PERCENT = 10;

    private final double nanosPerUnit;
    private long nextFreeNanos = Long.MIN_VALUE;

    public QuotaPacer(int unitsPerSecond) {
        if (unitsPerSecond <= 0) {
            throw new IllegalArgumentException("unitsPerSecond must be positive");
        }
        this.nanosPerUnit = 1_000_000_000d * (100 + HEADROOM_PERCENT) / 100 / unitsPerSecond;
    }

    /** Reserves the units and returns how long the caller must wait before spending them. */
    public synchronized long reserveNanos(int units, long nowNanos) {
        long start = Math.max(nextFreeNanos, nowNanos);
        nextFreeNanos = start + Math.round(units * nanosPerUnit);
        return start - nowNanos;
    }

    /** Blocks until the units may be spent. */
    public void acquire(int units) {
        long wait = reserveNanos(units, System.nanoTime());
        long deadline = System.nanoTime() + wait;
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                return;
            }
            wait = deadline - System.nanoTime();
        }
    }

    /** The rate actually spent: the budget less the headroom. */
    public double unitsPerSecond() {
        return TimeUnit.SECONDS.toNanos(1) / nanosPerUnit;
    }
}
