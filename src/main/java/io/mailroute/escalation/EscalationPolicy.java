package io.mailroute.escalation;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One channel's {@code escalate:} in channels.yaml: when its notice of an event went unopened (or unacknowledged) for
 * {@link #after}, the event goes to the audiences {@link #to} as well.
 *
 * @param channel    the channel whose deliveries it watches
 * @param condition  what counts as an answer: any delivery of the event opened, or acted on
 * @param after      how long after the channel's first delivery of the event went
 * @param to         audiences of channels.yaml the event is planned for when nobody answered
 * @param priorities the item priorities it applies to (upper case), or {@value #ANY} for every event, with or without one
 */
public record EscalationPolicy(String channel, Condition condition, Duration after, List<String> to, Set<String> priorities) {

    /** The {@code priorities:} value that takes every event, also one without an item priority (an alert, a connection notice). */
    public static final String ANY = "ANY";

    /** What stops an escalation before it fires. */
    public enum Condition {
        /** {@code unopenedFor}: escalate unless a delivery of the event was opened (or acted on, which opens). */
        UNOPENED("unopenedFor", "unopened"),
        /** {@code unackedFor}: escalate unless someone acted on a delivery of the event (opening is not enough). */
        UNACKED("unackedFor", "unacked");

        private final String key;
        private final String reason;

        Condition(String key, String reason) {
            this.key = key;
            this.reason = reason;
        }

        /** Its key under {@code escalate:}. */
        public String key() {
            return key;
        }

        /** Its word in {@code delivery.escalated}'s {@code reason}. */
        public String reason() {
            return reason;
        }
    }

    public EscalationPolicy {
        to = List.copyOf(to);
        priorities = Set.copyOf(priorities);
    }

    /** Whether an event of an item of this priority (null: none) escalates here. */
    public boolean covers(String priority) {
        return priorities.contains(ANY) || priority != null && priorities.contains(priority.strip().toUpperCase(Locale.ROOT));
    }
}
