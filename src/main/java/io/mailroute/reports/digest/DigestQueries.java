package io.mailroute.reports.digest;

import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition.DigestSource.Section;
import io.mailroute.reports.RunWindow;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Computes a {@link Digest} from Mailroute's own database, for a period ({@code :periodStart} inclusive to
 * {@code :periodEnd} exclusive) and a {@link DigestScope}. Each figure is grouped by queue in SQL (something of no item
 * has no queue) and the scope picks the queues in Java, so the queries bind only the period.
 */
public final class DigestQueries {

    private static final String PERIOD = " >= :periodStart AND %s < :periodEnd";
    private static final String OPENED = "SELECT queue, COUNT(*) AS n FROM workflow_item WHERE created_at"
            + PERIOD.formatted("created_at") + " GROUP BY queue";
    private static final String RESOLVED = "SELECT queue, COUNT(*) AS n FROM workflow_item WHERE state IN ('RESOLVED', 'CLOSED')"
            + " AND updated_at" + PERIOD.formatted("updated_at") + " GROUP BY queue";
    private static final String SLA_BREACHES = "SELECT queue, COUNT(*) AS n FROM workflow_item WHERE sla_breached_at"
            + PERIOD.formatted("sla_breached_at") + " GROUP BY queue";
    /** Escalations: the events helper code appends when a delivery nobody opened was escalated. */
    static final String ESCALATED = "delivery.escalated";
    private static final String ESCALATIONS = "SELECT i.queue, COUNT(*) AS n FROM workflow_event e"
            + " LEFT JOIN workflow_item i ON i.id = e.item_id WHERE e.type = :type AND e.occurred_at"
            + PERIOD.formatted("e.occurred_at") + " GROUP BY i.queue";
    private static final String APPROVALS = "SELECT i.queue, COUNT(*) AS n FROM approval a"
            + " LEFT JOIN workflow_item i ON i.id = a.item_id WHERE a.decided_at" + PERIOD.formatted("a.decided_at")
            + " GROUP BY i.queue";
    private static final String FAILED = "SELECT i.queue, COUNT(*) AS n FROM delivery d"
            + " LEFT JOIN workflow_item i ON i.id = d.item_id WHERE d.status = 'FAILED' AND d.updated_at"
            + PERIOD.formatted("d.updated_at") + " GROUP BY i.queue";
    /** A mailbox's exceptions: mail it quarantined, and its connection breaking. */
    private static final String QUARANTINED = "SELECT mailbox_id, COUNT(*) AS n FROM mail_message WHERE status = 'QUARANTINED'"
            + " AND ingested_at" + PERIOD.formatted("ingested_at") + " GROUP BY mailbox_id";
    private static final String BREAKS = "SELECT mailbox_id, COUNT(*) AS n FROM workflow_event WHERE type = 'connection.broken'"
            + " AND occurred_at" + PERIOD.formatted("occurred_at") + " GROUP BY mailbox_id";
    private static final String ENGAGEMENT = """
            SELECT d.channel, d.recipient, i.queue, COUNT(*) AS sent,
                   SUM(CASE WHEN d.opened_at IS NOT NULL THEN 1 ELSE 0 END) AS opened,
                   SUM(CASE WHEN d.acted_at IS NOT NULL THEN 1 ELSE 0 END) AS acted,
                   SUM(CASE WHEN d.ignored_at IS NOT NULL THEN 1 ELSE 0 END) AS ignored
            FROM delivery d LEFT JOIN workflow_item i ON i.id = d.item_id
            WHERE d.status IN ('SENT', 'DELIVERED') AND d.created_at >= :periodStart AND d.created_at < :periodEnd
            GROUP BY d.channel, d.recipient, i.queue""";
    /** How long a name from the database (a queue, a recipient: possibly an address from an email) is shown. */
    private static final int MAX_NAME = 128;

    private final Database db;

    public DigestQueries(Database db) {
        this.db = db;
    }

    /** The digest of the window for the scope, with the sections asked for (the others null). */
    public Digest compute(RunWindow window, DigestScope scope, List<Section> sections) {
        MapSqlParameterSource period = new MapSqlParameterSource("periodStart", Timestamp.from(window.start()))
                .addValue("periodEnd", Timestamp.from(window.end())).addValue("type", ESCALATED);
        List<Digest.QueueActivity> activity = sections.contains(Section.ACTIVITY) ? activity(period, scope) : null;
        List<Digest.MailboxExceptions> mailboxes = sections.contains(Section.ACTIVITY) ? exceptions(period, scope) : null;
        List<Digest.Engagement> byChannel = null;
        List<Digest.Engagement> byPerson = null;
        if (sections.contains(Section.ENGAGEMENT)) {
            Map<String, Digest.Engagement> channels = new TreeMap<>();
            Map<String, Digest.Engagement> people = new TreeMap<>();
            db.jdbc().query(ENGAGEMENT, period, rs -> {
                if (!scope.covers(rs.getString("queue"))) {
                    return;
                }
                long sent = rs.getLong("sent");
                long opened = rs.getLong("opened");
                long acted = rs.getLong("acted");
                long ignored = rs.getLong("ignored");
                String channel = bounded(rs.getString("channel"));
                String person = bounded(rs.getString("recipient"));
                channels.merge(channel, new Digest.Engagement(channel, sent, opened, acted, ignored), Digest.Engagement::plus);
                people.merge(person, new Digest.Engagement(person, sent, opened, acted, ignored), Digest.Engagement::plus);
            });
            byChannel = new ArrayList<>(channels.values());
            byPerson = new ArrayList<>(people.values());
        }
        return new Digest(window.period(), window.start().toString(), window.end().toString(), scope.everything(),
                List.copyOf(scope.queues()), activity, mailboxes, byChannel, byPerson);
    }

    private List<Digest.QueueActivity> activity(MapSqlParameterSource period, DigestScope scope) {
        Map<String, Long> opened = counts(OPENED, period);
        Map<String, Long> resolved = counts(RESOLVED, period);
        Map<String, Long> breaches = counts(SLA_BREACHES, period);
        Map<String, Long> escalations = counts(ESCALATIONS, period);
        Map<String, Long> approvals = counts(APPROVALS, period);
        Map<String, Long> failed = counts(FAILED, period);
        List<String> queues = new ArrayList<>(new java.util.TreeSet<>(scope.queues()));
        if (scope.everything()) {
            java.util.TreeSet<String> seen = new java.util.TreeSet<>();
            for (Map<String, Long> counts : List.of(opened, resolved, breaches, escalations, approvals, failed)) {
                counts.keySet().stream().filter(java.util.Objects::nonNull).forEach(seen::add);
            }
            queues.addAll(seen);
            queues.add(null);
        }
        List<Digest.QueueActivity> rows = new ArrayList<>();
        for (String queue : queues) {
            Function<Map<String, Long>, Long> of = counts -> counts.getOrDefault(queue, 0L);
            Digest.QueueActivity row = new Digest.QueueActivity(queue == null ? Digest.NO_QUEUE : bounded(queue), of.apply(opened),
                    of.apply(resolved), of.apply(breaches), of.apply(escalations), of.apply(approvals), of.apply(failed));
            if (queue != null || !row.isEmpty()) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Each mailbox the scope covers (an owned one with zeros; for everything, those with an exception), sorted. */
    private List<Digest.MailboxExceptions> exceptions(MapSqlParameterSource period, DigestScope scope) {
        Map<String, Long> quarantined = counts(QUARANTINED, period);
        Map<String, Long> breaks = counts(BREAKS, period);
        java.util.TreeSet<String> shown = new java.util.TreeSet<>(scope.mailboxes());
        if (scope.everything()) {
            java.util.stream.Stream.concat(quarantined.keySet().stream(), breaks.keySet().stream())
                    .filter(java.util.Objects::nonNull).forEach(shown::add);
        }
        List<Digest.MailboxExceptions> rows = new ArrayList<>();
        for (String mailbox : shown) {
            rows.add(new Digest.MailboxExceptions(bounded(mailbox), quarantined.getOrDefault(mailbox, 0L),
                    breaks.getOrDefault(mailbox, 0L)));
        }
        return rows;
    }

    /** Counts by queue (a null key: of no queue). */
    private Map<String, Long> counts(String sql, MapSqlParameterSource period) {
        Map<String, Long> counts = new HashMap<>();
        db.jdbc().query(sql, period, rs -> {
            counts.merge(rs.getString(1), rs.getLong("n"), Long::sum);
        });
        return counts;
    }

    private static String bounded(String name) {
        if (name == null) {
            return "";
        }
        String clean = name.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", " ").strip();
        return clean.length() <= MAX_NAME ? clean : clean.substring(0, MAX_NAME - 1) + "…";
    }
}
