package io.mailroute.approvals;

import java.time.Instant;

/** A row of {@code approval}. {@code state} is PENDING until the policy's outcome, a cancel or expiry; then final. */
public record Approval(long id, Long itemId, String mailbox, String title, String requester, String policy, ApprovalPolicy rule,
        String priority, boolean urgent, String state, String fieldsJson, String attachmentsJson, String callbackUrl,
        String idempotencyKey, String requestHash, String source, String originalMessageId, String originalThreadId,
        String createdBy, Instant createdAt, Instant expiresAt, Instant decidedAt, String decidedBy, String decidedHow,
        int version) {

    public static final String PENDING = "PENDING";

    public boolean pending() {
        return PENDING.equals(state);
    }

    /** An approver of an approval ({@code approval_approver}): WAITING (a sequence's later turn), ASKED, then a decision or SKIPPED. */
    public record Approver(int position, String address, String state, Instant askedAt, Instant decidedAt, String how,
            String comment, String evidence) {

        public Decision decision() {
            return switch (state) {
                case "APPROVED" -> Decision.APPROVE;
                case "REJECTED" -> Decision.REJECT;
                case "CHANGES_REQUESTED" -> Decision.REQUEST_CHANGES;
                default -> null;
            };
        }
    }

    /** A line of the approval's history ({@code approval_history}). */
    public record HistoryEntry(long id, Instant at, String action, String actor, String how, String detail, String evidence) {
    }
}
