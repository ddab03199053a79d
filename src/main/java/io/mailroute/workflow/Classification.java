package io.mailroute.workflow;

import java.time.Duration;
import java.util.List;

/**
 * What triage decided for a new message, in the workflow's terms. {@code itemType} IGNORE means
 * no item (newsletters and the like).
 */
public record Classification(String ruleId, String itemType, String category, String queue, String assignee,
        String priority, Duration sla, List<String> channels) {

    public boolean ignored() {
        return "IGNORE".equals(itemType);
    }
}
