package io.mailroute.console.overview;

import io.mailroute.db.Database;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The Overview's SQL: named parameters only, every query bounded by the window (and the latency rows by a limit), the
 * same text on H2 and PostgreSQL. Hour buckets are counted in the database ({@code FLOOR} of seconds since the window's
 * start over 3600, grouped in a derived table so that PostgreSQL sees one expression).
 */
public final class OverviewQueries {

    /** Push channel types (a delivery of type email is not a push). */
    static final Set<String> PUSH_TYPES = Set.of("webhook", "fcm", "webpush", "appworks");
    /** Events a message's arrival causes: a push of one of them measures email→push latency. */
    static final Set<String> ARRIVAL_EVENTS = Set.of("message.received", "case.created", "item.replied");
    /** A delivery that reached its channel. */
    static final Set<String> SENT = Set.of("SENT", "DELIVERED");
    /** At most this many pushes are measured per window (the oldest first); more is not a page's work. */
    static final int LATENCY_ROW_LIMIT = 100_000;

    private static final String BUCKET = "FLOOR((EXTRACT(EPOCH FROM %s) - :startEpoch) / 3600)";
    private static final String MESSAGES_IN = """
            SELECT mailbox_id, bucket, COUNT(*) AS n FROM (
                SELECT mailbox_id, %s AS bucket FROM mail_message
                 WHERE ingested_at >= :start AND ingested_at < :end AND status <> 'SKIPPED'
            ) m GROUP BY mailbox_id, bucket""".formatted(BUCKET.formatted("ingested_at"));
    private static final String SLA_BREACHES = """
            SELECT mailbox_id, bucket, COUNT(*) AS n FROM (
                SELECT COALESCE(mailbox_id, '') AS mailbox_id, %s AS bucket FROM workflow_event
                 WHERE type = :type AND occurred_at >= :start AND occurred_at < :end
            ) e GROUP BY mailbox_id, bucket""".formatted(BUCKET.formatted("occurred_at"));
    private static final String ITEMS = """
            SELECT queue, state, COUNT(*) AS n FROM workflow_item
             WHERE created_at >= :start AND created_at < :end
             GROUP BY queue, state ORDER BY queue, state""";
    private static final String DELIVERIES = """
            SELECT status, channel_type, COUNT(*) AS n FROM delivery
             WHERE created_at >= :start AND created_at < :end
             GROUP BY status, channel_type ORDER BY status, channel_type""";
    private static final String PUSH_LATENCY = """
            SELECT d.updated_at AS sent_at, COALESCE(m.internal_date, m.ingested_at) AS received_at
              FROM delivery d
              JOIN workflow_event e ON e.id = d.event_id
              JOIN mail_message m ON m.id = e.message_id
             WHERE d.channel_type IN (:pushTypes) AND d.status IN (:sent) AND e.type IN (:arrivalEvents)
               AND d.updated_at >= :start AND d.updated_at < :end
             ORDER BY d.updated_at LIMIT :limit""";

    private final Database db;

    public OverviewQueries(Database db) {
        this.db = db;
    }

    /** Everything the Overview shows for this window. */
    public OverviewData read(OverviewWindow window) {
        return new OverviewData(window, messagesIn(window), items(window), deliveries(window), slaBreaches(window),
                latency(window));
    }

    /** Messages received (ingested or quarantined; not the skipped ones) per hour, by mailbox. */
    Map<String, long[]> messagesIn(OverviewWindow window) {
        return hourly(MESSAGES_IN, params(window));
    }

    /** {@code sla.breached} events per hour, by mailbox. */
    Map<String, long[]> slaBreaches(OverviewWindow window) {
        return hourly(SLA_BREACHES, params(window).addValue("type", "sla.breached"));
    }

    List<OverviewData.Count> items(OverviewWindow window) {
        return db.jdbc().query(ITEMS, params(window), (rs, n) -> new OverviewData.Count(rs.getString("queue"),
                rs.getString("state"), rs.getLong("n")));
    }

    List<OverviewData.Count> deliveries(OverviewWindow window) {
        return db.jdbc().query(DELIVERIES, params(window), (rs, n) -> new OverviewData.Count(rs.getString("status"),
                rs.getString("channel_type"), rs.getLong("n")));
    }

    /**
     * Per hour a push went out in: how long after its message's receipt (Gmail's internalDate, or when it was ingested
     * where Gmail gave none) it was sent (the delivery's last update, when it became SENT or DELIVERED). Only pushes of
     * the events the message's arrival caused count: a later event about the same message (an SLA breach) is not
     * latency.
     */
    List<OverviewData.LatencyHour> latency(OverviewWindow window) {
        Map<Integer, List<Long>> byBucket = new TreeMap<>();
        db.jdbc().query(PUSH_LATENCY, params(window).addValue("pushTypes", PUSH_TYPES).addValue("sent", SENT)
                .addValue("arrivalEvents", ARRIVAL_EVENTS).addValue("limit", LATENCY_ROW_LIMIT), rs -> {
                    Instant sent = rs.getTimestamp("sent_at").toInstant();
                    Instant received = rs.getTimestamp("received_at").toInstant();
                    int bucket = window.bucketOf(sent);
                    if (bucket >= 0) {
                        long millis = Math.max(0, Duration.between(received, sent).toMillis()); // clocks apart: not below 0
                        byBucket.computeIfAbsent(bucket, b -> new ArrayList<>()).add(millis);
                    }
                });
        List<OverviewData.LatencyHour> hours = new ArrayList<>();
        byBucket.forEach((bucket, values) -> {
            long[] sorted = Percentiles.sortedCopy(values.stream().mapToLong(Long::longValue).toArray());
            hours.add(new OverviewData.LatencyHour(bucket, sorted.length, Percentiles.nearestRank(sorted, 50),
                    Percentiles.nearestRank(sorted, 95)));
        });
        return hours;
    }

    private Map<String, long[]> hourly(String sql, MapSqlParameterSource params) {
        Map<String, long[]> counts = new TreeMap<>();
        db.jdbc().query(sql, params, rs -> {
            long bucket = rs.getLong("bucket");
            if (bucket >= 0 && bucket < OverviewWindow.HOURS) {
                counts.computeIfAbsent(rs.getString("mailbox_id"), m -> new long[OverviewWindow.HOURS])[(int) bucket] += rs.getLong("n");
            }
        });
        return new LinkedHashMap<>(counts);
    }

    private static MapSqlParameterSource params(OverviewWindow window) {
        return new MapSqlParameterSource("start", Timestamp.from(window.start())).addValue("end", Timestamp.from(window.end()))
                .addValue("startEpoch", window.start().getEpochSecond());
    }
}
