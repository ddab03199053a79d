package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.gmail.Gmail;
import io.mailroute.retry.Backoff;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch-ahead against the sandbox through the real Google client, with an executor the test runs by
 * hand: how many fetches a batch keeps going, that the route still gets each message in order, and that
 * a stored message is never fetched.
 */
class MessageFetcherIT {

    private static final String ADDRESS = "support@acme.example";

    private GmailSandbox sandbox;
    private Gmail gmail;
    private RawMessageReader reader;
    @TempDir
    Path dir;
    private final Deque<Runnable> queued = new ArrayDeque<>();
    private final Executor byHand = queued::add;

    @BeforeEach
    void setUp() throws Exception {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        gmail = SandboxClients.newUser(sandbox, ADDRESS, "refresh-support");
        reader = RawMessageReader.inDirectory(dir.resolve("fetching"), RawMessageReader.DEFAULT_MEMORY_LIMIT);
    }

    @AfterEach
    void tearDown() {
        sandbox.close();
    }

    @Test
    void aBatchKeepsItsNextMessagesBeingFetchedAndTheRouteGetsThemInOrder() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(insert("message " + i));
        }
        String stored = ids.get(2);
        MessageFetcher fetcher = new MessageFetcher(id -> gmail, retry(), reader, 3, (mailbox, id) -> id.equals(stored), byHand);

        fetcher.ahead(new SyncBatch("support", SyncBatch.Mode.HISTORY, ids, "999"));
        assertEquals(3, queued.size(), "three fetches ahead: messages 0, 1 and 3 (2 is stored)");
        assertEquals(0, messagesGets(), "nothing fetched before the executor runs them");
        runQueued();
        assertEquals(3, messagesGets());

        List<String> subjects = new ArrayList<>();
        for (String id : ids) {
            if (id.equals(stored)) {
                continue; // the route's idempotent consumer skips it
            }
            RawMessage message = fetcher.get("support", id);
            assertEquals(id, message.id());
            subjects.add(subject(message));
            assertTrue(fetcher.heldAhead("support") <= 3, "never more than three ahead");
            runQueued();
        }
        assertEquals(List.of("message 0", "message 1", "message 3", "message 4", "message 5", "message 6", "message 7"),
                subjects, "in the batch's order, each once");
        assertEquals(7, messagesGets(), "each message fetched once, the stored one never");
        assertEquals(0, fetcher.heldAhead("support"), "nothing held once the batch is taken");
    }

    @Test
    void aNewBatchDropsWhatAFailedPollLeftAheadAndOneAtATimeFetchesNothingAhead() throws Exception {
        List<String> ids = List.of(insert("a"), insert("b"), insert("c"), insert("d"));
        MessageFetcher fetcher = new MessageFetcher(id -> gmail, retry(), reader, 2, (mailbox, id) -> false, byHand);
        fetcher.ahead(new SyncBatch("support", SyncBatch.Mode.HISTORY, ids, "999"));
        runQueued();
        assertEquals("a", subject(fetcher.get("support", ids.get(0))));
        assertEquals(2, fetcher.heldAhead("support"), "b, and c started when a was taken");
        // the poll fails here; the next one plans the batch again from the unmoved cursor
        fetcher.ahead(new SyncBatch("support", SyncBatch.Mode.HISTORY, ids.subList(1, 4), "999"));
        assertEquals(2, fetcher.heldAhead("support"), "the new batch's b and c, not the old window's");
        runQueued();
        List<String> subjects = new ArrayList<>();
        for (String id : ids.subList(1, 4)) {
            subjects.add(subject(fetcher.get("support", id)));
            runQueued(); // d is started when b is taken
        }
        assertEquals(List.of("b", "c", "d"), subjects);
        assertEquals(5, messagesGets(), "a and b of the first window, then b, c and d: the first window's c, cancelled before it ran, never asked Gmail");

        MessageFetcher oneByOne = new MessageFetcher(id -> gmail, retry(), reader);
        oneByOne.ahead(new SyncBatch("support", SyncBatch.Mode.HISTORY, ids, "999"));
        assertEquals(0, oneByOne.heldAhead("support"));
        assertEquals("d", subject(oneByOne.get("support", ids.get(3))));
        assertTrue(queued.isEmpty(), "one at a time uses no executor");
    }

    @Test
    void aMultiMegabyteMessageArrivesOverHttpByteForByteThroughASpillFileThatIsDeletedAfterUse() throws Exception {
        byte[] inserted = io.mailroute.testing.TestMail.withAttachment(ADDRESS, "big", "big.bin", "application/octet-stream",
                randomBytes(6 * 1024 * 1024 + 7));
        String big = sandbox.admin().insert(ADDRESS, inserted, List.of("INBOX"));
        MessageFetcher fetcher = new MessageFetcher(id -> gmail, retry(), reader);

        byte[] stored = gmail.users().messages().get("me", big).setFormat("raw").execute().decodeRaw(); // the client's way

        try (RawMessage message = fetcher.get("support", big)) {
            assertTrue(message.spilled(), "over the 1 MiB kept in memory");
            assertEquals(stored.length, message.size());
            assertEquals(sha256(stored), message.sha256());
            byte[] read;
            try (var in = message.open()) {
                read = in.readAllBytes();
            }
            assertEquals(sha256(stored), sha256(read), "the bytes read back are those the sandbox stored");
            byte[] tail = java.util.Arrays.copyOfRange(read, read.length - inserted.length, read.length);
            assertEquals(sha256(inserted), sha256(tail), "which are those inserted under the Authentication-Results "
                    + "header the sandbox stamps, as Gmail does");
            assertEquals(List.of("INBOX"), message.meta().labelIds());
            assertEquals(1, spillFiles().size());
        }
        assertEquals(List.of(), spillFiles(), "closed: the spill file is gone");
    }

    @Test
    void bigMessagesFetchedAheadAndThenDroppedLeaveNoSpillFile() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(sandbox.admin().insert(ADDRESS, io.mailroute.testing.TestMail.withAttachment(ADDRESS, "big " + i, "b.bin",
                    "application/octet-stream", randomBytes(2 * 1024 * 1024)), List.of("INBOX")));
        }
        MessageFetcher fetcher = new MessageFetcher(id -> gmail, retry(), reader, 3, (mailbox, id) -> false, byHand);
        fetcher.ahead(new SyncBatch("support", SyncBatch.Mode.HISTORY, ids, "999"));
        runQueued();
        assertEquals(3, spillFiles().size(), "three fetched ahead, each in its file");

        fetcher.get("support", ids.get(1)).close(); // the route skipped the first: its fetch is dropped
        assertEquals(1, spillFiles().size(), "the skipped one's file and the taken one's are gone");
        fetcher.ahead(new SyncBatch("support", SyncBatch.Mode.HISTORY, List.of(), "999")); // a failed poll's leftovers
        assertEquals(List.of(), spillFiles());
    }

    private List<Path> spillFiles() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir.resolve("fetching"))) {
            return files.toList();
        }
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new java.util.Random(length).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private void runQueued() {
        while (!queued.isEmpty()) {
            queued.poll().run();
        }
    }

    private long messagesGets() {
        var user = sandbox.admin().stats().user(ADDRESS);
        return user == null ? 0 : user.requestsByMethod().getOrDefault("messages.get", 0L);
    }

    private static GmailRetry retry() {
        return new GmailRetry(new GmailRetry.Policy(1, Duration.ofSeconds(1),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), () -> 0.5)), millis -> { },
                System::nanoTime);
    }

    private String insert(String subject) {
        return SandboxClients.insert(sandbox, ADDRESS, subject);
    }

    private static String subject(RawMessage message) throws java.io.IOException {
        String raw;
        try (var in = message.open()) {
            raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return raw.lines().filter(l -> l.startsWith("Subject: ")).findFirst().orElseThrow().substring(9);
    }
}
