package io.mailroute.workflow;

import java.time.Instant;
import java.util.List;

/** What the workflow needs to know of a stored message to triage and correlate it. */
public record MessageFacts(long id, String mailbox, String gmailId, String threadId, String messageIdHeader,
        String inReplyTo, List<String> references, String subject, String fromAddress, Instant receivedAt) {
}
