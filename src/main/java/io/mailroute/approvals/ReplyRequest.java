package io.mailroute.approvals;

import java.util.List;

/**
 * What a reply is checked against: the request email as sent, and who may decide it now.
 *
 * @param messageId the request email's Message-ID as sent, with or without angle brackets
 * @param threadId the Gmail thread the request email is in
 * @param approvers the addresses that may decide now (for a sequence, only the current one), as configured
 * @param decided whether the approval has been decided already
 */
public record ReplyRequest(String messageId, String threadId, List<String> approvers, boolean decided) {

    public ReplyRequest {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }
}
