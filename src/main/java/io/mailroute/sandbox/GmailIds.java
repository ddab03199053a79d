package io.mailroute.sandbox;

import java.util.concurrent.atomic.AtomicLong;

/** Gmail-like message ids: 16 lowercase hex digits, time-based and strictly increasing across the sandbox. */
final class GmailIds {

    private final AtomicLong last = new AtomicLong();

    /** Ids made from now on sort after {@code id} (one kept from before a restart). */
    void continueAfter(String id) {
        long kept = Long.parseUnsignedLong(id, 16);
        last.accumulateAndGet(kept, Math::max);
    }

    String next() {
        long candidate = System.currentTimeMillis() << 20;
        long id = last.updateAndGet(prev -> Math.max(prev + 1, candidate));
        return String.format("%016x", id);
    }
}
