package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestMailboxes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MailboxQuotasTest {

    @Test
    void usageCountsTheUnitsOfTheLastMinuteAgainstTheBudget() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:00Z"));
        MailboxQuotas quotas = new MailboxQuotas(List.of(TestMailboxes.sandbox("hr", "hr@acme.example", "in:inbox", 10, 100_000)),
                clock);
        assertEquals(new MailboxQuotas.Usage(100_000, 0), quotas.usage("hr"));
        quotas.acquire("hr", GmailCallUnits.HISTORY_LIST);
        clock.advance(Duration.ofSeconds(30));
        quotas.acquire("hr", GmailCallUnits.MESSAGES_GET);
        quotas.acquire("hr", GmailCallUnits.MESSAGES_GET);
        assertEquals(12, quotas.usage("hr").unitsLastMinute());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(10, quotas.usage("hr").unitsLastMinute(), "the first call is a minute old: out of the window");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(0, quotas.usage("hr").unitsLastMinute());
        assertEquals(new MailboxQuotas.Usage(0, 0), quotas.usage("nobody"));
    }

    @Test
    void theShareOfTheBudget() {
        assertEquals(20, new MailboxQuotas.Usage(250, 3000).percentOfBudget());
        assertEquals(0, new MailboxQuotas.Usage(0, 3000).percentOfBudget());
    }
}
