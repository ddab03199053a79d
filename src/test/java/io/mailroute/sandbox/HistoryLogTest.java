package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryLogTest {

    private static HistoryLog.Record added(long id, String... labels) {
        return new HistoryLog.Record(id, HistoryLog.ChangeType.MESSAGE_ADDED, "m" + id, "t" + id, List.of(labels),
                List.of());
    }

    @Test
    void startIdsBeforeTheRetainedWindowAreTooOld() {
        HistoryLog log = new HistoryLog(100, 3);
        for (long id = 101; id <= 105; id++) {
            log.add(added(id));
        }
        // 101 and 102 were dropped: a client at 101 would miss 102, one at 102 misses nothing retained.
        assertTrue(log.isTooOld(99));
        assertTrue(log.isTooOld(101));
        assertFalse(log.isTooOld(102));
        assertEquals(List.of(103L, 104L, 105L),
                log.page(102, EnumSet.noneOf(HistoryLog.ChangeType.class), null, 10).records().stream()
                        .map(HistoryLog.Record::id).toList());
    }

    @Test
    void expiryMakesEveryEarlierStartTooOld() {
        HistoryLog log = new HistoryLog(100, 1000);
        log.add(added(101));
        log.add(added(102));
        log.expire(102);
        assertTrue(log.isTooOld(102));
        assertFalse(log.isTooOld(103));
    }

    @Test
    void pagesFilterByTypeAndLabel() {
        HistoryLog log = new HistoryLog(100, 1000);
        log.add(added(101, "INBOX"));
        log.add(new HistoryLog.Record(102, HistoryLog.ChangeType.LABEL_ADDED, "m101", "t101", List.of("INBOX", "STARRED"),
                List.of("STARRED")));
        log.add(added(103, "SENT"));
        HistoryLog.Page inbox = log.page(100, EnumSet.noneOf(HistoryLog.ChangeType.class), "INBOX", 1);
        assertEquals(List.of(101L), inbox.records().stream().map(HistoryLog.Record::id).toList());
        assertEquals(101L, inbox.nextAfterId());
        HistoryLog.Page rest = log.page(inbox.nextAfterId(), EnumSet.noneOf(HistoryLog.ChangeType.class), "INBOX", 1);
        assertEquals(List.of(102L), rest.records().stream().map(HistoryLog.Record::id).toList());
        assertNull(log.page(102, EnumSet.noneOf(HistoryLog.ChangeType.class), "INBOX", 1).nextAfterId());
        assertEquals(List.of(101L, 103L), log.page(100, EnumSet.of(HistoryLog.ChangeType.MESSAGE_ADDED), null, 10)
                .records().stream().map(HistoryLog.Record::id).toList());
    }
}
