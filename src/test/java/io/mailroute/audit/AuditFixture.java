package io.mailroute.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** Opens test databases and fills the audit trail with realistic records. */
final class AuditFixture {

    /** Where {@link TickingClock}s start: a millisecond part, so truncation and formatting are exercised. */
    static final Instant T0 = Instant.parse("2026-03-01T09:00:00.123456789Z");

    private AuditFixture() {
    }

    static Database openH2() {
        return Database.open("jdbc:h2:mem:audit-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 4);
    }

    /**
     * Appends {@code count} committed records (subject "message:n", n from 1), cycling through
     * mailboxes support, accounts and none. Before every fifth, an append whose transaction rolls
     * back (subject "rolledback:n"), which must leave no trace.
     */
    static void appendSample(Database db, AuditLog audit, int count) {
        for (int n = 1; n <= count; n++) {
            int number = n;
            if (n % 5 == 0) {
                db.transactions().executeWithoutResult(tx -> {
                    audit.append("item.changed", "support", "rolledback:" + number, details("rolled back"));
                    tx.setRollbackOnly();
                });
            }
            db.transactions().executeWithoutResult(tx -> audit.append(action(number), mailbox(number),
                    "message:" + number, details("record " + number)));
        }
    }

    static String mailbox(int n) {
        return List.of("support", "accounts", "").get(n % 3).transform(m -> m.isEmpty() ? null : m);
    }

    static String action(int n) {
        return n % 2 == 0 ? "message.classified" : "message.received";
    }

    static ObjectNode details(String note) {
        ObjectNode details = Json.newMapper().createObjectNode();
        details.put("note", note);
        details.put("subject", "Grüße aus Köln \"quoted\"\nsecond line");
        details.putArray("attachments").addObject()
                .put("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").put("filename", "a.pdf");
        return details;
    }

    static List<Long> seqs(Database db) {
        return db.jdbc().queryForList("SELECT seq FROM audit_log ORDER BY seq", new MapSqlParameterSource(), Long.class);
    }

    /** A clock that moves one second forward each time it is read, wherever it is read from. */
    static final class TickingClock extends Clock {
        private final AtomicLong reads = new AtomicLong();
        private final Instant start;

        TickingClock(Instant start) {
            this.start = start;
        }

        @Override
        public Instant instant() {
            return start.plusSeconds(reads.getAndIncrement());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
