package io.mailroute.sandbox;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Requests per user and method and 429s sent, for {@link SandboxStats}. */
final class UsageCounters {

    private final Map<String, Map<String, LongAdder>> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rateLimited = new ConcurrentHashMap<>();

    void request(String user, GmailMethod method) {
        requests.computeIfAbsent(SandboxMailStore.key(user), u -> new ConcurrentHashMap<>())
                .computeIfAbsent(method.apiName(), m -> new LongAdder()).increment();
    }

    void countRateLimited(String user) {
        rateLimited.computeIfAbsent(SandboxMailStore.key(user), u -> new LongAdder()).increment();
    }

    Map<String, Long> requests(String user) {
        Map<String, Long> out = new TreeMap<>();
        requests.getOrDefault(SandboxMailStore.key(user), Map.of()).forEach((m, n) -> out.put(m, n.sum()));
        return out;
    }

    long rateLimitedCount(String user) {
        LongAdder n = rateLimited.get(SandboxMailStore.key(user));
        return n == null ? 0 : n.sum();
    }
}
