package io.mailroute.gmail.push;

import com.google.api.services.gmail.model.WatchRequest;
import com.google.api.services.gmail.model.WatchResponse;
import io.mailroute.config.PubSubSettings;
import io.mailroute.db.Database;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.MailboxClients;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Each push mailbox's Gmail watch ({@code users.watch} on the {@code pubsub:} topic): made at start, renewed when
 * {@code renewInterval} has passed or it lapses within {@code renewMargin} (the due time is kept in the database,
 * {@code mailbox.watch_renew_at}), stopped ({@code users.stop}) when the mailbox is paused or disconnected and made
 * again when it is resumed or connected. Watch (100 units) and stop (50) are paced by the mailbox's quota like any
 * Gmail call. A failed call is logged and kept in {@code watch_error}; the next {@link #check} tries again, and the
 * mailbox's polls carry on meanwhile. Gmail notifies only the changes after a watch's history id: after each watch the
 * mailbox is polled once unless its cursor covers that id ({@link PushSyncs#watched}), so that mail which came between
 * its last poll and the watch (a restart, a pause, a new grant) is not left to the safety-net poll. A mailbox with no
 * cursor yet (first start, a new grant) is synced before its first watch ({@link PushSyncs#firstSync}): the watch's
 * 100 units would otherwise hold its bootstrap back by two seconds of its quota.
 */
public final class GmailWatches implements io.mailroute.connection.Connections.Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(GmailWatches.class);
    /** How long a watch waits for the mailbox's first sync: five times the two seconds of quota the watch costs. */
    static final Duration FIRST_SYNC_WAIT = Duration.ofSeconds(10);
    private static final String READ = "SELECT watch_expires_at, watch_renew_at FROM mailbox WHERE id = :id";
    private static final String WATCHED = """
            UPDATE mailbox SET watch_expires_at = :expires, watch_history_id = :historyId, watch_renew_at = :renewAt,
                   watch_error = NULL
            WHERE id = :id""";
    private static final String FAILED = "UPDATE mailbox SET watch_error = :error WHERE id = :id";
    private static final String STOPPED = """
            UPDATE mailbox SET watch_expires_at = NULL, watch_history_id = NULL, watch_renew_at = NULL, watch_error = NULL
            WHERE id = :id""";

    /** A mailbox's stored watch: both null when it has none. */
    record Stored(Instant expiresAt, Instant renewAt) {
    }

    private final List<String> mailboxIds;
    private final MailboxClients clients;
    private final Database db;
    private final PubSubSettings settings;
    private final Predicate<String> mayWatch;
    private final PushSyncs syncs;
    private final Clock clock;
    /** Mailboxes this process has watched (and not stopped since): a stored watch made before the start is not trusted. */
    private final Set<String> watchedByThisRun = ConcurrentHashMap.newKeySet();

    /**
     * @param mailboxIds the mailboxes with push: pubsub
     * @param mayWatch   whether a mailbox is polled now (not paused, not disconnected, has a grant)
     * @param syncs      polls a mailbox whose cursor is behind its new watch
     */
    public GmailWatches(List<String> mailboxIds, MailboxClients clients, Database db,
            PubSubSettings settings, Predicate<String> mayWatch, PushSyncs syncs, Clock clock) {
        this.mailboxIds = List.copyOf(mailboxIds);
        this.clients = clients;
        this.db = db;
        this.settings = settings;
        this.mayWatch = mayWatch;
        this.syncs = syncs;
        this.clock = clock;
    }

    /** The Quartz job (routes/gmail-push.camel.yaml): watches what is due, stops what should not be watched. */
    public void check() {
        for (String id : mailboxIds) {
            try {
                Stored stored = stored(id);
                if (!mayWatch.test(id)) {
                    if (stored.expiresAt() != null) {
                        stop(id);
                    }
                } else if (due(stored, watchedByThisRun.contains(id), clock.instant())) {
                    firstSyncBeforeWatch(id);
                    watch(id);
                }
            } catch (RuntimeException e) {
                LOG.warn("Mailbox {}: checking its Gmail watch failed ({}); tried again at the next check", id, e.getMessage());
            }
        }
    }

    /**
     * Whether a watch must be made now: none yet, none made by this run, or its renewal is due. A watch stored by an
     * earlier run is made again once at start (100 units): the topic or label filter may have changed in config since,
     * and the watch may have been stopped meanwhile (another deployment, a restarted sandbox); a new watch replaces it.
     */
    static boolean due(Stored stored, boolean madeByThisRun, Instant now) {
        return !madeByThisRun || stored.expiresAt() == null || stored.renewAt() == null || !now.isBefore(stored.renewAt());
    }

    /**
     * When a watch made at {@code watchedAt} and lapsing at {@code expiresAt} is renewed: after {@code interval}, or
     * {@code margin} before it lapses, whichever comes first; the margin never brings it before half the watch's life
     * (a watch shorter than the margin would otherwise be renewed at every check, 100 units each).
     */
    static Instant renewAt(Instant watchedAt, Instant expiresAt, Duration interval, Duration margin) {
        Instant byInterval = watchedAt.plus(interval);
        Instant halfLife = watchedAt.plus(Duration.between(watchedAt, expiresAt).dividedBy(2));
        Instant byMargin = expiresAt.minus(margin);
        if (byMargin.isBefore(halfLife)) {
            byMargin = halfLife;
        }
        return byInterval.isBefore(byMargin) ? byInterval : byMargin;
    }

    /**
     * Waits (at most {@link #FIRST_SYNC_WAIT}) for the first sync of a mailbox that has no cursor yet; at once otherwise.
     * A sync that takes longer (a large bootstrap) goes on beside the watch, which then slows it by a small part.
     */
    private void firstSyncBeforeWatch(String mailboxId) {
        CompletableFuture<Void> synced = syncs.firstSync(mailboxId);
        if (synced.isDone()) {
            return;
        }
        try {
            synced.get(FIRST_SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            syncs.gaveUp(mailboxId, synced);
            LOG.info("Mailbox {}: its first sync is still running after {}; watched meanwhile", mailboxId,
                    FIRST_SYNC_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a sync's future is only ever completed normally", e);
        }
    }

    /** {@code users.watch} now (start, renewal, resume, connect). */
    public synchronized void watch(String mailboxId) {
        try {
            Instant at = clock.instant();
            WatchResponse response = clients.client(mailboxId).users().watch("me", new WatchRequest()
                    .setTopicName(settings.topic()).setLabelIds(settings.labelIds()).setLabelFilterBehavior("include"))
                    .execute();
            Instant expires = Instant.ofEpochMilli(response.getExpiration());
            Instant renew = renewAt(at, expires, settings.renewInterval(), settings.renewMargin());
            db.jdbc().update(WATCHED, new MapSqlParameterSource("id", mailboxId)
                    .addValue("expires", Timestamp.from(expires))
                    .addValue("historyId", response.getHistoryId() == null ? null : response.getHistoryId().toString())
                    .addValue("renewAt", Timestamp.from(renew)));
            boolean newWatch = watchedByThisRun.add(mailboxId); // not a renewal of this run's watch
            LOG.info("Mailbox {}: Gmail watch on {} until {}, renewed at {}", mailboxId, settings.topic(), expires, renew);
            if (newWatch && !syncs.watched(mailboxId, response.getHistoryId()).isDone()) {
                LOG.info("Mailbox {}: polled once now, for mail that came before its watch (history {}) and so carries "
                        + "no notification", mailboxId, response.getHistoryId());
            }
        } catch (java.io.IOException | RuntimeException e) {
            String reason = GmailFailure.of(e).message();
            db.jdbc().update(FAILED, new MapSqlParameterSource("id", mailboxId).addValue("error", limit(reason)));
            LOG.warn("Mailbox {}: users.watch on {} failed ({}); tried again at the next check, its polls carry on",
                    mailboxId, settings.topic(), reason);
        }
    }

    /** {@code users.stop} now (pause, disconnect); the stored watch is forgotten even when Gmail cannot be told. */
    public synchronized void stop(String mailboxId) {
        if (!mailboxIds.contains(mailboxId)) {
            return;
        }
        try {
            clients.client(mailboxId).users().stop("me").execute();
            LOG.info("Mailbox {}: Gmail watch stopped", mailboxId);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("Mailbox {}: users.stop failed ({}); its watch lapses by itself, and notifications for it are "
                    + "acknowledged and ignored meanwhile", mailboxId, GmailFailure.of(e).message());
        } finally {
            watchedByThisRun.remove(mailboxId);
            db.jdbc().update(STOPPED, Map.of("id", mailboxId));
        }
    }

    /** Paused: no notifications while its polls stop. */
    @Override
    public void paused(String mailboxId) {
        stop(mailboxId);
    }

    /** Disconnecting: stopped while its grant still works. */
    @Override
    public void disconnecting(String mailboxId) {
        stop(mailboxId);
    }

    /** Resumed: watched again at once (when push is on for it). */
    @Override
    public void resumed(String mailboxId) {
        if (mailboxIds.contains(mailboxId) && mayWatch.test(mailboxId)) {
            watch(mailboxId);
        }
    }

    /** A new grant: watched again at once. */
    @Override
    public void connected(String mailboxId) {
        resumed(mailboxId);
    }

    Stored stored(String mailboxId) {
        return db.jdbc().query(READ, Map.of("id", mailboxId), rs -> rs.next()
                ? new Stored(instant(rs.getTimestamp(1)), instant(rs.getTimestamp(2))) : new Stored(null, null));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static String limit(String text) {
        return text == null ? null : text.length() > 1000 ? text.substring(0, 1000) : text;
    }
}
