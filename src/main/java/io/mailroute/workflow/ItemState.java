package io.mailroute.workflow;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a workflow item. Cases and alerts: OPEN → IN_PROGRESS → WAITING_FOR_INFO →
 * RESOLVED / CLOSED. Approvals: PENDING → APPROVED / REJECTED / CHANGES_REQUESTED / EXPIRED / CANCELLED.
 */
public enum ItemState {
    OPEN, IN_PROGRESS, WAITING_FOR_INFO, RESOLVED, CLOSED,
    PENDING, APPROVED, REJECTED, CHANGES_REQUESTED, EXPIRED, CANCELLED;

    /** The states a person may move an item to from this one. */
    public Set<ItemState> next() {
        return switch (this) {
            case OPEN -> EnumSet.of(IN_PROGRESS, WAITING_FOR_INFO, RESOLVED, CLOSED);
            case IN_PROGRESS -> EnumSet.of(OPEN, WAITING_FOR_INFO, RESOLVED, CLOSED);
            case WAITING_FOR_INFO -> EnumSet.of(OPEN, IN_PROGRESS, RESOLVED, CLOSED);
            case RESOLVED -> EnumSet.of(OPEN, CLOSED);
            case PENDING -> EnumSet.of(APPROVED, REJECTED, CHANGES_REQUESTED, EXPIRED, CANCELLED);
            case CHANGES_REQUESTED -> EnumSet.of(PENDING, REJECTED, EXPIRED, CANCELLED);
            case CLOSED, APPROVED, REJECTED, EXPIRED, CANCELLED -> EnumSet.noneOf(ItemState.class);
        };
    }

    public boolean canMoveTo(ItemState target) {
        return next().contains(target);
    }

    /** Still waiting for someone to act: the SLA clock runs. */
    public boolean isActive() {
        return this == OPEN || this == IN_PROGRESS || this == WAITING_FOR_INFO || this == PENDING
                || this == CHANGES_REQUESTED;
    }

    /** Where a new item starts. */
    public static ItemState initial(String itemType) {
        return "APPROVAL".equals(itemType) ? PENDING : OPEN;
    }

    /** What a reply from the sender does to an item: it brings it back to someone's attention. */
    public ItemState afterReply() {
        return switch (this) {
            case WAITING_FOR_INFO, RESOLVED -> OPEN;
            case CHANGES_REQUESTED -> PENDING;
            default -> this;
        };
    }
}
