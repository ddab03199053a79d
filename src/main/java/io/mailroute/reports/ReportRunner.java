package io.mailroute.reports;

import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.reports.render.RenderedDocument;
import io.mailroute.timers.Timers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reports: once per (report, period), on any node, resumed after a crash, never sending twice.
 *
 * <pre>
 *   fire (schedule) / run (API, command) / catch-up at start / resume (tick)
 *     → begin the run of the period (its data window fixed once) → claim it under a lease
 *     → plan its recipients → GENERATING: read the source, render, store (content-addressed)
 *     → DISTRIBUTING: one delivery per recipient not yet handed over (each in one transaction with its recipient row)
 *     → DONE (an acknowledgement deadline, when the report asks for one, is a timer)
 *   any failure → FAILED with the reason; the owner is told once (the first failure); retried by policy (a timer)
 * </pre>
 * The emails themselves are written by {@link ReportMail} when the delivery pipeline sends them, and a recipient is
 * SENT when Gmail took the email.
 */
public final class ReportRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ReportRunner.class);
    /** How many recipients are handed over between two renewals of the lease. */
    private static final int RENEW_EVERY = 25;

    /**
     * @param lease       how long a node holds a run it works on before another may take it over (renewed as it goes)
     * @param maxAttempts how many times a failing run is tried in all
     * @param retryAfter  how long after a failure the next attempt starts
     */
    public record Policy(Duration lease, int maxAttempts, Duration retryAfter) {
        public Policy {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("mailroute.reports.max-attempts must be 1 or more, not " + maxAttempts);
            }
        }
    }

    /** Renders the document of one report for one window (and recipient, or null) to a new file in a directory. */
    @FunctionalInterface
    public interface Renderer {
        RenderedDocument render(ReportDefinition report, RunWindow window, String recipient, Path directory) throws Exception;
    }

    /** What a source does once its run has ended (a file source moves its file aside). */
    @FunctionalInterface
    public interface SourceEnd {
        void finished(ReportDefinition report, RunWindow window, boolean succeeded) throws Exception;
    }

    /** What {@link #run} did. */
    public record Outcome(ReportRun run, boolean created, String said, List<Event> events) {
    }

    private final Supplier<ReportsConfig> config;
    private final ReportRuns runs;
    private final ReportAudience audience;
    private final ReportFiles files;
    private final Renderer renderer;
    private final SourceEnd sourceEnd;
    private final ReportDeliveries deliveries;
    private final ReportTimers timers;
    private final Database db;
    private final Policy policy;
    private final String node;
    private final Clock clock;

    ReportRunner(Supplier<ReportsConfig> config, ReportRuns runs, ReportAudience audience, ReportFiles files, Renderer renderer,
            SourceEnd sourceEnd, ReportDeliveries deliveries, ReportTimers timers, Database db, Policy policy, String node,
            Clock clock) {
        this.config = config;
        this.runs = runs;
        this.audience = audience;
        this.files = files;
        this.renderer = renderer;
        this.sourceEnd = sourceEnd;
        this.deliveries = deliveries;
        this.timers = timers;
        this.db = db;
        this.policy = policy;
        this.node = node;
        this.clock = clock;
    }

    /**
     * A firing of a report's schedule, at Quartz's scheduled fire time: the moment the cron names, where its
     * {@code fireTime} (when Quartz got round to it) may be up to 2 ms before it (Quartz fires a trigger that close)
     * and so in the period before, which ran already. A firing caught up after a misfire is scheduled at the time it
     * fired, and belongs to the period of the latest firing before it.
     */
    public List<Event> fire(@Header("MailrouteReport") String reportId, @Header("scheduledFireTime") Date scheduledAt) {
        ReportDefinition report = report(reportId);
        Instant at = scheduledAt == null ? clock.instant() : scheduledAt.toInstant();
        RunWindow window = report.schedule().windowAt(at);
        return begin(report, window, false).events();
    }

    /**
     * Runs a report now, for the period given ({@code 2026-W48}) or, when null, the period of its latest scheduled
     * firing: nothing happens when that run is DONE already (once per period), a FAILED one is tried again.
     *
     * @throws IllegalArgumentException for an unknown report or a period that is not one of its periods
     */
    public Outcome run(String reportId, String period) {
        ReportDefinition report = report(reportId);
        RunWindow window = period == null ? report.schedule().windowAt(clock.instant())
                : report.schedule().windowOf(period);
        return begin(report, window, true);
    }

    /**
     * At start-up: each report's latest firing that fell while the service was down (after the report was first
     * scheduled here, and with no run) is run now, once: a service down across several firings runs the last one.
     */
    public List<Event> catchUp() {
        List<Event> events = new ArrayList<>();
        Instant now = clock.instant();
        for (ReportDefinition report : config.get().reports().values()) {
            Instant since = timers.scheduledSince(report, now);
            Optional<Instant> latest = report.schedule().latestFiring(now);
            if (latest.isEmpty() || !latest.get().isAfter(since)) {
                continue;
            }
            RunWindow window = report.schedule().windowAt(latest.get());
            if (runs.find(report.id(), window.period()).isEmpty()) {
                LOG.info("Report {}: its firing of {} (period {}) was missed while the service was down; running it once now",
                        report.id(), latest.get(), window.period());
                events.addAll(begin(report, window, false).events());
            }
        }
        return events;
    }

    /** Unfinished runs no node holds (a node died, or a retry fell due): each worked on here. */
    public List<Event> resume() {
        List<Event> events = new ArrayList<>();
        for (ReportRun run : runs.resumable(10)) {
            events.addAll(work(run.id()));
        }
        return events;
    }

    private Outcome begin(ReportDefinition report, RunWindow window, boolean byHand) {
        ReportRuns.Begun begun = runs.begin(report.id(), window.period());
        ReportRun run = begun.run();
        runs.window(run.id(), window);
        if (run.state() == ReportRun.State.DONE) {
            return new Outcome(run, false, "report " + report.id() + " was run for period " + run.period() + " already ("
                    + run.updatedAt() + "): a period is sent once", List.of());
        }
        if (run.state() == ReportRun.State.FAILED) {
            if (!byHand) {
                return new Outcome(run, false, "report " + report.id() + " failed for period " + run.period()
                        + "; its retries are scheduled by policy", List.of());
            }
            runs.retry(run.id(), Integer.MAX_VALUE); // an operator asking again after fixing the cause
        }
        List<Event> events = work(run.id());
        ReportRun now = runs.find(run.id()).orElse(run);
        return new Outcome(now, begun.created(), "report " + report.id() + " period " + now.period() + ": "
                + now.state().name().toLowerCase(Locale.ROOT)
                + (now.lastError() != null && now.state() == ReportRun.State.FAILED ? " (" + now.lastError() + ")" : ""), events);
    }

    /** Works on one run, when no one else holds it; answers the events it committed. */
    List<Event> work(long runId) {
        Optional<ReportRuns.Claim> claimed = runs.claim(runId, node, policy.lease());
        if (claimed.isEmpty()) {
            return List.of(); // finished, or another node works on it
        }
        ReportRuns.Claim claim = claimed.get();
        List<Event> events = new ArrayList<>();
        ReportRun run = claim.run();
        ReportDefinition report = config.get().report(run.reportId()).orElse(null);
        RunWindow window = null;
        try {
            if (report == null) {
                throw new RunFailure("report '" + run.reportId() + "' is no longer in " + config.get().source());
            }
            window = runs.windowOf(runId, report.schedule().zone()).orElseGet(
                    () -> report.schedule().windowOf(run.period()).forRun(runId));
            window = window.forRun(runId);
            if (run.state() == ReportRun.State.PLANNED || run.state() == ReportRun.State.GENERATING) {
                List<RunRecipient.Planned> recipients = audience.of(report);
                if (recipients.isEmpty()) {
                    throw new RunFailure("report '" + report.id() + "' names nobody to send it to: its recipients "
                            + "have no email address (" + report.where("recipients") + ")");
                }
                runs.plan(runId, recipients);
                if (!runs.generating(claim)) {
                    return events; // lost the claim
                }
                generate(claim, report, window).ifPresent(events::add);
            }
            if (!distribute(claim, report)) {
                return events;
            }
            timers.deadline(report, runs.find(runId).orElse(run));
            if (runs.done(claim)) {
                LOG.info("Report {} period {}: handed to {} for sending", report.id(), run.period(),
                        io.mailroute.text.Counted.of(runs.recipients(runId, null).size(), "recipient", "recipients"));
                finished(report, window, true);
            }
        } catch (Exception e) {
            String reason = e instanceof RunFailure ? e.getMessage() : describe(e);
            Optional<Event> failed = runs.failed(claim, reason);
            failed.ifPresent(events::add);
            if (failed.isPresent()) {
                ReportRun now = runs.find(runId).orElse(run);
                boolean retries = now.mayRetry(policy.maxAttempts());
                LOG.warn("Report {} period {}: attempt {} failed: {}{}", run.reportId(), run.period(), now.attempts(), reason,
                        retries ? "; tried again in " + policy.retryAfter() : "; no attempt left");
                timers.failed(report, now, failed.get(), retries ? clock.instant().plus(policy.retryAfter()) : null);
                if (!retries && report != null && window != null) {
                    finished(report, window, false);
                }
            }
        }
        return events;
    }

    private Optional<Event> generate(ReportRuns.Claim claim, ReportDefinition report, RunWindow window) throws Exception {
        long runId = claim.runId();
        if (!report.perRecipient()) {
            RenderedDocument document = renderer.render(report, window, null, files.staging());
            files.store(document);
            return runs.generated(claim, new ReportRun.Document(document.sha256(), document.bytes(),
                    document.format().name().toLowerCase(Locale.ROOT)));
        }
        int done = 0;
        for (RunRecipient recipient : runs.recipients(runId, null)) {
            if (recipient.status() != RunRecipient.Status.PENDING || runs.recipientDocument(runId, recipient.address()).isPresent()) {
                continue; // rendered (or skipped) before a crash
            }
            RenderedDocument document;
            try {
                document = renderer.render(report, window, recipient.address(), files.staging());
            } catch (NothingToSend nothing) {
                runs.skipped(runId, recipient.address(), nothing.getMessage());
                LOG.info("Report {} period {}: nothing sent to {}: {}", report.id(), window.period(), recipient.address(),
                        nothing.getMessage());
                continue;
            }
            files.store(document);
            runs.recipientDocument(runId, recipient.address(), document.sha256(), document.bytes(), document.rows(),
                    document.format().name().toLowerCase(Locale.ROOT));
            if (++done % RENEW_EVERY == 0 && !runs.renew(claim, policy.lease())) {
                throw new RunFailure("run " + runId + " was taken over by another node while rendering");
            }
        }
        return runs.generated(claim, null);
    }

    /** One delivery per recipient not handed over yet, each in one transaction with its recipient row. */
    private boolean distribute(ReportRuns.Claim claim, ReportDefinition report) {
        long runId = claim.runId();
        int handed = 0;
        for (RunRecipient recipient : runs.undelivered(runId)) {
            db.transactions().executeWithoutResult(tx -> {
                long delivery = deliveries.plan(ReportMail.documentEmailId(runId), ReportMail.DOCUMENT, report.mailbox(),
                        recipient.recipient(), recipient.address());
                runs.prepare(runId, recipient.address(), null, null, delivery);
            });
            if (++handed % RENEW_EVERY == 0 && !runs.renew(claim, policy.lease())) {
                LOG.warn("Report {} run {}: taken over by another node while handing it to delivery; it goes on there",
                        report.id(), runId);
                return false;
            }
        }
        return true;
    }

    private void finished(ReportDefinition report, RunWindow window, boolean succeeded) {
        try {
            sourceEnd.finished(report, window, succeeded);
        } catch (Exception e) {
            LOG.warn("Report {} period {}: could not tidy its source up after the run: {}", report.id(), window.period(),
                    describe(e));
        }
    }

    private ReportDefinition report(String reportId) {
        return config.get().report(reportId).orElseThrow(() -> new IllegalArgumentException("no report '" + reportId
                + "' in " + config.get().source() + " (reports: " + String.join(", ", config.get().reports().keySet()) + ")"));
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /**
     * A renderer's answer for a recipient who gets nothing for the period (a digest with nothing in it): they are SKIPPED
     * with this message as the reason, and the run goes on with the others.
     */
    public static final class NothingToSend extends Exception {
        public NothingToSend(String reason) {
            super(reason);
        }
    }

    /** A run that cannot go on, in words for its owner. */
    static final class RunFailure extends Exception {
        RunFailure(String message) {
            super(message);
        }
    }
}
