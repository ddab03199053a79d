package io.mailroute.workflow;

import java.time.Duration;
import java.util.List;

/**
 * What triage decided for a new message, in the workflow's terms. {@code itemType} IGNORE means
 * no item (newsletters and the like). An APPROVAL names its approvers (addresses and groups) and policy
 * (null: the default).
 */
public record Classification(String ruleId, String itemType, String category, String queue, String assignee,
        String priority, Duration sla, List<String> channels, List<String> approvers, String policy) {

    public Classification {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
    }

    /** A classification that asks no one to approve. */
    public Classification(String ruleId, String itemType, String category, String queue, String assignee,
            String priority, Duration sla, List<String> channels) {
        this(ruleId, itemType, category, queue, assignee, priority, sla, channels, List.of(), null);
    }

    public boolean ignored() {
        return "IGNORE".equals(itemType);
    }
}
