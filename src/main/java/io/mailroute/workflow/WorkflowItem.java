package io.mailroute.workflow;

import java.time.Instant;

/** A row of {@code workflow_item}. {@code version} guards concurrent changes (optimistic locking). */
public record WorkflowItem(long id, String type, String mailbox, ItemState state, String category, String queue,
        String assignee, String priority, String ruleId, String subject, String threadId, long sourceMessageId,
        Instant slaDueAt, Instant slaBreachedAt, Instant createdAt, Instant updatedAt, int version) {
}
