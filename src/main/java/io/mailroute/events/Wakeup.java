package io.mailroute.events;

import java.util.concurrent.TimeUnit;

/**
 * Wakes one polling loop early: a wake-up that arrives while the loop is busy is kept (once), so a burst of them
 * means one more poll, never one each, and never a poll running twice at once (the loop polls on its own thread).
 * The loop also learns when it must look again at the latest ({@link #wakeWithin}), e.g. when a young gap in the
 * outbox will count as settled.
 */
public final class Wakeup {

    private boolean woken;
    private long dueBy = Long.MAX_VALUE;

    /** Asks the loop to poll once more, now (or as soon as its current poll ends). */
    public synchronized void wake() {
        woken = true;
        notifyAll();
    }

    /** Asks the loop to poll again within {@code millis}, unless it is woken or due earlier anyway. */
    public synchronized void wakeWithin(long millis) {
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
        if (dueBy == Long.MAX_VALUE || at - dueBy < 0) {
            dueBy = at;
            notifyAll();
        }
    }

    /**
     * Waits until woken, or until {@code maxMillis} passed, or until a {@link #wakeWithin} time came, whichever is
     * first; then forgets the wake-up it consumed.
     *
     * @return true when woken early rather than after {@code maxMillis}
     */
    public synchronized boolean await(long maxMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, maxMillis));
        while (!woken) {
            long until = dueBy != Long.MAX_VALUE && dueBy - end < 0 ? dueBy : end;
            long left = until - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        boolean early = woken || (dueBy != Long.MAX_VALUE && dueBy - end < 0);
        woken = false;
        dueBy = Long.MAX_VALUE;
        return early;
    }
}
