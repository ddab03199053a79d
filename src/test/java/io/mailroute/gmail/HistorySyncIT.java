package io.mailroute.gmail;

import io.mailroute.retry.Backoff;
import io.mailroute.testing.TestMailboxes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.gmail.Gmail;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HistorySync against the sandbox through the real Google client: what each poll fetches, and where the cursor goes. */
class HistorySyncIT {

    private static final String ADDRESS = "support@acme.example";

    private GmailSandbox sandbox;
    private Database db;
    private MailboxStates states;
    private Gmail gmail;
    private int sequence;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        gmail = SandboxClients.newUser(sandbox, ADDRESS, "refresh-support");
        db = Database.open("jdbc:h2:mem:sync-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        states = new MailboxStates(db, Clock.systemUTC(), new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(5), () -> 0.5));
    }

    @AfterEach
    void tearDown() {
        db.close();
        sandbox.close();
    }

    @Test
    void bootstrapsOldestFirstThenFollowsHistoryFromTheProfileId() throws Exception {
        HistorySync sync = sync(mailbox(100), 1000);
        List<String> old = List.of(insert(List.of("INBOX")), insert(List.of("INBOX")), insert(List.of("INBOX")));

        SyncBatch first = sync.plan("support");
        assertEquals(SyncBatch.Mode.BOOTSTRAP, first.mode());
        assertEquals(old, first.messageIds(), "bootstrap lists oldest first");
        sync.advance(first);
        assertEquals(first.newCursor(), states.cursor("support"));

        List<String> fresh = List.of(insert(List.of("INBOX")), insert(List.of("INBOX", "UNREAD")));
        SyncBatch second = sync.plan("support");
        assertEquals(SyncBatch.Mode.HISTORY, second.mode());
        assertEquals(fresh, second.messageIds());
        sync.advance(second);

        assertEquals(List.of(), sync.plan("support").messageIds(), "nothing new, nothing fetched");
    }

    @Test
    void aBoundedPollStopsAtAHistoryRecordSoTheRestComesNextTime() throws Exception {
        HistorySync sync = sync(mailbox(100), 2);
        sync.advance(sync.plan("support"));
        List<String> inserted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inserted.add(insert(List.of("INBOX")));
        }

        List<String> fetched = new ArrayList<>();
        for (int poll = 0; poll < 5 && fetched.size() < 5; poll++) {
            SyncBatch batch = sync.plan("support");
            assertTrue(batch.size() <= 2, "at most maxMessagesPerPoll per poll, got " + batch.size());
            assertEquals(batch.size() == 2, sync.morePending(batch), "a full batch means Gmail may have more");
            fetched.addAll(batch.messageIds());
            sync.advance(batch);
        }
        assertEquals(inserted, fetched, "every message exactly once, in order, across bounded polls");
    }

    @Test
    void aPollThatAnotherPollOvertookLeavesTheCursorAndStopsItsLoop() throws Exception {
        HistorySync sync = sync(mailbox(100), 2);
        sync.advance(sync.plan("support"));
        for (int i = 0; i < 3; i++) {
            insert(List.of("INBOX"));
        }
        SyncBatch mine = sync.plan("support");
        SyncBatch theirs = sync.plan("support"); // the same poll on another instance (or a paused one), from the same cursor
        assertEquals(mine.fromCursor(), theirs.fromCursor());
        sync.advance(theirs);
        String after = states.cursor("support");
        assertTrue(sync.morePending(theirs), "the winner's full batch goes round again");

        sync.advance(mine);
        assertEquals(after, states.cursor("support"), "the overtaken poll moved nothing");
        assertFalse(sync.morePending(mine), "and its loop ends");
    }

    @Test
    void excludedLabelsAreNotFetchedAndAnExpiredCursorResyncs() throws Exception {
        HistorySync sync = sync(mailbox(100), 1000);
        sync.advance(sync.plan("support"));
        String sent = insert(List.of("SENT"));
        String inbox = insert(List.of("INBOX"));
        SyncBatch batch = sync.plan("support");
        assertEquals(List.of(inbox), batch.messageIds(), "SENT is excluded without fetching it: " + sent);
        sync.advance(batch);

        sandbox.admin().expireHistory(ADDRESS);
        String late = insert(List.of("INBOX"));
        SyncBatch resync = sync.plan("support");
        assertEquals(SyncBatch.Mode.RESYNC, resync.mode());
        assertTrue(resync.messageIds().containsAll(List.of(inbox, late)), resync.messageIds().toString());
        sync.advance(resync);
        assertEquals(SyncBatch.Mode.HISTORY, sync.plan("support").mode(), "after a resync, history works again");
    }

    @Test
    void watchingReadsHandsOverMessagesWhoseUnreadWasRemovedAndNeverFetchesThemAsNewMail() throws Exception {
        HistorySync blind = sync(mailbox(100), 1000);
        blind.advance(blind.plan("support"));
        String read = insert(List.of("INBOX", "UNREAD"));
        String starred = insert(List.of("INBOX", "UNREAD"));
        blind.advance(blind.plan("support"));
        gmail.users().messages().modify("me", read, new com.google.api.services.gmail.model.ModifyMessageRequest()
                .setRemoveLabelIds(List.of("UNREAD"))).execute();
        gmail.users().messages().modify("me", starred, new com.google.api.services.gmail.model.ModifyMessageRequest()
                .setAddLabelIds(List.of("STARRED")).setRemoveLabelIds(List.of("INBOX"))).execute();
        String fresh = insert(List.of("INBOX"));

        HistorySync watching = sync(mailbox(100), 1000).watchingReads();
        SyncBatch batch = watching.plan("support");
        assertEquals(List.of(fresh), batch.messageIds(), "a label change is not a new message");
        assertEquals(List.of(read), batch.readIds(), "only UNREAD removed counts as read");
        assertEquals(List.of(), sync(mailbox(100), 1000).plan("support").readIds(), "not watched: no reads");
        watching.advance(batch);
        assertEquals(List.of(), watching.plan("support").readIds(), "a read is handed over once the cursor passed it");
    }

    @Test
    void aMailboxBackingOffIsNotPolled() throws Exception {
        HistorySync sync = sync(mailbox(100), 1000);
        states.failed("support", new GmailFailure(GmailFailure.Kind.RATE_LIMITED, 429, Duration.ofSeconds(30), "429"));
        assertEquals(SyncBatch.Mode.SKIPPED, sync.plan("support").mode());
        assertEquals(0, sandbox.admin().stats().user(ADDRESS).quotaUnitsUsed(), "not a single Gmail call while backing off");
    }

    private HistorySync sync(MailboxSettings mailbox, int maxPerPoll) {
        states.register(mailbox);
        return new HistorySync(Map.of("support", mailbox), id -> gmail, states, new GmailRetry(new GmailRetry.Policy(1,
                Duration.ZERO, new Backoff(Duration.ZERO, Duration.ZERO, () -> 0.5)), d -> { }, System::nanoTime),
                maxPerPoll);
    }

    private static MailboxSettings mailbox(int bootstrapMax) {
        return TestMailboxes.sandbox("support", ADDRESS, "in:inbox", bootstrapMax, 1000);
    }

    private String insert(List<String> labels) {
        int n = ++sequence;
        String raw = "From: c" + n + "@globex.example\r\nTo: " + ADDRESS + "\r\nSubject: Case " + n
                + "\r\nMessage-ID: <case" + n + "." + System.nanoTime() + "@globex.example>\r\n\r\nbody " + n + "\r\n";
        return sandbox.admin().insert(ADDRESS, raw.getBytes(StandardCharsets.UTF_8), labels);
    }
}
