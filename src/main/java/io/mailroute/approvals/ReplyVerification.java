package io.mailroute.approvals;

import java.util.Map;
import java.util.Objects;

/**
 * {@link ReplyVerifier}'s answer: the reply may decide ({@link Accepted}) or it may not ({@link Refused}). Both carry
 * the evidence for the audit trail: an ordered map of what was compared (thread ids, Message-IDs, From, approvers,
 * Gmail's verdicts and the domains they pass for, and {@code finding}, what the check concluded), values bounded.
 */
public sealed interface ReplyVerification permits ReplyVerification.Accepted, ReplyVerification.Refused {

    Map<String, String> evidence();

    /**
     * @param approver the approver the reply came from, as the request names them
     * @param authentication how Gmail vouched for the sender, for the {@code approval.decided} event, e.g.
     *     {@code "dmarc=pass header.from=globex.example"}
     */
    record Accepted(String approver, String authentication, Map<String, String> evidence) implements ReplyVerification {
        public Accepted {
            Objects.requireNonNull(approver, "approver");
            Objects.requireNonNull(authentication, "authentication");
            evidence = evidence == null ? Map.of() : evidence;
        }
    }

    /** @param sentence one short sentence for the person who is answered ({@link ReplyRefusal#sentence()}) */
    record Refused(ReplyRefusal reason, String sentence, Map<String, String> evidence) implements ReplyVerification {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            sentence = sentence == null ? reason.sentence() : sentence;
            evidence = evidence == null ? Map.of() : evidence;
        }
    }
}
