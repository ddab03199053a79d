package io.mailroute.sandbox;

import java.util.List;
import java.util.Set;

/**
 * What a search query can look at in one message. Header values are as displayed (decoded);
 * {@code labelNames} holds the names of the message's labels (system labels are named like their ids).
 */
record MessageFacts(String owner, String from, String to, String cc, String bcc, String subject, String text,
        Set<String> labelIds, Set<String> labelNames, long internalDateMillis, List<String> filenames,
        long sizeBytes, String rfc822MessageId) {
}
