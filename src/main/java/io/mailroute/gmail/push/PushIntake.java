package io.mailroute.gmail.push;

import io.mailroute.config.PubSubSettings;
import io.mailroute.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull side of Gmail push (routes/gmail-push.camel.yaml calls {@link #pullOnce} in a loop). What each notification
 * does is {@link PushNotifications}'s, as for a pushed one: it is acknowledged only once its mailbox's sync has
 * committed, given back (ack deadline 0) and so delivered again when that sync does not commit within
 * {@code syncTimeout}, and acknowledged at once when it is ignored.
 */
public final class PushIntake {

    private static final Logger LOG = LoggerFactory.getLogger(PushIntake.class);
    static final int MAX_MESSAGES = 100;
    /** Waits after a failed pull: 1 s doubling to 1 min, so an unreachable Pub/Sub is not hammered. */
    private static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5);

    private final PubSubClient pubSub;
    private final PushNotifications notifications;
    private final ExecutorService acks;
    private volatile boolean stopping;
    private int failedPulls;

    /** @param acks where acknowledgements are sent, off the intake's threads */
    public PushIntake(PubSubClient pubSub, PushNotifications notifications, ExecutorService acks) {
        this.pubSub = pubSub;
        this.notifications = notifications;
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
            failedPulls = 0;
        } catch (java.io.IOException | RuntimeException e) {
            Duration backoff = BACKOFF.delay(++failedPulls, null);
            LOG.warn("Gmail push: pulling {} failed ({}); trying again in {} s (the mailboxes' polls carry on)",
                    pubSub.subscription(), e.getMessage(), backoff.toSeconds());
            Thread.sleep(backoff.toMillis());
            return;
        }
        List<String> ignored = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        List<Runnable> waits = new ArrayList<>();
        for (PubSubClient.Received message : received) {
            PushNotifications.Target target = notifications.target(message.messageId(), message.data(), pubSub.subscription());
            if (target == null) {
                ignored.add(message.ackId());
            } else {
                waiting.add(message.ackId());
                waits.add(() -> await(target, message));
            }
        }
        acknowledge(ignored);
        if (!waiting.isEmpty()) {
            // the subscription's deadline (Google: 10 s by default) must outlast the wait, or it comes again meanwhile
            try {
                pubSub.modifyAckDeadline(waiting, PubSubSettings.ackDeadlineSeconds(notifications.syncTimeout()));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("Gmail push: cannot extend the ack deadline of {} notification(s) ({}); they may come twice",
                        waiting.size(), e.getMessage());
            }
        }
        waits.forEach(Runnable::run);
    }

    private void await(PushNotifications.Target target, PubSubClient.Received message) {
        notifications.sync(target).thenAcceptAsync(committed -> {
            if (committed) {
                acknowledge(List.of(message.ackId()));
            } else if (!stopping) {
                try {
                    pubSub.modifyAckDeadline(List.of(message.ackId()), 0);
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.warn("Gmail push: cannot give back a notification of mailbox {} ({}); it comes again after its "
                            + "ack deadline", target.mailboxId(), e.getMessage());
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
}
