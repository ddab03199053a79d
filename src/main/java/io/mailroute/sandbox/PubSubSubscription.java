package io.mailroute.sandbox;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One subscription's messages: those ready to deliver and those leased to a subscriber until their ack deadline.
 * A lease that runs out (or is given back with deadline 0) makes the message ready again, delivered next with a
 * new ack id and {@code deliveryAttempt} one higher. A waiting pull wakes at once when a message becomes ready.
 */
final class PubSubSubscription {

    /** Where and how a push subscription delivers; null endpoint for a pull subscription. */
    record PushConfig(String pushEndpoint, String serviceAccountEmail, String audience) {
    }

    /** A delivery: what a pull answers with, or a push POSTs. */
    record Received(String ackId, PubSubMessage message, int deliveryAttempt) {
    }

    private record Ready(PubSubMessage message, int attempt) {
    }

    private record Lease(PubSubMessage message, int attempt, long deadlineMillis) {
    }

    private final String name;
    private final String project;
    private final int ackDeadlineSeconds;
    private final PushConfig pushConfig;
    private final Clock clock;
    private final PubSubCounters counters;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Ready> ready = new ArrayDeque<>();
    private final Map<String, Lease> leased = new LinkedHashMap<>();
    private volatile String topic;
    private boolean deleted;
    private int waitingPulls;

    PubSubSubscription(String name, String topic, int ackDeadlineSeconds, PushConfig pushConfig, Clock clock,
            PubSubCounters counters) {
        this.name = name;
        this.project = name.substring("projects/".length(), name.indexOf("/subscriptions/"));
        this.topic = topic;
        this.ackDeadlineSeconds = ackDeadlineSeconds;
        this.pushConfig = pushConfig;
        this.clock = clock;
        this.counters = counters;
    }

    String name() {
        return name;
    }

    String topic() {
        return topic;
    }

    /** Google keeps a subscription whose topic is deleted, naming its topic {@code _deleted-topic_}. */
    void detachFromTopic() {
        topic = "_deleted-topic_";
    }

    int ackDeadlineSeconds() {
        return ackDeadlineSeconds;
    }

    PushConfig pushConfig() {
        return pushConfig;
    }

    String project() {
        return project;
    }

    void enqueue(PubSubMessage message) {
        lock.lock();
        try {
            ready.addLast(new Ready(message, 1));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code max} ready messages, leased for the ack deadline; waits up to {@code waitMillis} for one when
     * none is ready (0: answers at once). Empty when the wait ran out or the subscription was deleted.
     */
    List<Received> pull(int max, long waitMillis) throws InterruptedException {
        long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        lock.lock();
        try {
            while (true) {
                if (deleted) {
                    return List.of();
                }
                reclaimExpiredLeases();
                if (!ready.isEmpty()) {
                    return lease(max);
                }
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                waitingPulls++;
                try {
                    changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(untilNextLeaseExpires())));
                } finally {
                    waitingPulls--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return how many of the ack ids were leased (others are unknown or already expired, and ignored as by Google) */
    int acknowledge(List<String> ackIds) {
        lock.lock();
        try {
            int acked = 0;
            for (String ackId : ackIds) {
                if (leased.remove(ackId) != null) {
                    acked++;
                }
            }
            counters.acked.addAndGet(acked);
            return acked;
        } finally {
            lock.unlock();
        }
    }

    /** A new deadline from now for each leased message; 0 gives them back for redelivery at once. */
    void modifyAckDeadline(List<String> ackIds, long deadlineMillis) {
        lock.lock();
        try {
            long deadline = clock.millis() + deadlineMillis;
            for (String ackId : ackIds) {
                Lease lease = leased.get(ackId);
                if (lease != null) {
                    leased.put(ackId, new Lease(lease.message(), lease.attempt(), deadline));
                }
            }
            reclaimExpiredLeases();
            changed.signalAll(); // waiting pulls recompute when the next lease runs out
        } finally {
            lock.unlock();
        }
    }

    boolean isDeleted() {
        lock.lock();
        try {
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiting pulls, which then answer empty: the subscription is gone. */
    void delete() {
        lock.lock();
        try {
            deleted = true;
            ready.clear();
            leased.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Messages ready or leased: not yet acknowledged. */
    int unacknowledged() {
        lock.lock();
        try {
            return ready.size() + leased.size();
        } finally {
            lock.unlock();
        }
    }

    /** Pulls held open right now, waiting for a message. */
    int waitingPulls() {
        lock.lock();
        try {
            return waitingPulls;
        } finally {
            lock.unlock();
        }
    }

    private List<Received> lease(int max) {
        List<Received> out = new ArrayList<>();
        long deadline = clock.millis() + TimeUnit.SECONDS.toMillis(ackDeadlineSeconds);
        while (!ready.isEmpty() && out.size() < max) {
            Ready next = ready.removeFirst();
            String ackId = UUID.randomUUID().toString();
            leased.put(ackId, new Lease(next.message(), next.attempt(), deadline));
            out.add(new Received(ackId, next.message(), next.attempt()));
            counters.delivered.incrementAndGet();
            if (next.attempt() > 1) {
                counters.redelivered.incrementAndGet();
            }
        }
        return out;
    }

    /** Leases past their deadline go back to the front, in the order they were leased. */
    private void reclaimExpiredLeases() {
        long now = clock.millis();
        List<Ready> expired = new ArrayList<>();
        for (Iterator<Lease> it = leased.values().iterator(); it.hasNext();) {
            Lease lease = it.next();
            if (lease.deadlineMillis() <= now) {
                it.remove();
                expired.add(new Ready(lease.message(), lease.attempt() + 1));
            }
        }
        for (int i = expired.size() - 1; i >= 0; i--) {
            ready.addFirst(expired.get(i));
        }
    }

    private long untilNextLeaseExpires() {
        long now = clock.millis();
        return leased.values().stream().mapToLong(l -> Math.max(1, l.deadlineMillis() - now)).min()
                .orElse(Long.MAX_VALUE / 2_000_000);
    }
}
