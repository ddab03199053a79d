package io.mailroute.approvals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What is asked for, validated ({@link ApprovalRequestReader} for the API and routes, {@link Approvals} for items that
 * triage typed approval).
 *
 * @param approvers  as named: addresses and groups of approvals.yaml
 * @param policy     a policy of approvals.yaml; null for the default
 * @param fields     scalar values shown to the approvers (amount, currency, vendor, reference ...)
 * @param mailbox    the mailbox its requests go from; null for approvals.yaml's {@code mailbox}
 * @param priority   LOW, NORMAL, HIGH or URGENT (the policy's {@code urgent:} may look at it)
 * @param itemId     the workflow item it decides, or null
 * @param actor      who asked, for the history and the audit trail ("token:erp", "route:po-intake", "triage rule ...")
 */
public record ApprovalRequest(String title, String requester, List<String> approvers, String policy, ObjectNode fields,
        List<Attachment> attachments, String callbackUrl, String idempotencyKey, String mailbox, String priority, Long itemId,
        String originalMessageId, String originalThreadId, Source source, String actor) {

    /** Where a request came from. */
    public enum Source { EMAIL, API, ROUTE }

    /** An attachment by name, and where to find it (a URL, or the sha256 of a stored attachment); never the bytes. */
    public record Attachment(String name, String ref) {
    }

    public ApprovalRequest {
        approvers = List.copyOf(approvers);
        attachments = List.copyOf(attachments);
    }
}
