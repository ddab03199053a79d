package io.mailroute.ops;

import io.mailroute.timers.Timers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The timers as Prometheus gauges: {@code mailroute_timers{state="scheduled"}} waiting to fire,
 * {@code state="due"} of those due now (staying above zero for long means the tick is not keeping up), and
 * {@code state="failed"} FAILED for good (alert on it: each one is also logged once with its kind, subject
 * and error). Read once per {@link MailboxMetrics#FRESH}, as the mailbox gauges are; NaN when they cannot be read.
 */
public final class TimerMetrics implements MeterBinder {

    private final Supplier<Timers.Counts> read;
    private final Clock clock;
    private volatile Snapshot snapshot;

    private record Snapshot(Instant at, Timers.Counts counts) {
    }

    /** @param read the counts, null while the database is closed */
    public TimerMetrics(Supplier<Timers.Counts> read, Clock clock) {
        this.read = read;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "scheduled", Timers.Counts::scheduled);
        gauge(registry, "due", Timers.Counts::due);
        gauge(registry, "failed", Timers.Counts::failed);
    }

    private void gauge(MeterRegistry registry, String state, ToLongFunction<Timers.Counts> of) {
        Gauge.builder("mailroute.timers", this, m -> m.value(of))
                .description("Timers: scheduled (waiting to fire), due (due now, not fired yet), failed (FAILED for good)")
                .tag("state", state)
                .register(registry);
    }

    private double value(ToLongFunction<Timers.Counts> of) {
        Timers.Counts counts = current();
        return counts == null ? Double.NaN : of.applyAsLong(counts);
    }

    private Timers.Counts current() {
        Snapshot last = snapshot;
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.at().plus(MailboxMetrics.FRESH))) {
            Timers.Counts counts;
            try {
                counts = read.get();
            } catch (RuntimeException e) {
                counts = null; // the database check says why; a scrape must not fail
            }
            last = new Snapshot(now, counts);
            snapshot = last;
        }
        return last.counts();
    }
}
