package io.mailroute.sandbox;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** One message in one mailbox. Labels and history id change; guarded by the owning {@link SandboxMailbox}. */
final class StoredMessage {

    final String id;
    final String threadId;
    final byte[] raw;
    final ParsedMessage parsed;
    final long internalDate;
    final Set<String> labelIds;
    long historyId;

    StoredMessage(String id, String threadId, byte[] raw, ParsedMessage parsed, long internalDate,
            List<String> labelIds, long historyId) {
        this.id = id;
        this.threadId = threadId;
        this.raw = raw;
        this.parsed = parsed;
        this.internalDate = internalDate;
        this.labelIds = new LinkedHashSet<>(labelIds);
        this.historyId = historyId;
    }

    /** Immutable view for rendering outside the mailbox lock. */
    MessageSnapshot snapshot() {
        return new MessageSnapshot(id, threadId, raw, parsed, internalDate, List.copyOf(labelIds), historyId);
    }
}
