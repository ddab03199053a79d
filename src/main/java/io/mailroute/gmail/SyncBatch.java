package io.mailroute.gmail;

import java.util.List;

/**
 * What one poll of one mailbox must fetch, and the history id to store once all of it is
 * committed. {@code readIds}: messages whose UNREAD label was removed in the history this batch covers (someone
 * read them), when the sync watches reads ({@link HistorySync#watchingReads}); never fetched by intake. {@code newCursor} is null when the cursor must stay where it is. {@code fromCursor} is the
 * stored cursor the poll started from (null for a bootstrap): the cursor moves only if it is still that one
 * (compare-and-set), so a poll that another poll overtook (a paused process, a second instance) cannot move it
 * back or past mail it did not store.
 */
public record SyncBatch(String mailbox, Mode mode, List<String> messageIds, String newCursor, String fromCursor,
        List<String> readIds) {

    public SyncBatch {
        readIds = readIds == null ? List.of() : List.copyOf(readIds);
    }

    /** A batch of new messages only (no reads watched). */
    public SyncBatch(String mailbox, Mode mode, List<String> messageIds, String newCursor, String fromCursor) {
        this(mailbox, mode, messageIds, newCursor, fromCursor, List.of());
    }

    /** A batch whose starting cursor does not matter (it is never advanced: fetch-only uses and tests). */
    public SyncBatch(String mailbox, Mode mode, List<String> messageIds, String newCursor) {
        this(mailbox, mode, messageIds, newCursor, null);
    }

    public enum Mode {
        /** First poll: the bootstrap query, then history from the profile's id. */
        BOOTSTRAP,
        /** The normal case: history since the stored cursor. */
        HISTORY,
        /** The stored cursor had expired (history 404): a bounded re-list; duplicates are skipped. */
        RESYNC,
        /** Backing off after a failure: nothing to do this time. */
        SKIPPED
    }

    public static SyncBatch skipped(String mailbox) {
        return new SyncBatch(mailbox, Mode.SKIPPED, List.of(), null, null);
    }

    public int size() {
        return messageIds.size();
    }
}
