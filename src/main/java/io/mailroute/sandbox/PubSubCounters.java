package io.mailroute.sandbox;

import java.util.concurrent.atomic.AtomicLong;

/** What the sandbox's Pub/Sub did since it started, for {@code GET /sandbox/admin/pubsub/stats}. */
final class PubSubCounters {

    /** Messages accepted onto a topic (Gmail notifications and {@code topics.publish}). */
    final AtomicLong published = new AtomicLong();
    /** Gmail notifications the fault switch dropped. */
    final AtomicLong dropped = new AtomicLong();
    /** Gmail notifications for a topic that no longer exists. */
    final AtomicLong droppedUnknownTopic = new AtomicLong();
    /** Deliveries: a message handed to a pull or POSTed to a push endpoint (redeliveries included). */
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    /** Deliveries after the first of the same message. */
    final AtomicLong redelivered = new AtomicLong();
}
