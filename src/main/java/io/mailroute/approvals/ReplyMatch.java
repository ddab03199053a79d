package io.mailroute.approvals;

import java.util.Objects;

/**
 * {@link ReplyMatcher}'s answer for a received message: {@link Ordinary} mail for triage, or an {@link ApprovalReply}
 * to an approval's request (or reminder) email, which never opens a case.
 */
public sealed interface ReplyMatch permits ReplyMatch.Ordinary, ReplyMatch.ApprovalReply {

    /** Answers no approval request: triage as any other mail. */
    record Ordinary() implements ReplyMatch {
    }

    /**
     * @param request the request email the reply is checked against: the one to the sender when the approval sent
     *     them one, else the one the reply names or is threaded with
     * @param matchedBy how the reply was found to answer the approval: {@code in-reply-to}, {@code references} or
     *     {@code thread}
     */
    record ApprovalReply(ApprovalMessages.Message request, String matchedBy) implements ReplyMatch {
        public ApprovalReply {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(matchedBy, "matchedBy");
        }

        public long approvalId() {
            return request.approvalId();
        }
    }
}
