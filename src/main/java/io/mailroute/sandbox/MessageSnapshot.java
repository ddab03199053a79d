package io.mailroute.sandbox;

import java.util.List;

/** A message as it was at one moment: safe to render without holding the mailbox lock. */
record MessageSnapshot(String id, String threadId, byte[] raw, ParsedMessage parsed, long internalDate,
        List<String> labelIds, long historyId) {
}
