package io.mailroute.testing;

import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.workflow.Classification;
import io.mailroute.workflow.Workflow;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/** Workflow items made as triage makes them: a stored message in mailbox support, triaged into an item of a type. */
public final class TestItems {

    private final Database db;
    private final Workflow workflow;
    private final Instant at;

    public TestItems(Database db, Workflow workflow, Instant at) {
        this.db = db;
        this.workflow = workflow;
        this.at = at;
        db.jdbc().getJdbcTemplate().update("INSERT INTO mailbox (id, address, state, updated_at) VALUES ('support', "
                + "'support@acme.example', 'ACTIVE', CURRENT_TIMESTAMP)");
    }

    /** A stored message from {@code from} in Gmail thread {@code threadId}, with Message-ID {@code messageId} (no brackets). */
    public long message(String from, String threadId, String messageId) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, subject, from_address,
                    internal_date, ingested_at)
                VALUES ('support', :gmailId, :threadId, 'INGESTED', :messageId, 'Where is my order?', :from, :at, :at)""",
                new MapSqlParameterSource("gmailId", "g" + System.nanoTime()).addValue("threadId", threadId)
                        .addValue("messageId", messageId).addValue("from", from)
                        .addValue("at", Timestamp.from(at)), keys, new String[] {"id"});
        return keys.getKey().longValue();
    }

    /** @param type CASE, ALERT or APPROVAL (an approval without its approval row: enough for who its customer is) */
    public long item(String type, String from) {
        String thread = "t" + System.nanoTime();
        long message = message(from, thread, thread + "@globex.example");
        List<Event> events = workflow.triage(message, (m, reply) -> new Classification("test", type, "test/" + type,
                "support", null, "NORMAL", null, List.of()));
        return events.get(0).itemId();
    }

    /** The Gmail thread of an item's first message. */
    public String threadOf(long itemId) {
        return workflow.store().item(itemId).orElseThrow().threadId();
    }
}
