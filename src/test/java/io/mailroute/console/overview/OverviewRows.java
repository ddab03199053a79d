package io.mailroute.console.overview;

import io.mailroute.db.Database;
import io.mailroute.testing.TestDatabases;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/** Known rows for the Overview's queries: messages, items, events and deliveries at given instants. */
final class OverviewRows {

    private final Database db;
    private final Set<String> mailboxes = new HashSet<>();
    private long next = 1;

    OverviewRows(Database db) {
        this.db = db;
    }

    /** A message received by {@code mailbox}: Gmail's receipt and our ingestion at {@code at}; its id. */
    long message(String mailbox, Instant at) {
        return message(mailbox, at, at, "INGESTED");
    }

    long message(String mailbox, Instant receivedByGmail, Instant ingested, String status) {
        if (mailboxes.add(mailbox)) {
            TestDatabases.addMailbox(db, mailbox);
        }
        long id = next++;
        db.jdbc().update("""
                INSERT INTO mail_message (id, mailbox_id, gmail_id, status, internal_date, ingested_at)
                VALUES (:id, :mailbox, :gmailId, :status, :internalDate, :ingested)""", new MapSqlParameterSource("id", id)
                .addValue("mailbox", mailbox).addValue("gmailId", "g" + id).addValue("status", status)
                .addValue("internalDate", receivedByGmail == null ? null : Timestamp.from(receivedByGmail), java.sql.Types.TIMESTAMP)
                .addValue("ingested", Timestamp.from(ingested)));
        return id;
    }

    /** An item of {@code queue} in {@code state}, made from a new message at {@code at}. */
    void item(String mailbox, String queue, String state, Instant at) {
        long message = message(mailbox, at);
        db.jdbc().update("""
                INSERT INTO workflow_item (type, mailbox_id, state, category, queue, priority, rule_id, source_message_id,
                    created_at, updated_at)
                VALUES ('CASE', :mailbox, :state, 'general', :queue, 'normal', 'r1', :message, :at, :at)""",
                new MapSqlParameterSource("mailbox", mailbox).addValue("state", state).addValue("queue", queue)
                        .addValue("message", message).addValue("at", Timestamp.from(at)));
    }

    /** An event about a message; its id. */
    String event(String type, String mailbox, Long messageId, Instant at) {
        String id = UUID.randomUUID().toString();
        db.jdbc().update("""
                INSERT INTO workflow_event (id, type, mailbox_id, message_id, occurred_at, payload)
                VALUES (:id, :type, :mailbox, :message, :at, '{}')""", new MapSqlParameterSource("id", id).addValue("type", type)
                .addValue("mailbox", mailbox).addValue("message", messageId, java.sql.Types.BIGINT).addValue("at", Timestamp.from(at)));
        return id;
    }

    /** A delivery of an event, planned at {@code created} and last updated (sent, for SENT) at {@code updated}. */
    void delivery(String eventId, String channelType, String status, Instant created, Instant updated) {
        db.jdbc().update("""
                INSERT INTO delivery (event_id, event_type, channel, channel_type, recipient, address, status,
                    next_attempt_at, created_at, updated_at)
                VALUES (:event, 'case.created', :channel, :type, 'ops', :address, :status, :created, :created, :updated)""",
                new MapSqlParameterSource("event", eventId).addValue("channel", "c-" + channelType).addValue("type", channelType)
                        .addValue("address", "a" + next++).addValue("status", status).addValue("created", Timestamp.from(created))
                        .addValue("updated", Timestamp.from(updated)));
    }
}
