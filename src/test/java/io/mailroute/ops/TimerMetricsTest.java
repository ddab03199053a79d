package io.mailroute.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.MutableClock;
import io.mailroute.timers.Timers;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TimerMetricsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final AtomicReference<Timers.Counts> counts = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    TimerMetricsTest() {
        new TimerMetrics(() -> {
            reads.incrementAndGet();
            Timers.Counts now = counts.get();
            if (now == null) {
                throw new IllegalStateException("the database does not answer");
            }
            return now;
        }, clock).bindTo(registry);
    }

    @Test
    void scheduledDueAndFailedTimersAreGaugesReadOncePerScrape() {
        counts.set(new Timers.Counts(12, 3, 1));

        String text = registry.scrape();

        assertTrue(text.contains("mailroute_timers{state=\"scheduled\"} 12.0"), text);
        assertTrue(text.contains("mailroute_timers{state=\"due\"} 3.0"), text);
        assertTrue(text.contains("mailroute_timers{state=\"failed\"} 1.0"), text);
        assertEquals(1, reads.get(), "one query for the three series");
    }

    @Test
    void countsThatCannotBeReadAreNaNNotAFailedScrape() {
        String text = registry.scrape();
        assertTrue(text.contains("mailroute_timers{state=\"failed\"} NaN"), text);

        counts.set(new Timers.Counts(0, 0, 2));
        clock.advance(Duration.ofSeconds(15));
        assertTrue(registry.scrape().contains("mailroute_timers{state=\"failed\"} 2.0"));
    }
}
