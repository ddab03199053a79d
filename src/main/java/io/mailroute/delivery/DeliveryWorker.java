package io.mailroute.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.config.ConfigException;
import io.mailroute.db.Database;
import io.mailroute.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the delivery table: claims what is due, sends it by its channel, and records the outcome.
 * Retries back off with jitter (never sooner than a provider's Retry-After); permanent failures
 * are not retried; a channel with a fallback hands the delivery to the fallback channel once it
 * failed {@code afterAttempts} times or for {@code after}, or failed for good.
 */
public final class DeliveryWorker {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final String EVENT = "SELECT payload FROM workflow_event WHERE id = :id";
    /** Claimed at a time, all with one lease: few, so that the last of them is not sent long after its claim. */
    static final int BATCH = 10;

    private final ChannelsConfig config;
    private final DeliveryStore store;
    private final Map<String, PushSender> pushSenders;
    private final EmailTransport email;
    private final NotificationFactory notifications;
    private final Database db;
    private final ObjectMapper json;
    private final Clock clock;
    private final Backoff backoff;
    private final Duration lease;
    private io.mailroute.events.EventLog events;
    private String node;
    private Sent sent = (delivery, at) -> { };

    /** Told of each delivery that went (SENT or DELIVERED), in the transaction that records it (escalation's timers). */
    @FunctionalInterface
    public interface Sent {
        /** Joins the recording transaction; throwing rolls back only its own work (logged), never the outcome. */
        void sent(Delivery delivery, Instant at);
    }

    /**
     * @param lease how long a claimed delivery is this worker's; past it (the worker died mid-send) it is
     *     due again. Longer than a send can take (HTTP timeout plus quota wait).
     */
    public DeliveryWorker(ChannelsConfig config, DeliveryStore store, Map<String, PushSender> pushSenders, EmailTransport email,
            NotificationFactory notifications, Database db, ObjectMapper json, Clock clock, Backoff backoff, Duration lease) {
        this.config = config;
        this.store = store;
        this.pushSenders = pushSenders;
        this.email = email;
        this.notifications = notifications;
        this.db = db;
        this.json = json;
        this.clock = clock;
        this.backoff = backoff;
        this.lease = lease;
    }

    /** Where a delivery that failed on every channel is reported ({@code delivery.failed}, for alerting). */
    public DeliveryWorker reportingTo(io.mailroute.events.EventLog eventLog) {
        this.events = eventLog;
        return this;
    }

    /** Who is told, in its transaction, when a delivery went; one listener. */
    public DeliveryWorker whenSent(Sent listener) {
        this.sent = java.util.Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** This instance's node id, recorded as {@code claimed_by} of each delivery it claims. */
    public DeliveryWorker onNode(String nodeId) {
        this.node = nodeId;
        return this;
    }

    /**
     * Claims what is due and sends it one by one. Before each send the claim is renewed, and a delivery whose lease
     * ran out during the sends before it and that another worker claimed since is skipped: that worker sends it.
     *
     * @return how many deliveries were attempted; none while the database is closed, since nothing could be
     *     recorded (a delivery whose outcome could not be recorded is due again when its lease runs out)
     */
    public int runOnce() throws InterruptedException {
        return db.unlessClosed(0, () -> {
            Instant now = clock.instant();
            int attempted = 0;
            List<Delivery> claimed = store.claimDue(now, now.plus(lease), BATCH, node);
            if (claimed.size() == BATCH) {
                store.due().wake(); // a full batch: more may be due, so the worker's loop goes round again at once
            }
            for (Delivery delivery : claimed) {
                if (!store.renew(delivery, clock.instant().plus(lease))) {
                    LOG.warn("Delivery {}: lost its claim before its send (lease expired, another worker has it); skipped",
                            delivery.id());
                    continue;
                }
                record(delivery, attempt(delivery));
                attempted++;
            }
            return attempted;
        });
    }

    SendResult attempt(Delivery delivery) throws InterruptedException {
        ChannelsConfig.Channel channel = config.channels().get(delivery.channel());
        if (channel == null) {
            return SendResult.failed("channel '" + delivery.channel() + "' is no longer in config/channels.yaml");
        }
        try {
            // inside the try: a feature's link or text that cannot be made fails this delivery, not the worker's batch
            Notification notification = notifications.from(delivery, event(delivery));
            if (channel.isEmail()) {
                return email.send(delivery, notification, channel);
            }
            PushSender sender = pushSenders.get(channel.name());
            if (sender == null) {
                return SendResult.failed("no sender for channel '" + channel.name() + "' (type " + channel.type() + ")");
            }
            if (store.targetActive(channel.name(), delivery.address()).filter(active -> !active).isPresent()) {
                return SendResult.targetGone("push target was disabled earlier");
            }
            PushTarget target;
            try {
                target = store.targetFor(delivery.recipient(), channel.name(), delivery.address());
            } catch (ConfigException e) {
                return SendResult.failed(e.getMessage()); // its keys cannot be opened: which key or row, and what to do
            }
            Optional<PushTargetRules.Problem> problem = PushTargetRules.problem(channel.type(), target.address(), target.keys());
            if (problem.isPresent()) {
                return SendResult.failed("push target refused, " + problem.get() + "; register a valid one");
            }
            return sender.send(notification, target);
        } catch (RuntimeException e) {
            // the exception's text may quote a provider or the database: the log gets it, lastError does not
            LOG.warn("Delivery {} by {}: unexpected failure", delivery.id(), delivery.channel(), e);
            return SendResult.retry("unexpected " + e.getClass().getSimpleName() + "; see the service log", null);
        }
    }

    /** Records the outcome; dropped, with what follows from it, when the claim was lost meanwhile (the store says so). */
    void record(Delivery d, SendResult result) {
        Instant now = clock.instant();
        ChannelsConfig.Channel channel = config.channels().get(d.channel());
        int attempts = d.attempts() + 1;
        switch (result.outcome()) {
            case DELIVERED -> {
                if (Boolean.TRUE.equals(db.transactions().execute(tx -> {
                    boolean went = store.finish(d, channel != null && channel.isEmail() ? Delivery.SENT : Delivery.DELIVERED,
                            now, null, result.providerId(), now);
                    if (went) {
                        // what follows a send must not undo it: a push recorded as sent is never sent twice for it
                        Object savepoint = tx.createSavepoint();
                        try {
                            sent.sent(d, now);
                            tx.releaseSavepoint(savepoint);
                        } catch (RuntimeException e) {
                            tx.rollbackToSavepoint(savepoint);
                            LOG.error("Delivery {} of event {} by {}: sent, but what follows a send (escalation) failed and "
                                    + "is skipped for it", d.id(), d.eventId(), d.channel(), e);
                        }
                    }
                    return went;
                }))) {
                    LOG.info("Delivery {} of event {} by {} to {}: {}", d.id(), d.eventType(), d.channel(), d.recipient(),
                            channel != null && channel.isEmail() ? "sent" : "delivered");
                }
                return;
            }
            case OBSOLETE -> {
                if (store.finish(d, Delivery.OBSOLETE, now, result.detail(), null, now)) {
                    LOG.info("Delivery {} of event {} by {} to {}: {}", d.id(), d.eventType(), d.channel(), d.recipient(),
                            result.detail());
                }
                return;
            }
            case TARGET_GONE -> store.disableTarget(d.channel(), d.address(), result.detail());
            default -> { }
        }
        boolean permanent = result.outcome() != SendResult.Outcome.RETRY;
        ChannelsConfig.Fallback fallback = channel == null ? null : channel.fallback();
        boolean fallBack = fallback != null && (permanent || attempts >= fallback.afterAttempts()
                || fallback.after() != null && !now.isBefore(d.createdAt().plus(fallback.after())));
        if (fallBack) {
            db.transactions().executeWithoutResult(tx -> {
                if (!store.finish(d, Delivery.FELL_BACK, now, result.detail(), null, now)) {
                    return; // the worker that holds it now decides about the fallback
                }
                int planned = planFallback(d, config.channels().get(fallback.channel()), now);
                LOG.warn("Delivery {} of event {} by {} to {} failed ({}); falling back to {} ({} new deliver{})", d.id(),
                        d.eventType(), d.channel(), d.recipient(), result.forLog(), fallback.channel(), planned,
                        planned == 1 ? "y" : "ies");
            });
        } else if (permanent) {
            boolean recorded = db.transactions().execute(tx -> {
                if (!store.finish(d, Delivery.FAILED, now, result.detail(), null, now)) {
                    return false;
                }
                if (events != null) {
                    events.append("delivery.failed", d.mailbox(), d.itemId(), null, json.createObjectNode()
                            .put("deliveryId", d.id()).put("eventId", d.eventId()).put("eventType", d.eventType())
                            .put("channel", d.channel()).put("recipient", d.recipient()).put("error", result.detail()));
                }
                return true;
            });
            if (recorded) {
                LOG.warn("Delivery {} of event {} by {} to {} failed for good: {}", d.id(), d.eventType(), d.channel(),
                        d.recipient(), result.forLog());
            }
        } else {
            Duration wait = backoff.delay(attempts, result.retryAfter());
            if (store.finish(d, Delivery.PENDING, now.plus(wait), result.detail(), null, now)) {
                LOG.info("Delivery {} by {} to {}: attempt {} failed ({}), next in {} ms", d.id(), d.channel(), d.recipient(),
                        attempts, result.forLog(), wait.toMillis());
            }
        }
    }

    /** The same content to the same person by the fallback channel: their email, or their push targets there. */
    private int planFallback(Delivery d, ChannelsConfig.Channel to, Instant now) {
        if (to == null) {
            return 0;
        }
        ChannelsConfig.Recipient recipient = config.recipients().get(d.recipient());
        int planned = 0;
        if (to.isEmail()) {
            String address = recipient != null ? recipient.email() : d.address().contains("@") ? d.address() : null;
            if (address != null && store.plan(d.eventId(), d.eventType(), d.mailbox(), d.itemId(), to.name(), to.type(),
                    d.recipient(), address, d.id(), now)) {
                planned++;
            }
            return planned;
        }
        for (String address : store.targetAddresses(d.recipient(), to.name())) {
            if (store.plan(d.eventId(), d.eventType(), d.mailbox(), d.itemId(), to.name(), to.type(), d.recipient(),
                    address, d.id(), now)) {
                planned++;
            }
        }
        return planned;
    }

    /**
     * The event a delivery is about; for an email a feature plans and writes itself without an event (a report to one
     * of its recipients: see {@link EmailContent}), a stand-in with the delivery's type.
     */
    private JsonNode event(Delivery delivery) {
        java.util.List<String> found = db.jdbc().queryForList(EVENT, Map.of("id", delivery.eventId()), String.class);
        if (found.isEmpty()) {
            return json.createObjectNode().put("id", delivery.eventId()).put("type", delivery.eventType())
                    .put("mailbox", delivery.mailbox()).set("data", json.createObjectNode());
        }
        String payload = found.get(0);
        String eventId = delivery.eventId();
        try {
            return json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + eventId + " is not JSON", e);
        }
    }
}
