package io.mailroute.approvals;

import io.mailroute.db.Database;
import java.time.Instant;
import java.util.Map;

/**
 * What an approval's pages show about it, for pages outside this package (the console's Approvals page): the same
 * model and words the decision pages use ({@code pages/approval-details.mustache} under {@code approval}: title,
 * requester, fields, attachments, policy, expiry, the original message's sender and summary). Plain text only: the
 * templates escape it.
 */
public final class ApprovalViews {

    private final DecisionPageModel model;

    public ApprovalViews(Approvals approvals, Database db) {
        this.model = new DecisionPageModel(approvals, new OriginalMessages(db));
    }

    /** The model of {@code approval-details.mustache}: {@code {approval: {...}}}. */
    public Map<String, Object> details(Approval approval) {
        return model.base(approval);
    }

    /** "Approve", "Reject", "Request changes". */
    public static String label(Decision decision) {
        return DecisionPageModel.label(decision);
    }

    /** ", by link", ", in the console" ... for a decision's how; empty for none. */
    public static String how(String how) {
        return DecisionPageModel.how(how);
    }

    /** UTC to the minute, as the decision pages show times. */
    public static String time(Instant at) {
        return DecisionPageModel.time(at);
    }
}
