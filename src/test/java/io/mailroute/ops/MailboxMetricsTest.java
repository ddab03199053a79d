package io.mailroute.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStatus;
import io.mailroute.testing.MutableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MailboxMetricsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T08:00:00Z"));
    private final AtomicReference<List<MailboxStatus>> table = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    MailboxMetricsTest() {
        new MailboxMetrics(List.of("support", "hr"), () -> {
            reads.incrementAndGet();
            return table.get();
        }, clock).bindTo(registry);
    }

    @Test
    void oneSeriesPerMailboxAndStateWithOneForTheCurrentState() {
        table.set(List.of(status("support", MailboxState.ACTIVE, clock.instant().minusSeconds(3)),
                status("hr", MailboxState.NOT_CONNECTED, clock.instant().minusSeconds(90))));

        String text = registry.scrape();

        assertTrue(text.contains("mailroute_mailbox_state{mailbox=\"hr\",state=\"NOT_CONNECTED\"} 1.0"), text);
        assertTrue(text.contains("mailroute_mailbox_state{mailbox=\"hr\",state=\"ACTIVE\"} 0.0"), text);
        assertTrue(text.contains("mailroute_mailbox_state{mailbox=\"support\",state=\"ACTIVE\"} 1.0"), text);
        assertEquals(2 * MailboxState.values().length, text.lines().filter(l -> l.startsWith("mailroute_mailbox_state{")).count());
        assertTrue(text.contains("mailroute_mailbox_last_success_age_seconds{mailbox=\"hr\"} 90.0"), text);
        assertTrue(text.contains("mailroute_mailbox_last_success_age_seconds{mailbox=\"support\"} 3.0"), text);
    }

    @Test
    void aScrapeReadsTheStatesOnceAndTheNextScrapeReadsThemAgain() {
        table.set(List.of(status("support", MailboxState.ACTIVE, clock.instant()), status("hr", MailboxState.ACTIVE, clock.instant())));
        registry.scrape();
        assertEquals(1, reads.get(), "one query for all 16 series");

        table.set(List.of(status("support", MailboxState.ACTIVE, clock.instant()), status("hr", MailboxState.PAUSED, null)));
        clock.advance(Duration.ofSeconds(15));
        String text = registry.scrape();

        assertEquals(2, reads.get());
        assertTrue(text.contains("mailroute_mailbox_state{mailbox=\"hr\",state=\"PAUSED\"} 1.0"), text);
        assertTrue(text.contains("mailroute_mailbox_last_success_age_seconds{mailbox=\"hr\"} NaN"), "never succeeded: " + text);
    }

    @Test
    void theOwnerIsOneSeriesPerMailboxWithItsNodeAndMovesWithIt() {
        table.set(List.of(owned("support", "node-1"), owned("hr", null)));
        registry.scrape(); // the first owner since the start may show one scrape late (see MailboxMetrics)
        clock.advance(Duration.ofSeconds(15));
        String first = registry.scrape();
        assertTrue(first.contains("mailroute_mailbox_owner{mailbox=\"support\",node=\"node-1\"} 1.0"), first);
        assertEquals(1, first.lines().filter(l -> l.startsWith("mailroute_mailbox_owner{")).count(), "hr was never polled: " + first);

        table.set(List.of(owned("support", "node-2"), owned("hr", "node-2")));
        clock.advance(Duration.ofSeconds(15));
        String moved = registry.scrape();

        assertTrue(moved.contains("mailroute_mailbox_owner{mailbox=\"support\",node=\"node-2\"} 1.0"), moved);
        assertTrue(moved.contains("mailroute_mailbox_owner{mailbox=\"hr\",node=\"node-2\"} 1.0"), moved);
        assertFalse(moved.contains("node=\"node-1\""), "the former owner's series is gone: " + moved);
    }

    @Test
    void unreadableStatesAreNaNNotZeroAndTheScrapeStillAnswers() {
        table.set(null); // the source throws a NullPointerException, as a failed query would throw

        String text = registry.scrape();

        assertTrue(text.contains("mailroute_mailbox_state{mailbox=\"hr\",state=\"NOT_CONNECTED\"} NaN"), text);
        assertTrue(text.contains("mailroute_mailbox_last_success_age_seconds{mailbox=\"hr\"} NaN"), text);
    }

    private MailboxStatus owned(String id, String node) {
        Instant at = clock.instant();
        return new MailboxStatus(id, id + "@acme.example", MailboxState.ACTIVE, "1000", at, at, at, null, 0, null,
                io.mailroute.gmail.GmailErrorCounts.Tally.NONE, node, node == null ? null : at);
    }

    private static MailboxStatus status(String id, MailboxState state, Instant lastSuccess) {
        return new MailboxStatus(id, id + "@acme.example", state, "1000", lastSuccess, lastSuccess, lastSuccess, null, 0, null);
    }
}
