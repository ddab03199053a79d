package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gmail's {@code users.watch} / {@code users.stop}: which mailbox notifies which Pub/Sub topic, for which labels,
 * until when; and, told of each new history record ({@link HistoryLog.Listener}), which records become a
 * notification {@code {"emailAddress","historyId"}}. A watch lasts 7 days, as at Gmail, unless the admin API
 * sets a shorter lifetime for tests.
 */
final class GmailWatches implements HistoryLog.Listener {

    static final Duration DEFAULT_LIFETIME = Duration.ofDays(7);

    /** One mailbox's watch. @param include true: only changes touching {@code labelIds}; false: all but those */
    record Watch(String address, String topicName, List<String> labelIds, boolean include, Instant expiration) {

        boolean matches(HistoryLog.Record change) {
            if (labelIds.isEmpty()) {
                return true;
            }
            boolean touches = change.messageLabels().stream().anyMatch(labelIds::contains)
                    || change.changedLabels().stream().anyMatch(labelIds::contains);
            return include == touches;
        }
    }

    private final Clock clock;
    private final PubSubSandbox pubSub;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> watchCalls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> stopCalls = new ConcurrentHashMap<>();
    private volatile Duration lifetime = DEFAULT_LIFETIME;

    GmailWatches(Clock clock, PubSubSandbox pubSub) {
        this.clock = clock;
        this.pubSub = pubSub;
    }

    /** {@code users.watch}: replaces the mailbox's watch; answers {@code {"historyId","expiration"}}. */
    ObjectNode watch(SandboxMailbox mailbox, JsonNode request) {
        String key = SandboxMailStore.key(mailbox.address());
        watchCalls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        String topicName = request.path("topicName").asText("");
        if (topicName.isEmpty()) {
            throw GmailErrors.invalidArgument("Invalid topicName: topicName is required");
        }
        if (!topicName.matches("projects/[^/]+/topics/[^/]+")) {
            throw GmailErrors.invalidArgument("Invalid topicName does not match projects/PROJECT/topics/*");
        }
        if (!pubSub.topicExists(topicName)) {
            throw new GmailApiException(404, "notFound", "global", "Resource not found (resource="
                    + topicName.substring(topicName.lastIndexOf('/') + 1) + ").", Map.of());
        }
        List<String> labelIds = new ArrayList<>();
        request.path("labelIds").forEach(l -> labelIds.add(l.asText()));
        // labelFilterBehavior, or its deprecated twin labelFilterAction; include when neither is given
        String behavior = request.path("labelFilterBehavior").asText(request.path("labelFilterAction").asText("include"));
        boolean include = switch (behavior.toLowerCase(Locale.ROOT)) {
            case "include", "" -> true;
            case "exclude" -> false;
            default -> throw GmailErrors.invalidArgument("Invalid labelFilterBehavior: " + behavior);
        };
        Instant expiration = clock.instant().plus(lifetime);
        // the history id first: a change after it is notified, none before it is lost between the two
        long historyId = mailbox.historyId();
        watches.put(key, new Watch(mailbox.address(), topicName, List.copyOf(labelIds), include, expiration));
        return HttpExchanges.JSON.createObjectNode()
                .put("historyId", Long.toString(historyId))
                .put("expiration", Long.toString(expiration.toEpochMilli()));
    }

    /** {@code users.stop}: no more notifications for the mailbox. */
    void stop(SandboxMailbox mailbox) {
        String key = SandboxMailStore.key(mailbox.address());
        stopCalls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        watches.remove(key);
    }

    /** How long watches made from now on last. */
    void setLifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("watch lifetime must be positive, was " + lifetime);
        }
        this.lifetime = lifetime;
    }

    Duration lifetime() {
        return lifetime;
    }

    @Override
    public void recorded(String address, HistoryLog.Record change) {
        Watch watch = watches.get(SandboxMailStore.key(address));
        if (watch != null && clock.instant().isBefore(watch.expiration()) && watch.matches(change)) {
            pubSub.notifyGmailChange(watch.topicName(), watch.address(), change.id());
        }
    }

    /** The current watches (expired ones included until replaced or stopped), by address. */
    List<Watch> watches() {
        List<Watch> out = new ArrayList<>(watches.values());
        out.sort((a, b) -> a.address().compareToIgnoreCase(b.address()));
        return Collections.unmodifiableList(out);
    }

    Map<String, PubSubSandbox.UserCalls> calls() {
        Map<String, PubSubSandbox.UserCalls> out = new TreeMap<>();
        watchCalls.keySet().forEach(k -> out.put(k, null));
        stopCalls.keySet().forEach(k -> out.put(k, null));
        out.replaceAll((k, v) -> new PubSubSandbox.UserCalls(count(watchCalls, k), count(stopCalls, k)));
        return out;
    }

    private static int count(Map<String, AtomicInteger> calls, String key) {
        AtomicInteger n = calls.get(key);
        return n == null ? 0 : n.get();
    }
}
