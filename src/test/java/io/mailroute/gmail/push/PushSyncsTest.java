package io.mailroute.gmail.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.gmail.SyncBatch;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class PushSyncsTest {

    private final List<String> fired = new ArrayList<>();
    private final Map<String, String> cursors = new ConcurrentHashMap<>();
    private final PushSyncs syncs = new PushSyncs(fired::add, cursors::get);
    private final DefaultCamelContext camel = new DefaultCamelContext();

    private static PushNotification at(long historyId) {
        return new PushNotification("support@acme.example", BigInteger.valueOf(historyId));
    }

    private Exchange poll(String mailbox) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader("MailrouteMailbox", mailbox);
        syncs.started(exchange);
        return exchange;
    }

    private void commit(Exchange poll, SyncBatch.Mode mode, String cursor) {
        if (cursor != null) {
            cursors.put(poll.getMessage().getHeader("MailrouteMailbox", String.class), cursor);
        }
        poll.getMessage().setBody(new SyncBatch("support", mode, List.of(), cursor, null));
        syncs.committed(poll);
    }

    @Test
    void aBurstFiresOnePollAndOneCommitAfterItStartedReleasesThemAll() {
        cursors.put("support", "100");
        List<CompletableFuture<Void>> burst = List.of(syncs.sync("support", at(101)), syncs.sync("support", at(102)),
                syncs.sync("support", at(103)));
        assertEquals(List.of("support"), fired, "one poll queued for the whole burst");

        Exchange queued = poll("support");
        syncs.sync("support", at(104)); // arrives while that poll runs: one more is queued
        syncs.sync("support", at(105)); // and no second one
        assertEquals(List.of("support", "support"), fired);
        commit(queued, SyncBatch.Mode.HISTORY, "103");

        assertTrue(burst.stream().allMatch(CompletableFuture::isDone), "the poll started after them and committed");
        assertEquals(2, syncs.waiting("support"), "104 and 105 came after that poll started: they wait for the next");
    }

    @Test
    void aPollThatStartedBeforeTheNotificationDoesNotReleaseIt() {
        cursors.put("support", "100");
        Exchange running = poll("support");
        CompletableFuture<Void> waiter = syncs.sync("support", at(150));
        commit(running, SyncBatch.Mode.HISTORY, "120"); // its history.list ran before the change

        assertFalse(waiter.isDone());
        Exchange next = poll("support");
        commit(next, SyncBatch.Mode.HISTORY, "150");
        assertTrue(waiter.isDone());
    }

    @Test
    void aCursorThatAlreadyCoversTheHistoryIdReleasesAtOnceWithoutAPoll() {
        cursors.put("support", "200");
        assertTrue(syncs.sync("support", at(150)).isDone());
        assertTrue(fired.isEmpty());
    }

    @Test
    void anOlderPollCommittingACursorPastTheHistoryIdReleasesToo() {
        cursors.put("support", "100");
        Exchange running = poll("support");
        CompletableFuture<Void> waiter = syncs.sync("support", at(110));
        commit(running, SyncBatch.Mode.HISTORY, "115"); // its history.list happened to see the change
        assertTrue(waiter.isDone());
    }

    @Test
    void aNewWatchAheadOfTheCursorPollsOnceForTheMailThatCameBeforeIt() {
        cursors.put("support", "100"); // the last poll, before the restart, pause or new grant
        CompletableFuture<Void> caughtUp = syncs.watched("support", BigInteger.valueOf(130)); // mail came meanwhile
        assertEquals(List.of("support"), fired, "no notification will ever tell of history 101-130: poll now");
        assertFalse(caughtUp.isDone(), "caught up only once that poll has committed");
        Exchange next = poll("support");
        commit(next, SyncBatch.Mode.HISTORY, "130");
        assertTrue(caughtUp.isDone());
    }

    @Test
    void aNewWatchTheCursorCoversNeedsNoPollAndOneWithoutHistoryIdPolls() {
        cursors.put("support", "130");
        assertTrue(syncs.watched("support", BigInteger.valueOf(130)).isDone());
        assertTrue(fired.isEmpty(), "nothing came between the last poll and the watch");
        assertFalse(syncs.watched("support", null).isDone(), "Gmail gave no history id: poll to be sure");
        assertEquals(List.of("support"), fired);
        assertFalse(syncs.watched("accounts", BigInteger.TEN).isDone(), "no cursor yet: a poll is what covers it");
    }

    @Test
    void theFirstSyncBeforeAWatchPollsOnlyAMailboxWithoutCursorAndIsDoneWhenThatPollCommits() {
        CompletableFuture<Void> bootstrapped = syncs.firstSync("support");
        assertEquals(List.of("support"), fired, "no cursor: its bootstrap now, not after the watch's 100 units");
        assertFalse(bootstrapped.isDone());
        Exchange bootstrap = poll("support");
        commit(bootstrap, SyncBatch.Mode.BOOTSTRAP, "120");
        assertTrue(bootstrapped.isDone());

        assertTrue(syncs.firstSync("support").isDone(), "a cursor: synced before");
        assertEquals(List.of("support"), fired, "and not polled again for it");
    }

    @Test
    void aSkippedPollReleasesNothing() {
        cursors.put("support", "100");
        CompletableFuture<Void> waiter = syncs.sync("support", at(110));
        Exchange skipped = poll("support"); // paused or backing off: it never asked Gmail
        commit(skipped, SyncBatch.Mode.SKIPPED, null);
        assertFalse(waiter.isDone());
    }

    @Test
    void afterAWaiterGaveUpTheNextNotificationFiresAgain() {
        cursors.put("support", "100");
        CompletableFuture<Void> lost = syncs.sync("support", at(110));
        syncs.gaveUp("support", lost);
        syncs.sync("support", at(111));
        assertEquals(2, fired.size(), "the queued fire may have been lost: fire again");
        assertEquals(1, syncs.waiting("support"));
    }

    @Test
    void aFailedTriggerIsNotCountedAsQueued() {
        List<String> attempts = new ArrayList<>();
        PushSyncs failing = new PushSyncs(id -> {
            attempts.add(id);
            throw new IllegalStateException("scheduler down");
        }, id -> null);
        failing.sync("support", at(1));
        failing.sync("support", at(2));
        assertEquals(2, attempts.size());
    }
}
