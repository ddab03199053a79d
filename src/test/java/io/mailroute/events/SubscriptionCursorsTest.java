package io.mailroute.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.testing.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionCursorsTest {

    private final Database db = TestDatabases.h2("cursors");
    private final Instant t0 = Instant.parse("2026-03-01T10:00:00Z");

    @AfterEach
    void close() {
        db.close();
    }

    private SubscriptionCursors at(Instant now) {
        return new SubscriptionCursors(db, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aHolderThatLostTheHoldMovesNothingAndIsToldSo() {
        SubscriptionCursors cursors = at(t0);
        cursors.position("triage", 0);
        cursors.hold("triage", "node-a#1", "node-a");
        cursors.advance("triage", 5, "node-a#1");
        assertEquals(5L, cursors.all().get("triage"));

        at(t0.plusSeconds(20)).hold("triage", "node-b#7", "node-b");

        assertThrows(SubscriptionCursors.LostHold.class, () -> cursors.advance("triage", 9, "node-a#1"));
        assertThrows(SubscriptionCursors.LostHold.class, () -> cursors.failed("triage", 6, "node-a#1"));
        assertEquals(5L, cursors.all().get("triage"), "the old holder's acknowledgement moved nothing");
        cursors.advance("triage", 7, "node-b#7");
        cursors.advance("triage", 6, "node-b#7");
        assertEquals(7L, cursors.all().get("triage"), "the new holder moves it, never back");
        assertEquals(Map.of("triage", new SubscriptionCursors.Holder("node-b", t0.plusSeconds(20))), cursors.holders());
    }

    @Test
    void aNodeHoldingFireAfterFireKeepsItsSince() {
        at(t0).position("alerts", 0);
        at(t0).hold("alerts", "node-a#1", "node-a");
        at(t0.plusSeconds(10)).hold("alerts", "node-a#2", "node-a");
        assertEquals(new SubscriptionCursors.Holder("node-a", t0), at(t0).holders().get("alerts"));
        assertThrows(SubscriptionCursors.LostHold.class, () -> at(t0).advance("alerts", 1, "node-a#1"),
                "each fire is its own token, even on the same node");
    }

    @Test
    void failedAttemptsAddUpAcrossInstancesAndStartAgainAfterAnAdvance() {
        at(t0).position("webhook", 0);
        assertEquals(1, at(t0).failed("webhook", 3, null));
        assertEquals(2, new SubscriptionCursors(db, Clock.systemUTC()).failed("webhook", 3, null),
                "another instance (another node, a restart) goes on counting");
        assertEquals(1, at(t0).failed("webhook", 4, null), "another event starts at one");
        assertEquals(2, at(t0).failed("webhook", 4, null));
        at(t0).advance("webhook", 4);
        assertEquals(1, at(t0).failed("webhook", 5, null), "an acknowledged event resets the count");
    }

    @Test
    void withoutAHolderTheCursorMovesAsOnOneInstance() {
        SubscriptionCursors cursors = at(t0);
        cursors.position("audit", 0);
        cursors.advance("audit", 4);
        cursors.advance("audit", 2);
        assertEquals(4L, cursors.all().get("audit"));
        assertTrue(cursors.holders().isEmpty(), "never held, so not shown as held");
    }
}
