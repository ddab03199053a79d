package io.mailroute.gmail.push;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull side of Gmail push (routes/gmail-push.camel.yaml calls {@link #pullOnce} in a loop). Each notification
 * is acknowledged only once its mailbox's sync has committed ({@link PushSyncs}); one whose sync does not commit
 * within {@code syncTimeout} is given back (ack deadline 0) and so delivered again. A notification that cannot be
 * read, or names an address no push mailbox has, or a paused or disconnected mailbox, is acknowledged and ignored:
 * the mailbox's polls (its safety net, or its resume) find its mail.
 */
public final class PushIntake {

    private static final Logger LOG = LoggerFactory.getLogger(PushIntake.class);
    static final int MAX_MESSAGES = 100;
    /** Waits after a failed pull: 1 s doubling to 1 min, so an unreachable Pub/Sub is not hammered. */
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final PubSubClient pubSub;
    private final PushSyncs syncs;
    private final Map<String, String> mailboxByAddress;
    private final Predicate<String> listening;
    private final Duration syncTimeout;
    private final ExecutorService acks;
    private final Set<String> unknownLogged = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private Duration backoff = Duration.ZERO;

    /**
     * @param mailboxByAddress the push mailboxes' ids by lower-case address
     * @param listening        whether a mailbox is polled now (false while paused or disconnected)
     * @param acks             where acknowledgements are sent, off the intake's threads
     */
    public PushIntake(PubSubClient pubSub, PushSyncs syncs, Map<String, String> mailboxByAddress, Predicate<String> listening,
            Duration syncTimeout, ExecutorService acks) {
        this.pubSub = pubSub;
        this.syncs = syncs;
        this.mailboxByAddress = Map.copyOf(mailboxByAddress);
        this.listening = listening;
        this.syncTimeout = syncTimeout;
        this.acks = acks;
    }

    /** One long-poll of the subscription; what it received is acknowledged later, as each sync commits. */
    public void pullOnce() throws InterruptedException {
        if (stopping) {
            return;
        }
        List<PubSubClient.Received> received;
        try {
            received = pubSub.pull(MAX_MESSAGES);
            backoff = Duration.ZERO;
        } catch (java.io.IOException | RuntimeException e) {
            backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
            LOG.warn("Gmail push: pulling {} failed ({}); trying again in {} s (the mailboxes' polls carry on)",
                    pubSub.subscription(), e.getMessage(), backoff.toSeconds());
            Thread.sleep(backoff.toMillis());
            return;
        }
        List<String> ignored = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        List<Runnable> waits = new ArrayList<>();
        for (PubSubClient.Received message : received) {
            PushNotification notification;
            try {
                notification = PushNotification.decode(message.data());
            } catch (IllegalArgumentException e) {
                LOG.warn("Gmail push: message {} on {} is no Gmail notification, acknowledged and dropped: {}",
                        message.messageId(), pubSub.subscription(), e.getMessage());
                ignored.add(message.ackId());
                continue;
            }
            String mailboxId = mailboxByAddress.get(notification.emailAddress());
            if (mailboxId == null) {
                if (unknownLogged.add(notification.emailAddress())) {
                    LOG.warn("Gmail push: a notification for {}, which no mailbox with push: pubsub in mailboxes.yaml has, "
                            + "acknowledged and ignored (said once per address); stop that account's watch or remove it "
                            + "from the topic", notification.emailAddress());
                }
                ignored.add(message.ackId());
            } else if (!listening.test(mailboxId)) {
                LOG.debug("Mailbox {}: push notification while it is not polled (paused or disconnected), acknowledged", mailboxId);
                ignored.add(message.ackId());
            } else {
                waiting.add(message.ackId());
                waits.add(() -> await(mailboxId, notification, message));
            }
        }
        acknowledge(ignored);
        if (!waiting.isEmpty()) {
            // the subscription's deadline (Google: 10 s by default) must outlast the wait, or it comes again meanwhile
            try {
                pubSub.modifyAckDeadline(waiting, ackDeadlineSeconds(syncTimeout));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("Gmail push: cannot extend the ack deadline of {} notification(s) ({}); they may come twice",
                        waiting.size(), e.getMessage());
            }
        }
        waits.forEach(Runnable::run);
    }

    private void await(String mailboxId, PushNotification notification, PubSubClient.Received message) {
        CompletableFuture<Void> done = syncs.sync(mailboxId, notification);
        done.orTimeout(syncTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).whenCompleteAsync((ok, error) -> {
            if (error == null) {
                acknowledge(List.of(message.ackId()));
                return;
            }
            syncs.gaveUp(mailboxId, done);
            LOG.warn("Mailbox {}: no sync committed within {} s of its push notification (history {}); given back to be "
                    + "delivered again", mailboxId, syncTimeout.toSeconds(), notification.historyId());
            if (error instanceof TimeoutException && !stopping) {
                try {
                    pubSub.modifyAckDeadline(List.of(message.ackId()), 0);
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.warn("Gmail push: cannot give back a notification of mailbox {} ({}); it comes again after its "
                            + "ack deadline", mailboxId, e.getMessage());
                }
            }
        }, acks);
    }

    private void acknowledge(List<String> ackIds) {
        if (ackIds.isEmpty()) {
            return;
        }
        try {
            pubSub.acknowledge(ackIds);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("Gmail push: acknowledging {} notification(s) failed ({}); they come again and find their mail stored",
                    ackIds.size(), e.getMessage());
        }
    }

    /** No more pulls; waiting notifications are left to their ack deadline (they come again). */
    public void stop() {
        stopping = true;
    }

    /** The wait plus room to acknowledge, within Pub/Sub's limit of 600 s. */
    static int ackDeadlineSeconds(Duration syncTimeout) {
        return (int) Math.min(600, syncTimeout.toSeconds() + 10);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
