package io.mailroute.reports;

import io.mailroute.db.Database;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.events.EventLog;
import io.mailroute.timers.Timers;
import java.time.Clock;
import java.util.function.Supplier;

/** Puts the run engine together: its deliveries, its timers (registered on the one timer mechanism) and the runner. */
public final class ReportSchedule {

    private final ReportRunner runner;

    private ReportSchedule(ReportRunner runner) {
        this.runner = runner;
    }

    /**
     * Call before the context starts (it registers timer handlers).
     *
     * @param channel the email channel of channels.yaml report emails go by ({@code mailroute.reports.channel})
     * @param node    this node's id, recorded as the holder of the runs it works on
     */
    public static ReportSchedule create(Supplier<ReportsConfig> config, ReportRuns runs, ReportAudience audience,
            ReportFiles files, ReportRunner.Renderer renderer, ReportRunner.SourceEnd sourceEnd, DeliveryStore deliveryStore,
            String channel, Timers timers, EventLog events, Database db, ReportRunner.Policy policy, String node, Clock clock) {
        ReportDeliveries deliveries = new ReportDeliveries(deliveryStore, db, channel, clock);
        ReportTimers reportTimers = new ReportTimers(timers, runs, deliveries, audience, config, events, db,
                policy.maxAttempts(), clock);
        reportTimers.install();
        return new ReportSchedule(new ReportRunner(config, runs, audience, files, renderer, sourceEnd, deliveries, reportTimers,
                db, policy, node, clock));
    }

    public ReportRunner runner() {
        return runner;
    }
}
