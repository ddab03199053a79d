package io.mailroute.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * {@link EventLog#page}: which events a page of one, several or all types holds, and, on H2, that a page of several
 * types reads its seq range and not every event of its types (the subscriptions' poll, run per committed event).
 */
class EventLogPageTest {

    private Database db;
    private EventLog events;

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:page-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 4);
        events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aPageHoldsItsTypesAndMailboxInSeqOrderUpToItsLimit() {
        assertPagesHoldTheRightEvents(db, events);
    }

    @Test
    void aPageOfSeveralTypesReadsItsRangeNotEveryEventOfItsTypes() {
        for (int i = 0; i < 2000; i++) {
            append("case.created", "support");
        }
        long after = events.lastSeq();
        for (int i = 0; i < 5; i++) {
            append("case.created", "support");
            append("alert.raised", "support");
        }
        long upTo = events.lastSeq();
        Set<String> types = new LinkedHashSet<>(List.of("case.created", "item.replied", "alert.raised"));
        assertEquals(10, events.page(after, upTo, types, null, 50).size());

        MapSqlParameterSource params = new MapSqlParameterSource("after", after).addValue("upTo", upTo)
                .addValue("mailbox", null, java.sql.Types.VARCHAR).addValue("limit", 50);
        int index = 0;
        for (String type : types) {
            params.addValue("type" + index++, type);
        }
        String plan = db.jdbc().queryForObject("EXPLAIN ANALYZE " + EventLog.pageSql(types.size()), params, String.class);
        int read = 0;
        Matcher scans = Pattern.compile("scanCount: (\\d+)").matcher(plan);
        while (scans.find()) {
            read += Integer.parseInt(scans.group(1));
        }
        assertTrue(read > 0 && read <= 10 + 2 * types.size(), "rows read for a page of 10 events: " + read + "\n" + plan);
    }

    /** The same on PostgreSQL: {@code EventLogPagePostgresIT}. */
    static void assertPagesHoldTheRightEvents(Database db, EventLog events) {
        long start = events.lastSeq();
        List<Long> seqs = new ArrayList<>();
        String[][] appended = {
                {"case.created", "support"}, {"message.received", "support"}, {"item.replied", "accounts"},
                {"alert.raised", null}, {"case.created", "accounts"}, {"item.replied", "support"},
                {"message.received", "accounts"}, {"case.created", "support"}};
        for (String[] event : appended) {
            seqs.add(db.transactions().execute(tx -> events.append(event[0], event[1], null, null,
                    Json.newMapper().createObjectNode().put("n", 1))).seq());
        }
        long end = events.lastSeq();
        Set<String> two = new LinkedHashSet<>(List.of("item.replied", "case.created"));

        assertEquals(List.of(seqs.get(0), seqs.get(2), seqs.get(4), seqs.get(5), seqs.get(7)),
                seqsOf(events.page(start, end, two, null, 50)), "both types, merged in seq order");
        assertEquals(List.of(seqs.get(0), seqs.get(2), seqs.get(4)), seqsOf(events.page(start, end, two, null, 3)),
                "the limit takes the lowest seqs of all its types");
        assertEquals(List.of(seqs.get(0), seqs.get(5), seqs.get(7)), seqsOf(events.page(start, end, two, "support", 50)),
                "only the mailbox's");
        assertEquals(List.of(seqs.get(4), seqs.get(5)), seqsOf(events.page(seqs.get(2), seqs.get(5), two, null, 50)),
                "after excluded, upTo included");
        assertEquals(List.of(seqs.get(1), seqs.get(6)), seqsOf(events.page(start, end, Set.of("message.received"), null, 50)),
                "one type");
        assertEquals(seqs, seqsOf(events.page(start, end, Set.of(), null, 50)), "no types: all of them");
        assertEquals(List.of(), seqsOf(events.page(start, end, Set.of("sla.breached", "approval.decided"), null, 50)),
                "none of its types");
    }

    private static List<Long> seqsOf(List<Event> page) {
        return page.stream().map(Event::seq).toList();
    }

    private void append(String type, String mailbox) {
        db.transactions().executeWithoutResult(tx ->
                events.append(type, mailbox, null, null, Json.newMapper().createObjectNode().put("n", 1)));
    }
}
