package io.mailroute.gmail.push;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Gmail notification from Pub/Sub does, however it came (pulled by {@link PushIntake} or pushed to
 * {@link PushEndpoint}): one that cannot be read, names an address no push mailbox has, or a paused or disconnected
 * mailbox, is ignored (the caller acknowledges it: the mailbox's polls, its safety net or its resume, find its mail);
 * any other triggers its mailbox's sync ({@link PushSyncs}) and is acknowledged only once that sync has committed, or
 * given back for redelivery when it has not within {@code syncTimeout}.
 */
public final class PushNotifications {

    private static final Logger LOG = LoggerFactory.getLogger(PushNotifications.class);

    /** A notification for a mailbox that listens: its sync is what acknowledges it. */
    public record Target(String mailboxId, PushNotification notification) {
    }

    private final PushSyncs syncs;
    private final Map<String, String> mailboxByAddress;
    private final Predicate<String> listening;
    private final Duration syncTimeout;
    private final Set<String> unknownLogged = ConcurrentHashMap.newKeySet();

    /**
     * @param mailboxByAddress the push mailboxes' ids by lower-case address
     * @param listening        whether a mailbox is polled now (false while paused or disconnected)
     */
    public PushNotifications(PushSyncs syncs, Map<String, String> mailboxByAddress, Predicate<String> listening,
            Duration syncTimeout) {
        this.syncs = syncs;
        this.mailboxByAddress = Map.copyOf(mailboxByAddress);
        this.listening = listening;
        this.syncTimeout = syncTimeout;
    }

    public Duration syncTimeout() {
        return syncTimeout;
    }

    /**
     * Reads a Pub/Sub message's {@code data} and finds its mailbox.
     *
     * @param messageId Pub/Sub's id of the message (for the log)
     * @param source    where it came from, for the log: the pull subscription, or the push endpoint
     * @return its mailbox and notification, or null when it is to be acknowledged and ignored (said in the log)
     */
    public Target target(String messageId, String data, String source) {
        PushNotification notification;
        try {
            notification = PushNotification.decode(data);
        } catch (IllegalArgumentException e) {
            LOG.warn("Gmail push: message {} from {} is no Gmail notification, acknowledged and dropped: {}",
                    messageId, source, e.getMessage());
            return null;
        }
        String mailboxId = mailboxByAddress.get(notification.emailAddress());
        if (mailboxId == null) {
            if (unknownLogged.add(notification.emailAddress())) {
                LOG.warn("Gmail push: a notification for {}, which no mailbox with push: pubsub in mailboxes.yaml has, "
                        + "acknowledged and ignored (said once per address); stop that account's watch or remove it "
                        + "from the topic", notification.emailAddress());
            }
            return null;
        }
        if (!listening.test(mailboxId)) {
            LOG.debug("Mailbox {}: push notification while it is not polled (paused or disconnected), acknowledged", mailboxId);
            return null;
        }
        return new Target(mailboxId, notification);
    }

    /**
     * Triggers the target's sync: completes true once it has committed, false when it has not within the sync timeout
     * (the wait is then given up and said in the log; the caller gives the notification back for redelivery).
     */
    public CompletableFuture<Boolean> sync(Target target) {
        CompletableFuture<Void> done = syncs.sync(target.mailboxId(), target.notification());
        return done.orTimeout(syncTimeout.toMillis(), TimeUnit.MILLISECONDS).handle((ok, error) -> {
            if (error == null) {
                return true;
            }
            syncs.gaveUp(target.mailboxId(), done);
            LOG.warn("Mailbox {}: no sync committed within {} s of its push notification (history {}); given back to be "
                    + "delivered again", target.mailboxId(), syncTimeout.toSeconds(), target.notification().historyId());
            return false;
        });
    }
}
