package io.mailroute.approvals;

/** What an approver's reply decides, when its first words decide anything. */
public enum ReplyDecision {
    APPROVE,
    REJECT,
    REQUEST_CHANGES
}
