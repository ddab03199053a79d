package io.mailroute.reports;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * What one run of a report covers and where it belongs: the run, its period key, and the window of data its source
 * reads ({@code :periodStart} inclusive to {@code :periodEnd} exclusive, from {@link Periods#window}).
 *
 * @param runId  the run ({@code report_run.id}); 0 for a dry run, which has none
 * @param period the period key ({@code 2026-W48}), the run's key with the report id
 * @param start  the window's start, inclusive: the schedule's firing before the run's firing
 * @param end    the window's end, exclusive: the run's firing
 * @param zone   the schedule's time zone: the report shows times in it
 */
public record RunWindow(long runId, String period, Instant start, Instant end, ZoneId zone) {

    public RunWindow {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(zone, "zone");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("a report window starts before it ends: " + start + " to " + end);
        }
    }

    /** The same window for a run (a dry run has id 0). */
    public RunWindow forRun(long id) {
        return new RunWindow(id, period, start, end, zone);
    }
}
