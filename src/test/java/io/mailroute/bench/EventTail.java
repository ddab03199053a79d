package io.mailroute.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.it.ServiceProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Follows one event type through the service's API ({@code /api/events?type=&after=}), fetching each
 * event once. Commit times are the events' own {@code occurredAt} (stamped inside the committing
 * transaction, on this machine's clock), so how often the tail polls does not change a figure.
 */
final class EventTail {

    private final ServiceProcess service;
    private final String type;
    private long afterSeq;
    private int count;
    private Instant first;
    private Instant last;
    private final Map<String, Instant> byToken = new HashMap<>();
    private final List<Instant> window = new ArrayList<>();

    EventTail(ServiceProcess service, String type) {
        this.service = service;
        this.type = type;
    }

    /** Reads what is new; returns the count so far. */
    int poll() {
        while (true) {
            JsonNode page = service.api("/api/events?type=" + type + "&limit=500&after=" + afterSeq);
            for (JsonNode event : page.get("items")) {
                afterSeq = event.get("seq").asLong();
                Instant at = Instant.parse(event.get("occurredAt").asText());
                first = first == null || at.isBefore(first) ? at : first;
                last = last == null || at.isAfter(last) ? at : last;
                count++;
                window.add(at);
                String token = MailMix.tokenIn(event.path("data").path("subject").asText(null));
                if (token != null) {
                    byToken.putIfAbsent(token, at);
                }
            }
            if (page.get("next").isNull()) {
                return count;
            }
        }
    }

    /** Forgets the commit times seen so far (not the count): {@link #first} and {@link #last} cover what comes next. */
    void startWindow() {
        first = null;
        last = null;
        window.clear();
    }

    /** Commit time of the {@code n}-th event (1-based, in commit order) since {@link #startWindow}, or null. */
    Instant nth(int n) {
        return n < 1 || n > window.size() ? null : window.stream().sorted().skip(n - 1).findFirst().orElse(null);
    }

    int count() {
        return count;
    }

    /** Commit time of the earliest event seen, or null. */
    Instant first() {
        return first;
    }

    /** Commit time of the latest event seen, or null. */
    Instant last() {
        return last;
    }

    /** Commit time of the event of each benchmark message, by its token (from the subject). */
    Map<String, Instant> byToken() {
        return byToken;
    }

    /**
     * Polls the tails until {@code done} holds or none of them has moved for {@code stall}. Returns
     * whether it got done: a benchmark reports an incomplete run, it does not fail on one.
     */
    static boolean await(List<EventTail> tails, BooleanSupplier done, Duration stall) {
        long lastProgress = System.nanoTime();
        int seen = -1;
        while (true) {
            int total = 0;
            for (EventTail tail : tails) {
                total += tail.poll();
            }
            if (done.getAsBoolean()) {
                return true;
            }
            if (total != seen) {
                seen = total;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > stall.toNanos()) {
                return false;
            }
            SandboxProcess.sleep(500);
        }
    }
}
