package io.mailroute.gmail.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class GmailWatchesTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aSevenDayWatchIsRenewedDaily() {
        Instant renew = GmailWatches.renewAt(T0, T0.plus(Duration.ofDays(7)), Duration.ofDays(1), Duration.ofDays(2));
        assertEquals(T0.plus(Duration.ofDays(1)), renew);
    }

    @Test
    void aWatchAboutToLapseIsRenewedByTheMarginBeforeTheInterval() {
        // a long interval: the margin decides, 2 days before the end
        Instant renew = GmailWatches.renewAt(T0, T0.plus(Duration.ofDays(7)), Duration.ofDays(10), Duration.ofDays(2));
        assertEquals(T0.plus(Duration.ofDays(5)), renew);
    }

    @Test
    void aWatchShorterThanTheMarginWaitsHalfItsLifeRatherThanRenewingAtEveryCheck() {
        Instant renew = GmailWatches.renewAt(T0, T0.plusSeconds(6), Duration.ofDays(1), Duration.ofDays(2));
        assertEquals(T0.plusSeconds(3), renew);
    }

    @Test
    void dueWhenThereIsNoWatchOrItsRenewalTimeHasCome() {
        Instant renewAt = T0.plus(Duration.ofDays(1));
        assertTrue(GmailWatches.due(new GmailWatches.Stored(null, null), true, T0), "no watch yet");
        assertFalse(GmailWatches.due(new GmailWatches.Stored(T0.plus(Duration.ofDays(7)), renewAt), true, T0));
        assertTrue(GmailWatches.due(new GmailWatches.Stored(T0.plus(Duration.ofDays(7)), renewAt), true, renewAt));
        assertTrue(GmailWatches.due(new GmailWatches.Stored(T0.plus(Duration.ofDays(7)), null), true, T0),
                "a watch without a stored renewal time (made by an older version) is renewed");
    }

    @Test
    void aWatchStoredByAnEarlierRunIsMadeAgainAtStart() {
        // the database says the watch holds for days, but this process has not made it: the topic or labels may have
        // changed, or Gmail's side lost it (a restarted sandbox loses every watch)
        Instant renewAt = T0.plus(Duration.ofDays(1));
        assertTrue(GmailWatches.due(new GmailWatches.Stored(T0.plus(Duration.ofDays(7)), renewAt), false, T0));
    }
}
