package io.mailroute.reports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.timers.Timers;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The reports' timers on the service's one timer mechanism ({@link Timers}: rows in the database, fired once by the
 * camel-quartz tick), so they survive restarts and run on any node; and the schedule's memory ({@code report_schedule}:
 * since when each report has been scheduled, what a start-up catches up).
 * <ul>
 *   <li>{@value #RETRY}: a failed run's next attempt (FAILED → PLANNED; the resume tick then works on it).</li>
 *   <li>{@value #DEADLINE}: a report's acknowledgement deadline: its SENT and DOWNLOADED recipients become OVERDUE,
 *       each gets one reminder, the owner one alert naming them, and the event {@code report.overdue}.</li>
 * </ul>
 * The owner's alert on a failure is planned with the failure, once per run (its first failure).
 */
final class ReportTimers {

    static final String RETRY = "report.retry";
    static final String DEADLINE = "report.ack-deadline";
    private static final Logger LOG = LoggerFactory.getLogger(ReportTimers.class);
    private static final String REGISTER = """
            INSERT INTO report_schedule (report_id, cron, zone, since) VALUES (:reportId, :cron, :zone, :since)
            ON CONFLICT DO NOTHING""";
    private static final String SINCE = "SELECT since FROM report_schedule WHERE report_id = :reportId";

    private final Timers timers;
    private final ReportRuns runs;
    private final ReportDeliveries deliveries;
    private final ReportAudience audience;
    private final Supplier<ReportsConfig> config;
    private final EventLog events;
    private final Database db;
    private final int maxAttempts;
    private final java.time.Clock clock;

    ReportTimers(Timers timers, ReportRuns runs, ReportDeliveries deliveries, ReportAudience audience,
            Supplier<ReportsConfig> config, EventLog events, Database db, int maxAttempts,
            java.time.Clock clock) {
        this.timers = timers;
        this.runs = runs;
        this.deliveries = deliveries;
        this.audience = audience;
        this.config = config;
        this.events = events;
        this.db = db;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
    }

    /** Registers the handlers (once per timer mechanism: a second engine on it shares them). Call before the context starts. */
    void install() {
        if (timers.kinds().contains(RETRY)) {
            return;
        }
        timers.register(RETRY, timer -> {
            long runId = timer.data().path("runId").asLong();
            if (runs.retry(runId, maxAttempts)) {
                LOG.info("Report run {}: attempt {} of {} now", runId, timer.data().path("attempt").asInt(), maxAttempts);
            }
            return List.of();
        });
        timers.register(DEADLINE, timer -> overdue(timer.data().path("runId").asLong()));
    }

    /** Since when this report has been scheduled here (the first call for it records {@code now}). */
    Instant scheduledSince(ReportDefinition report, Instant now) {
        db.jdbc().update(REGISTER, new MapSqlParameterSource("reportId", report.id()).addValue("cron", report.schedule().cron())
                .addValue("zone", report.schedule().zone().getId()).addValue("since", Timestamp.from(now)));
        return db.jdbc().queryForObject(SINCE, Map.of("reportId", report.id()), Timestamp.class).toInstant();
    }

    /** The acknowledgement deadline of a distributed run, when its report asks for one (scheduled once). */
    void deadline(ReportDefinition report, ReportRun run) {
        report.acknowledgeWithin().ifPresent(within -> timers.schedule(DEADLINE, subject(run.id()), "ack",
                deadlineOf(run, within), data(run.id(), 0)));
    }

    static Instant deadlineOf(ReportRun run, java.time.Duration within) {
        return run.acknowledgeBy(within);
    }

    /**
     * After a failed attempt: the owner's alert (first failure only: one alert however many retries) and the next
     * attempt, when there is one (retryAt not null). In one transaction.
     */
    void failed(ReportDefinition report, ReportRun run, Event failedEvent, Instant retryAt) {
        db.transactions().executeWithoutResult(tx -> {
            if (run.attempts() == 1) {
                Optional<String> owner = report == null ? Optional.empty() : audience.owner(report);
                if (owner.isPresent()) {
                    deliveries.plan(failedEvent.id(), ReportMail.FAILED_ALERT, report.mailbox(), report.owner(), owner.get());
                } else {
                    LOG.warn("Report run {} ({}) failed and its owner has no email address to be told at", run.id(), run.reportId());
                }
            }
            if (retryAt != null) {
                timers.schedule(RETRY, subject(run.id()), "attempt-" + (run.attempts() + 1), retryAt,
                        data(run.id(), run.attempts() + 1));
            }
        });
    }

    /** The deadline passed (inside the timer's transaction): OVERDUE, one reminder each, one alert to the owner. */
    private List<Event> overdue(long runId) {
        Optional<ReportRun> found = runs.find(runId);
        if (found.isEmpty()) {
            return List.of();
        }
        ReportRun run = found.get();
        ReportDefinition report = config.get().report(run.reportId()).orElse(null);
        List<RunRecipient> late = runs.overdue(runId, clock.instant());
        if (late.isEmpty() || report == null) {
            return List.of();
        }
        ArrayNode addresses = events.json().createArrayNode();
        for (RunRecipient recipient : late) {
            deliveries.plan(ReportMail.reminderEmailId(runId), ReportMail.REMINDER, report.mailbox(), recipient.recipient(),
                    recipient.address());
            addresses.add(recipient.address());
        }
        audience.owner(report).ifPresent(owner -> deliveries.plan(ReportMail.overdueEmailId(runId), ReportMail.OVERDUE_ALERT,
                report.mailbox(), report.owner(), owner));
        ObjectNode data = events.json().createObjectNode();
        data.put("runId", runId).put("reportId", run.reportId()).put("period", run.period());
        data.set("overdue", addresses);
        List<Event> appended = new ArrayList<>();
        appended.add(events.append("report.overdue", null, null, null, data));
        return appended;
    }

    static String subject(long runId) {
        return "report-run:" + runId;
    }

    private ObjectNode data(long runId, int attempt) {
        return events.json().createObjectNode().put("runId", runId).put("attempt", attempt);
    }
}
