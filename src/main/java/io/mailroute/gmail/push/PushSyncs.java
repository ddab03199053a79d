package io.mailroute.gmail.push;

import io.mailroute.gmail.SyncBatch;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns push notifications into polls of the mailbox's own intake job, coalesced: while a poll runs, one more is
 * queued and no other (the Quartz job is stateful, so its polls never overlap). A notification's waiter completes
 * once a poll that STARTED after it arrived has committed its cursor (that poll's {@code history.list} saw the
 * notified change), or at once when the stored cursor already covers the notified history id.
 * The intake route tells it when a poll starts ({@link #started}) and when it has committed ({@link #committed}).
 */
public final class PushSyncs {

    /** Exchange property: which poll of its mailbox (1, 2, ...) this exchange is. */
    static final String POLL_PROPERTY = "MailroutePushPoll";
    private static final String MAILBOX_HEADER = "MailrouteMailbox";
    private static final Logger LOG = LoggerFactory.getLogger(PushSyncs.class);

    /** Fires one poll of a mailbox now (queued behind the one running, by Quartz). */
    @FunctionalInterface
    public interface PollTrigger {
        void fire(String mailboxId) throws Exception;
    }

    /** @param historyId what the poll must reach (null: any poll that started after it will do) */
    private record Waiter(long pollsStartedBefore, BigInteger historyId, CompletableFuture<Void> done) {
    }

    private static final class MailboxPolls {
        long started;
        boolean queued;
        final List<Waiter> waiters = new ArrayList<>();
    }

    private final PollTrigger trigger;
    private final Function<String, String> cursors;
    private final Map<String, MailboxPolls> polls = new HashMap<>();

    /** @param cursors a mailbox's stored history cursor (null before its first sync) */
    public PushSyncs(PollTrigger trigger, Function<String, String> cursors) {
        this.trigger = trigger;
        this.cursors = cursors;
    }

    /**
     * A notification for the mailbox: completes when its change is committed (see the class). Fires a poll unless one
     * is already queued.
     */
    public CompletableFuture<Void> sync(String mailboxId, PushNotification notification) {
        return syncTo(mailboxId, notification.historyId());
    }

    /**
     * A watch was just made (at start, on resume, on connect): Gmail notifies only the changes after the watch's
     * history id, so mail that came between the mailbox's last poll and its watch would otherwise wait for the
     * safety-net poll (10 minutes by default). Polls once, as a notification at that history id would, unless the
     * stored cursor covers it already.
     *
     * @param historyId the watch's {@code historyId} (null when Gmail gave none: polls)
     * @return done once that poll has committed, or at once when no poll was needed
     */
    public CompletableFuture<Void> watched(String mailboxId, BigInteger historyId) {
        return syncTo(mailboxId, historyId);
    }

    /**
     * Before a mailbox's first watch: its first sync, the bootstrap, when it has no cursor yet. {@code users.watch} costs
     * 100 quota units, two seconds of a mailbox's default 50 a second, and a bootstrap after it would wait that long for
     * its quota; Gmail's notifications start at the watch, and {@link #watched} catches up what came between the two.
     *
     * @return done at once when the mailbox has a cursor; else fires a poll (coalesced like a notification's) and is
     *         done once a poll that started from now on has committed
     */
    public CompletableFuture<Void> firstSync(String mailboxId) {
        if (cursors.apply(mailboxId) != null) {
            return CompletableFuture.completedFuture(null);
        }
        return syncTo(mailboxId, null);
    }

    private CompletableFuture<Void> syncTo(String mailboxId, BigInteger historyId) {
        if (PushNotification.covers(cursors.apply(mailboxId), historyId)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean fire;
        synchronized (polls) {
            MailboxPolls p = polls.computeIfAbsent(mailboxId, id -> new MailboxPolls());
            p.waiters.add(new Waiter(p.started, historyId, done));
            fire = !p.queued;
            p.queued = true;
        }
        if (fire) {
            try {
                trigger.fire(mailboxId);
            } catch (Exception e) {
                synchronized (polls) {
                    polls.get(mailboxId).queued = false;
                }
                LOG.warn("Mailbox {}: cannot trigger its intake poll for a push notification ({}); its scheduled poll "
                        + "finds the mail", mailboxId, e.getMessage());
            }
        }
        return done;
    }

    /** A waiter gave up (its sync timed out): the next notification fires a poll again, in case the queued one was lost. */
    public void gaveUp(String mailboxId, CompletableFuture<Void> done) {
        synchronized (polls) {
            MailboxPolls p = polls.get(mailboxId);
            if (p != null) {
                p.waiters.removeIf(w -> w.done() == done);
                p.queued = false;
            }
        }
    }

    /** First step of every intake poll (routes/gmail-intake.camel.yaml): the queued poll, if any, is this one. */
    public void started(Exchange exchange) {
        String mailboxId = exchange.getMessage().getHeader(MAILBOX_HEADER, String.class);
        synchronized (polls) {
            MailboxPolls p = polls.computeIfAbsent(mailboxId, id -> new MailboxPolls());
            p.started++;
            p.queued = false;
            exchange.setProperty(POLL_PROPERTY, p.started);
        }
    }

    /**
     * After the poll's cursor commit (its body the last {@link SyncBatch}): the waiters from before it started are
     * done, and any whose history id the cursor now covers. A skipped poll (paused, backing off) completes none by
     * having run.
     */
    public void committed(Exchange exchange) {
        String mailboxId = exchange.getMessage().getHeader(MAILBOX_HEADER, String.class);
        Long poll = exchange.getProperty(POLL_PROPERTY, Long.class);
        Object body = exchange.getMessage().getBody();
        boolean ran = poll != null && !(body instanceof SyncBatch batch && batch.mode() == SyncBatch.Mode.SKIPPED);
        committed(mailboxId, ran ? poll : 0);
    }

    /** @param poll the committed poll's number, or 0 when it did not look at Gmail */
    void committed(String mailboxId, long poll) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        String cursor = cursors.apply(mailboxId);
        synchronized (polls) {
            MailboxPolls p = polls.get(mailboxId);
            if (p == null) {
                return;
            }
            p.waiters.removeIf(w -> {
                boolean complete = w.pollsStartedBefore() < poll || PushNotification.covers(cursor, w.historyId());
                if (complete) {
                    done.add(w.done());
                }
                return complete;
            });
        }
        done.forEach(f -> f.complete(null));
    }

    /** Notifications waiting for a poll of the mailbox (for tests and status). */
    int waiting(String mailboxId) {
        synchronized (polls) {
            MailboxPolls p = polls.get(mailboxId);
            return p == null ? 0 : p.waiters.size();
        }
    }
}
