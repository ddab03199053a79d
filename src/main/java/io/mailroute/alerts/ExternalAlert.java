package io.mailroute.alerts;

import java.time.Instant;
import java.util.List;

/** One alert another system raised, as stored in {@code external_alert}. */
public record ExternalAlert(long id, String key, String type, Severity severity, String queue, String team,
        List<String> audiences, String summary, String details, State state, int occurrences, String raisedBy,
        Instant firstSeenAt, Instant lastSeenAt, Instant remindedAt, Instant resolvedAt, String resolvedBy) {

    /** OPEN from the first report of its key until RESOLVED; a later report of the key opens a new alert. */
    public enum State {
        OPEN, RESOLVED
    }
}
