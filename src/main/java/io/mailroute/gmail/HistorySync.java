package io.mailroute.gmail;

import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.History;
import com.google.api.services.gmail.model.HistoryLabelRemoved;
import com.google.api.services.gmail.model.HistoryMessageAdded;
import com.google.api.services.gmail.model.ListHistoryResponse;
import com.google.api.services.gmail.model.ListMessagesResponse;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.Profile;
import io.mailroute.config.MailboxSettings;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what each poll of a mailbox fetches, using Gmail's history: cheap (2 units a call),
 * exact, and it never needs the mailbox to be modified (no mark-as-read). The cursor only moves
 * in {@link #advance} after the route has committed every message of the batch.
 */
public final class HistorySync {

    /** Mailboxes whose last {@link #advance} found the cursor moved by another poll: their poll's loop ends. */
    private final java.util.Set<String> overtaken = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final Logger LOG = LoggerFactory.getLogger(HistorySync.class);
    private static final long PAGE_SIZE = 500;

    private final Map<String, MailboxSettings> mailboxes;
    private final MailboxClients clients;
    private final MailboxStates states;
    private final GmailRetry retry;
    private final int maxMessagesPerPoll;
    private java.util.function.Predicate<String> connected = mailboxId -> true;
    private java.util.function.BooleanSupplier paused = () -> false;
    private String node;
    private volatile boolean watchingReads;

    /** @param retry spends the mailbox's quota on each Gmail call and retries a failed one in place */
    public HistorySync(Map<String, MailboxSettings> mailboxes, MailboxClients clients, MailboxStates states,
            GmailRetry retry, int maxMessagesPerPoll) {
        this.mailboxes = mailboxes;
        this.clients = clients;
        this.states = states;
        this.retry = retry;
        this.maxMessagesPerPoll = maxMessagesPerPoll;
    }

    /** This instance's node id, recorded as the mailbox's poller when it polls ({@link MailboxStates#polledBy}). */
    public HistorySync onNode(String nodeId) {
        this.node = nodeId;
        return this;
    }

    /**
     * Also asks history for removed labels, and hands the messages whose UNREAD label was removed to the batch's
     * {@link SyncBatch#readIds} (engagement: a notice read in a monitored mailbox counts as opened). Intake never
     * fetches them: a label change is not a new message.
     */
    public HistorySync watchingReads() {
        this.watchingReads = true;
        return this;
    }

    /** Asked before each poll: a mailbox that is not connected (revoked, paused, no grant) is not polled. */
    public HistorySync gatedBy(java.util.function.Predicate<String> isConnected) {
        this.connected = isConnected;
        return this;
    }

    /**
     * Asked before each poll and after a failed one: while it says so (the database is closed and being
     * reopened), no mailbox is polled, since nothing could be committed, and a failure is not logged again.
     */
    public HistorySync pausedWhile(java.util.function.BooleanSupplier isPaused) {
        this.paused = isPaused;
        return this;
    }

    /**
     * First step of a poll: the ids to fetch, oldest first. Each Gmail call is retried in place
     * ({@link GmailRetry}); what still fails propagates to the route.
     */
    public SyncBatch plan(@Header(MessageIngest.MAILBOX_HEADER) String mailboxId) throws IOException {
        MailboxSettings mailbox = mailbox(mailboxId);
        if (paused.getAsBoolean() || !connected.test(mailboxId) || !states.mayPoll(mailboxId)) {
            return SyncBatch.skipped(mailboxId);
        }
        if (node != null) {
            states.polledBy(mailboxId, node);
        }
        Gmail gmail = clients.client(mailboxId);
        String cursor = states.cursor(mailboxId);
        if (cursor == null) {
            return relist(gmail, mailbox, SyncBatch.Mode.BOOTSTRAP, null);
        }
        try {
            return history(gmail, mailbox, cursor);
        } catch (IOException e) {
            GmailFailure failure = GmailFailure.of(e);
            if (failure.kind() != GmailFailure.Kind.NOT_FOUND) {
                throw e;
            }
            LOG.warn("Mailbox {}: history cursor {} has expired at Gmail; resyncing with \"{}\" (at most {} messages); "
                    + "messages already stored are skipped", mailboxId, cursor, mailbox.bootstrapQuery(),
                    mailbox.bootstrapMaxMessages());
            return relist(gmail, mailbox, SyncBatch.Mode.RESYNC, cursor);
        }
    }

    /** Last step of a poll: every message in the batch is committed, so the cursor may move. */
    public void advance(@Body SyncBatch batch) {
        if (batch.mode() == SyncBatch.Mode.SKIPPED || batch.newCursor() == null) {
            return;
        }
        if (!states.advance(batch.mailbox(), batch.fromCursor(), batch.newCursor())) {
            // What this poll stored is stored once (message inserts are idempotent); the cursor is the other poll's.
            LOG.warn("Mailbox {}: the cursor moved from {} while this poll ran (another poll of it, on this or another "
                    + "instance, got there first); left at {}", batch.mailbox(), batch.fromCursor(), states.cursor(batch.mailbox()));
            overtaken.add(batch.mailbox());
            return;
        }
        if (batch.size() > 0 || batch.mode() != SyncBatch.Mode.HISTORY) {
            LOG.info("Mailbox {}: {} done, {} message{} checked, cursor now at history {}", batch.mailbox(),
                    batch.mode().name().toLowerCase(), batch.size(), batch.size() == 1 ? "" : "s", batch.newCursor());
        }
    }

    /**
     * After {@link #advance}: whether Gmail has more history than this poll could take (the batch hit
     * {@code max-messages-per-poll}). The route then polls again at once instead of waiting a poll
     * interval per batch, so a backlog drains at the pipeline's speed.
     */
    public boolean morePending(@Body SyncBatch batch) {
        if (overtaken.remove(batch.mailbox())) {
            return false; // the other poll carries on from its cursor; this one stops
        }
        return batch.mode() == SyncBatch.Mode.HISTORY && batch.size() + batch.readIds().size() >= maxMessagesPerPoll;
    }

    /**
     * Error handler of the intake route: record the failure and back off; other mailboxes carry on.
     * A poll that committed something before it failed is no failure ({@link FailedPoll}).
     */
    public void failed(Exchange exchange) {
        String mailboxId = exchange.getMessage().getHeader(MessageIngest.MAILBOX_HEADER, String.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GmailFailure failure = GmailFailure.of(error);
        if (paused.getAsBoolean()) {
            // The database closed under the poll: said once where it is reopened; the cursor has not moved.
            LOG.debug("Mailbox {}: poll failed while the database is closed ({})", mailboxId, failure.message());
            return;
        }
        MailboxState before;
        FailedPoll poll;
        try {
            before = states.state(mailboxId);
            poll = states.failed(mailboxId, failure, java.time.Instant.ofEpochMilli(exchange.getClock().getCreated()));
        } catch (RuntimeException stateUnavailable) {
            // The database itself is failing (or closing): say so once, the next poll tries again.
            LOG.error("Mailbox {}: poll failed ({}) and its state could not be recorded: {}", mailboxId,
                    failure.message(), stateUnavailable.getMessage());
            return;
        }
        long next = poll.nextPollIn().toMillis();
        if (before.isDisconnected() && before == poll.state()) {
            // Said once when it broke (log and connection.broken); the retries stay quiet until the state changes.
            LOG.debug("Mailbox {}: still {} ({}), next try in {} ms", mailboxId, poll.state(), failure.message(), next);
        } else if (failure.kind() == GmailFailure.Kind.OTHER) {
            LOG.error("Mailbox {}: poll failed ({}), state {}, next try in {} ms", mailboxId, failure.message(), poll.state(),
                    next, error);
        } else if (failure.kind() == GmailFailure.Kind.RATE_LIMITED) {
            LOG.warn("Mailbox {}: Gmail's rate limit stopped the poll ({}), state {}, next try in {} ms{}", mailboxId,
                    failure.message(), poll.state(), next, failure.retryAfter() == null ? ""
                            : " (Retry-After " + failure.retryAfter().toSeconds() + " s)");
        } else if (poll.progressed()) {
            LOG.warn("Mailbox {}: poll stopped after committing mail ({}), state {}, next try in {} ms", mailboxId,
                    failure.message(), poll.state(), next);
        } else {
            LOG.warn("Mailbox {}: poll failed ({}), state {}, next try in {} ms", mailboxId, failure.message(), poll.state(),
                    next);
        }
    }

    private SyncBatch history(Gmail gmail, MailboxSettings mailbox, String cursor) throws IOException {
        Set<String> ids = new LinkedHashSet<>();
        Set<String> reads = new LinkedHashSet<>();
        List<String> types = watchingReads ? List.of("messageAdded", "labelRemoved") : List.of("messageAdded");
        String pageToken = null;
        String newCursor;
        do {
            String token = pageToken;
            ListHistoryResponse page = retry.call(mailbox.id(), () -> gmail.users().history()
                    .list("me")
                    .setStartHistoryId(new BigInteger(cursor))
                    .setHistoryTypes(types)
                    .setMaxResults(PAGE_SIZE)
                    .setPageToken(token)
                    .execute());
            String lastRecord = null;
            for (History record : page.getHistory() == null ? List.<History>of() : page.getHistory()) {
                for (HistoryMessageAdded added : record.getMessagesAdded() == null
                        ? List.<HistoryMessageAdded>of() : record.getMessagesAdded()) {
                    Message message = added.getMessage();
                    if (message != null && !excluded(message, mailbox)) {
                        ids.add(message.getId());
                    }
                }
                if (watchingReads) {
                    reads.addAll(readIn(record));
                }
                lastRecord = record.getId().toString();
                if (ids.size() + reads.size() >= maxMessagesPerPoll) {
                    // Stop at a record boundary: the cursor covers exactly what this batch holds.
                    return new SyncBatch(mailbox.id(), SyncBatch.Mode.HISTORY, List.copyOf(ids), lastRecord, cursor,
                            List.copyOf(reads));
                }
            }
            newCursor = page.getHistoryId() == null ? cursor : page.getHistoryId().toString();
            pageToken = page.getNextPageToken();
        } while (pageToken != null);
        return new SyncBatch(mailbox.id(), SyncBatch.Mode.HISTORY, List.copyOf(ids), newCursor, cursor, List.copyOf(reads));
    }

    /** The messages of a history record whose UNREAD label was removed: read, in Gmail or any client. */
    static List<String> readIn(History record) {
        List<String> read = new ArrayList<>();
        for (HistoryLabelRemoved removed : record.getLabelsRemoved() == null
                ? List.<HistoryLabelRemoved>of() : record.getLabelsRemoved()) {
            if (removed.getMessage() != null && removed.getLabelIds() != null && removed.getLabelIds().contains("UNREAD")) {
                read.add(removed.getMessage().getId());
            }
        }
        return read;
    }

    /**
     * Bootstrap and resync: the profile's history id first, then the bounded list, so nothing
     * that arrives in between is missed (it is in the history after that id).
     */
    private SyncBatch relist(Gmail gmail, MailboxSettings mailbox, SyncBatch.Mode mode, String fromCursor) throws IOException {
        Profile profile = retry.call(mailbox.id(), () -> gmail.users().getProfile("me").execute());
        List<String> ids = new ArrayList<>();
        String pageToken = null;
        do {
            long wanted = Math.min(PAGE_SIZE, mailbox.bootstrapMaxMessages() - ids.size());
            String token = pageToken;
            ListMessagesResponse page = retry.call(mailbox.id(), () -> gmail.users().messages()
                    .list("me")
                    .setQ(mailbox.bootstrapQuery())
                    .setMaxResults(wanted)
                    .setPageToken(token)
                    .execute());
            if (page.getMessages() != null) {
                page.getMessages().forEach(m -> ids.add(m.getId()));
            }
            pageToken = page.getNextPageToken();
        } while (pageToken != null && ids.size() < mailbox.bootstrapMaxMessages());
        Collections.reverse(ids); // Gmail lists newest first; ingest in arrival order
        LOG.info("Mailbox {} ({}): {} found {} message{} matching \"{}\"", mailbox.id(), mailbox.address(),
                mode.name().toLowerCase(), ids.size(), ids.size() == 1 ? "" : "s", mailbox.bootstrapQuery());
        return new SyncBatch(mailbox.id(), mode, List.copyOf(ids), profile.getHistoryId().toString(), fromCursor);
    }

    private static boolean excluded(Message message, MailboxSettings mailbox) {
        return message.getLabelIds() != null && MessageIngest.isExcluded(message.getLabelIds(), mailbox.excludeLabels());
    }

    private MailboxSettings mailbox(String mailboxId) {
        MailboxSettings mailbox = mailboxes.get(mailboxId);
        if (mailbox == null) {
            throw new IllegalArgumentException("Unknown mailbox '" + mailboxId + "'");
        }
        return mailbox;
    }
}
