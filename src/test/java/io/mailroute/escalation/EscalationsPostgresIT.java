package io.mailroute.escalation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.engagement.AckSignal;
import io.mailroute.events.Event;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Escalation's SQL on PostgreSQL 15 (MAILROUTE_TEST_POSTGRES_URL; skipped, saying so, without it): the on-call chain
 * escalates level by level and ends where it comes back; an act cancels what is pending.
 */
class EscalationsPostgresIT {

    @Test
    void theChainEscalatesOnceAPerLevelAndAnActStopsItOnPostgres() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
        try (TestPostgres pg = TestPostgres.create("escalation");
                EscalationFixture f = new EscalationFixture(clock, Database.open(pg.url(), null, null, 4))) {
            String chained = f.caseCreated("URGENT").path("id").asText();
            f.sendDue();
            clock.advance(Duration.ofMinutes(15));
            assertEquals(List.of("delivery.ignored", "delivery.ignored", "delivery.escalated"),
                    f.fireDue().stream().map(Event::type).toList());
            f.sendDue();
            clock.advance(Duration.ofMinutes(10));
            f.fireDue();
            f.sendDue();
            clock.advance(Duration.ofMinutes(10));
            f.fireDue();
            f.sendDue();
            clock.advance(Duration.ofDays(1));
            assertEquals(List.of(), f.fireDue());
            assertEquals(List.of(), f.timers.pending(Escalations.subject(chained)));
            assertEquals(List.of("email lead", "email team", "oncall-primary mei", "oncall-secondary ravi"),
                    f.sent.stream().sorted().toList());

            String acted = f.caseCreated("HIGH").path("id").asText();
            f.sendDue();
            f.engagement.record(f.deliveries(acted, "email").get(0), AckSignal.acted(AckSignal.ACKNOWLEDGED));
            clock.advance(Duration.ofHours(1));
            assertEquals(List.of(), f.fireDue());
            assertEquals(3, f.events.count(Escalations.ESCALATED));
        }
    }
}
