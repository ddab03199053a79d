package io.mailroute.console.signin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed sign-ins, counted per user name and per client address: after {@code limit} failures within {@code window}
 * for either, sign-in is refused (429) until the oldest of them is out of the window, whatever the password. Kept in
 * memory, per instance: a restart forgets them, and instances behind a load balancer each count their own.
 */
public final class SignInThrottle {

    private static final int MAX_KEYS = 100_000;

    private final Clock clock;
    private final int limit;
    private final Duration window;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public SignInThrottle(Clock clock, int limit, Duration window) {
        if (limit < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a sign-in limit is 1 or more attempts in a positive window; got " + limit
                    + " in " + window);
        }
        this.clock = clock;
        this.limit = limit;
        this.window = window;
    }

    /** When sign-in may be tried again for this name from this address; empty when it may now. */
    public Optional<Instant> blockedUntil(String name, String address) {
        Instant now = clock.instant();
        Optional<Instant> byName = until(nameKey(name), now);
        Optional<Instant> byAddress = until(addressKey(address), now);
        if (byName.isPresent() && byAddress.isPresent()) {
            return Optional.of(byName.get().isAfter(byAddress.get()) ? byName.get() : byAddress.get());
        }
        return byName.isPresent() ? byName : byAddress;
    }

    /** A wrong name or password, for this name from this address. */
    public void failed(String name, String address) {
        Instant now = clock.instant();
        if (failures.size() > MAX_KEYS) {
            failures.entrySet().removeIf(e -> prune(e.getValue(), now));
        }
        record(nameKey(name), now);
        record(addressKey(address), now);
    }

    private void record(String key, Instant now) {
        failures.compute(key, (k, times) -> {
            Deque<Instant> list = times == null ? new ArrayDeque<>() : times;
            prune(list, now);
            list.addLast(now);
            while (list.size() > limit) {
                list.removeFirst();
            }
            return list;
        });
    }

    private Optional<Instant> until(String key, Instant now) {
        Instant[] blocked = new Instant[1];
        failures.computeIfPresent(key, (k, times) -> {
            if (prune(times, now)) {
                return null;
            }
            if (times.size() >= limit) {
                blocked[0] = times.peekFirst().plus(window);
            }
            return times;
        });
        return Optional.ofNullable(blocked[0]);
    }

    /** Drops failures out of the window; true when none is left. */
    private boolean prune(Deque<Instant> times, Instant now) {
        synchronized (times) {
            while (!times.isEmpty() && !times.peekFirst().plus(window).isAfter(now)) {
                times.removeFirst();
            }
            return times.isEmpty();
        }
    }

    private static String nameKey(String name) {
        return "name:" + (name == null ? "" : name.trim().toLowerCase(Locale.ROOT));
    }

    private static String addressKey(String address) {
        return "address:" + (address == null ? "" : address);
    }
}
