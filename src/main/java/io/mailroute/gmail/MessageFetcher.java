package io.mailroute.gmail;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.BiPredicate;
import org.apache.camel.Body;
import org.apache.camel.Header;

/**
 * {@code messages.get(format=RAW)} for the intake route, through the client the mailbox's own
 * camel-google-mail component caches, spending its quota and retried in place ({@link GmailRetry}):
 * one failed call in a backlog no longer fails the whole poll.
 *
 * <p>With a fetch-ahead of N, a poll keeps up to N of its batch's next messages being fetched while
 * the route stores the current one, so Gmail's latency is paid once per N messages, not once per
 * message. The route still takes them one by one in the batch's order (a reply is never stored before
 * the message it answers), and the mailbox's quota still paces every call. The price is memory: up
 * to N fetched messages per polling mailbox may be held at once (mailroute.intake.fetch-ahead), each in memory
 * when small and in a spill file when large ({@link RawMessageReader}); one dropped unread is closed (its file
 * deleted).
 */
public final class MessageFetcher {

    private final MailboxClients clients;
    private final GmailRetry retry;
    private final RawMessageReader reader;
    private final int fetchAhead;
    private final BiPredicate<String, String> alreadyStored;
    private final Executor executor;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** One message at a time, as the route asks. */
    public MessageFetcher(MailboxClients clients, GmailRetry retry, RawMessageReader reader) {
        this(clients, retry, reader, 1, (mailbox, id) -> false, null);
    }

    /**
     * @param fetchAhead    messages of a batch fetched at once (1: none ahead)
     * @param alreadyStored whether a message is stored already: it is not fetched ahead (the route skips it)
     * @param executor      runs the fetches ahead; null when {@code fetchAhead} is 1
     */
    public MessageFetcher(MailboxClients clients, GmailRetry retry, RawMessageReader reader, int fetchAhead,
            BiPredicate<String, String> alreadyStored, Executor executor) {
        if (fetchAhead < 1 || (fetchAhead > 1 && executor == null)) {
            throw new IllegalArgumentException("fetch-ahead must be 1 or more (more needs an executor), was " + fetchAhead);
        }
        this.clients = clients;
        this.retry = retry;
        this.reader = reader;
        this.fetchAhead = fetchAhead;
        this.alreadyStored = alreadyStored;
        this.executor = executor;
    }

    /**
     * Before a batch is taken one by one: starts fetching its first messages. Whatever the mailbox's
     * last batch left unfetched or unread (a poll that failed half-way) is dropped.
     */
    public void ahead(@Body SyncBatch batch) {
        Window old = windows.remove(batch.mailbox());
        if (old != null) {
            old.cancel();
        }
        if (fetchAhead > 1 && batch.size() > 1) {
            Window window = new Window(batch.mailbox(), batch.messageIds());
            windows.put(batch.mailbox(), window);
            window.fill();
        }
    }

    public RawMessage get(@Header(MessageIngest.MAILBOX_HEADER) String mailboxId, @Body String gmailId) throws IOException {
        Window window = windows.get(mailboxId);
        CompletableFuture<RawMessage> ahead = window == null ? null : window.take(gmailId);
        if (ahead == null) {
            try {
                return fetch(mailboxId, gmailId);
            } finally {
                if (window != null) {
                    window.fill();
                }
            }
        }
        try {
            return ahead.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching message " + gmailId);
        } catch (CancellationException e) {
            return fetch(mailboxId, gmailId);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        } finally {
            window.fill();
        }
    }

    /** How many fetched-ahead messages of the mailbox are held or on their way (for tests and the curious). */
    public int heldAhead(String mailboxId) {
        Window window = windows.get(mailboxId);
        return window == null ? 0 : window.pending();
    }

    private RawMessage fetch(String mailboxId, String gmailId) throws IOException {
        com.google.api.services.gmail.Gmail gmail = clients.client(mailboxId);
        return retry.call(mailboxId, () -> reader.read(mailboxId, gmail.users().messages().get("me", gmailId)));
    }

    /** One batch's fetches ahead: the ids not yet started, and those started but not yet taken, in order. */
    private final class Window {
        private final String mailbox;
        private final Deque<String> waiting;
        private final Map<String, CompletableFuture<RawMessage>> started = new LinkedHashMap<>();

        Window(String mailbox, List<String> ids) {
            this.mailbox = mailbox;
            this.waiting = new ArrayDeque<>(ids);
        }

        /** Starts fetches until N are held or on their way; stored messages are left to the route to skip. */
        synchronized void fill() {
            while (started.size() < fetchAhead && !waiting.isEmpty()) {
                String id = waiting.poll();
                if (alreadyStored.test(mailbox, id)) {
                    continue;
                }
                CompletableFuture<RawMessage> fetched = new CompletableFuture<>();
                started.put(id, fetched);
                executor.execute(() -> {
                    if (fetched.isDone()) {
                        return; // cancelled before it ran
                    }
                    try {
                        RawMessage message = fetch(mailbox, id);
                        if (!fetched.complete(message)) {
                            message.close(); // cancelled while it was fetched
                        }
                    } catch (IOException | RuntimeException e) {
                        fetched.completeExceptionally(e);
                    }
                });
            }
        }

        /**
         * The fetch of this id, if it was started ahead. Fetches started for ids before it are dropped:
         * the route skipped those (stored meanwhile), and they must not hold a place in the window.
         */
        synchronized CompletableFuture<RawMessage> take(String id) {
            if (!started.containsKey(id)) {
                waiting.remove(id);
                return null;
            }
            for (var entries = started.entrySet().iterator(); entries.hasNext(); ) {
                var entry = entries.next();
                entries.remove();
                if (entry.getKey().equals(id)) {
                    return entry.getValue();
                }
                discard(entry.getValue());
            }
            return null;
        }

        /** Drops a fetch: cancelled if it is still running, its message closed if it has one. */
        private static void discard(CompletableFuture<RawMessage> fetch) {
            if (!fetch.cancel(true) && !fetch.isCompletedExceptionally()) {
                fetch.join().close();
            }
        }

        synchronized int pending() {
            return started.size();
        }

        synchronized void cancel() {
            waiting.clear();
            started.values().forEach(Window::discard);
            started.clear();
        }
    }
}
