package io.mailroute.triage;

import java.time.Duration;
import java.util.List;

/**
 * What the rule that matched says to do with a message.
 *
 * @param ruleId   the id of the rule that matched (the default rule's id when nothing else did)
 * @param itemType what the message becomes
 * @param category free text such as {@code procurement/invoice}
 * @param queue    the work queue; null only for {@link ItemType#IGNORE} when the rule names none
 * @param assignee who gets it; null when the rule names nobody (the queue decides)
 * @param priority one of {@link #PRIORITIES}
 * @param sla      time allowed until the item must be answered; null when the rule sets none
 * @param notifyChannels notification channel names (the rule's {@code notify:}), possibly empty, never null;
 *                 not called {@code notify}, which would clash with {@link Object#notify()}
 * @param approvers for {@link ItemType#APPROVAL}: who approves, as the rule names them (addresses and group names
 *                 of approvals.yaml); empty for the other types
 * @param policy   for {@link ItemType#APPROVAL}: the policy of approvals.yaml the rule names, null for the default
 */
public record TriageDecision(String ruleId, ItemType itemType, String category, String queue, String assignee,
        String priority, Duration sla, List<String> notifyChannels, List<String> approvers, String policy) {

    /** The priorities a rule may set, lowest first. */
    public static final List<String> PRIORITIES = List.of("LOW", "NORMAL", "HIGH", "URGENT");

    public TriageDecision {
        notifyChannels = notifyChannels == null ? List.of() : List.copyOf(notifyChannels);
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** A decision that asks no one to approve. */
    public TriageDecision(String ruleId, ItemType itemType, String category, String queue, String assignee,
            String priority, Duration sla, List<String> notifyChannels) {
        this(ruleId, itemType, category, queue, assignee, priority, sla, notifyChannels, List.of(), null);
    }
}
