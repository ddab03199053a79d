package io.mailroute.reports.digest;

import io.mailroute.alerts.AlertOwners;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.testing.TestDatabases;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * A week of Mailroute's work on H2, seeded around the edges of the period (Monday 2026-11-23 08:00 to Monday 2026-11-30
 * 08:00, Berlin): anna owns finance-exceptions and ops-oncall, boris ops-oncall and the mailbox support, carl nothing;
 * queue "it" and mailbox "accounts" are nobody's.
 */
final class DigestFixture {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final Instant START = berlin("2026-11-23T08:00:00");
    static final Instant END = berlin("2026-11-30T08:00:00");
    static final String ANNA = "anna@acme.example";
    static final String BORIS = "boris@acme.example";
    static final String CARL = "carl@acme.example";
    /** A person's name as a delivery records it, from outside (an address from an email): escaped where shown. */
    static final String HOSTILE = "<b>boris</b>";

    static final ChannelsConfig CHANNELS = new ChannelsConfig(
            Map.of("report-email", new ChannelsConfig.Channel("report-email", "email", Map.of("sender", "$mailbox"), null)),
            Map.of("anna", new ChannelsConfig.Recipient("anna", "Anna", "Anna@Acme.example", List.of()),
                    "boris", new ChannelsConfig.Recipient("boris", "Boris", BORIS, List.of()),
                    "carl", new ChannelsConfig.Recipient("carl", "Carl", CARL, List.of())),
            Map.of("fin-managers", new ChannelsConfig.Audience("fin-managers", List.of("anna"), List.of("report-email")),
                    "ops-managers", new ChannelsConfig.Audience("ops-managers", List.of("boris", "anna"), List.of("report-email")),
                    "managers", new ChannelsConfig.Audience("managers", List.of("anna", "boris", "carl"), List.of("report-email")),
                    "support-owners", new ChannelsConfig.Audience("support-owners", List.of("boris"), List.of("report-email"))),
            Map.of());
    static final AlertOwners OWNERS = new AlertOwners(Map.of("finance-exceptions", List.of("fin-managers"),
            "ops-oncall", List.of("ops-managers")), Map.of("support", List.of("support-owners")), List.of());

    private final Database db;
    private long messages;

    private DigestFixture(Database db) {
        this.db = db;
    }

    static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    /** An H2 database with the week seeded. */
    static Database seeded(String name) {
        return seed(TestDatabases.h2(name));
    }

    /** Seeds the week into a migrated, empty database (H2 or PostgreSQL). */
    static Database seed(Database db) {
        TestDatabases.addMailbox(db, "support");
        TestDatabases.addMailbox(db, "accounts");
        new DigestFixture(db).seed();
        return db;
    }

    private void seed() {
        Duration h = Duration.ofHours(1);
        Duration d = Duration.ofDays(1);
        long f1 = item("finance-exceptions", "OPEN", START, START, START.plus(d));           // opened at the start: counted
        long f2 = item("finance-exceptions", "RESOLVED", START.plus(d.multipliedBy(2)), START.plus(d.multipliedBy(3)), null);
        item("finance-exceptions", "RESOLVED", START.minus(d.multipliedBy(3)), START.plus(d), null); // resolved, opened before
        item("finance-exceptions", "OPEN", END, END, null);                                  // at the end: the next period
        long o1 = item("ops-oncall", "IN_PROGRESS", START.plus(h), START.plus(h), END.plus(h));
        long i1 = item("it", "RESOLVED", START.plus(d), START.plus(d.multipliedBy(2)), START.plus(d));

        event("delivery.escalated", f1, START.plus(h));
        event("delivery.escalated", i1, START.plus(h.multipliedBy(2)));
        event("delivery.escalated", o1, END.plus(h));                                        // after the period
        event("delivery.escalated", null, START.plus(h.multipliedBy(3)));                    // of no item
        event("sla.breached", f1, START.plus(d));                                            // not an escalation

        approval(f2, START.plus(d.multipliedBy(2)));
        approval(i1, START.plus(d));
        approval(null, START.plus(d));
        approval(o1, null);                                                                  // still pending

        delivery(f1, "email", "anna", "SENT", START.plus(h), START.plus(h.multipliedBy(2)), START.plus(h.multipliedBy(3)), null);
        delivery(f1, "team-hook", "team", "DELIVERED", START.plus(h), null, null, START.plus(h.multipliedBy(5)));
        delivery(o1, "email", HOSTILE, "SENT", START.plus(h.multipliedBy(2)), START.plus(h.multipliedBy(4)), null, null);
        delivery(i1, "email", "team", "SENT", START.plus(h.multipliedBy(2)), START.plus(h.multipliedBy(3)), null, null);
        delivery(f2, "email", "anna", "FAILED", START.plus(d), null, null, null);
        delivery(null, "report-email", "carl", "SENT", START.plus(d), null, null, null);
        delivery(f1, "email", "anna", "SENT", START.minus(d), START, null, null);             // sent before the period
        delivery(o1, "team-hook", "team", "PENDING", START.plus(d), null, null, null);       // not sent (yet)

        quarantined("support", START);                                                       // at the start: counted
        quarantined("support", START.plus(d));
        quarantined("support", END);                                                         // the next period
        quarantined("accounts", START.plus(h));
        mailboxEvent("connection.broken", "support", START.plus(d.multipliedBy(4)));
        mailboxEvent("connection.broken", "accounts", START.plus(d));
        mailboxEvent("connection.restored", "support", START.plus(d.multipliedBy(5)));       // not a break
    }

    private void quarantined(String mailbox, Instant at) {
        long message = ++messages;
        db.jdbc().update("INSERT INTO mail_message (id, mailbox_id, gmail_id, status, subject, ingested_at) "
                + "VALUES (:id, :mailbox, :gmail, 'QUARANTINED', 'subject', :at)", new MapSqlParameterSource("id", message)
                .addValue("mailbox", mailbox).addValue("gmail", "g" + message).addValue("at", Timestamp.from(at)));
    }

    private void mailboxEvent(String type, String mailbox, Instant at) {
        db.jdbc().update("INSERT INTO workflow_event (id, type, mailbox_id, occurred_at, payload) VALUES (:id, :type, "
                + ":mailbox, :at, '{}')", new MapSqlParameterSource("id", UUID.randomUUID().toString())
                .addValue("type", type).addValue("mailbox", mailbox).addValue("at", Timestamp.from(at)));
    }

    private long item(String queue, String state, Instant created, Instant updated, Instant breached) {
        long message = ++messages;
        db.jdbc().update("INSERT INTO mail_message (id, mailbox_id, gmail_id, status, subject, ingested_at) "
                + "VALUES (:id, 'support', :gmail, 'INGESTED', 'subject', :at)", new MapSqlParameterSource("id", message)
                .addValue("gmail", "g" + message).addValue("at", Timestamp.from(created)));
        MapSqlParameterSource p = new MapSqlParameterSource("state", state).addValue("queue", queue).addValue("message", message)
                .addValue("created", Timestamp.from(created)).addValue("updated", Timestamp.from(updated))
                .addValue("breached", breached == null ? null : Timestamp.from(breached), java.sql.Types.TIMESTAMP);
        db.jdbc().update("INSERT INTO workflow_item (type, mailbox_id, state, category, queue, priority, rule_id, subject, "
                + "source_message_id, sla_breached_at, created_at, updated_at) VALUES ('CASE', 'support', :state, "
                + "'general', :queue, 'NORMAL', 'default', 'subject', :message, :breached, :created, :updated)", p);
        return db.jdbc().queryForObject("SELECT id FROM workflow_item WHERE source_message_id = :m", Map.of("m", message),
                Long.class);
    }

    private void event(String type, Long item, Instant at) {
        db.jdbc().update("INSERT INTO workflow_event (id, type, mailbox_id, item_id, occurred_at, payload) VALUES (:id, :type, "
                + "'support', :item, :at, '{}')", new MapSqlParameterSource("id", UUID.randomUUID().toString())
                .addValue("type", type).addValue("item", item, java.sql.Types.BIGINT).addValue("at", Timestamp.from(at)));
    }

    private int approvals;

    private void approval(Long item, Instant decided) {
        approvals++;
        db.jdbc().update("INSERT INTO approval (item_id, mailbox_id, title, requester, policy, mode, priority, urgent, state, "
                + "fields, attachments, request_hash, source, created_by, created_at, decided_at) VALUES (:item, 'support', "
                + "'PO', 'j.smith@acme.example', 'default', 'ANY', 'NORMAL', FALSE, :state, '{}', '[]', :hash, 'API', 'test', "
                + ":created, :decided)", new MapSqlParameterSource().addValue("item", item, java.sql.Types.BIGINT)
                .addValue("state", decided == null ? "PENDING" : "APPROVED").addValue("hash", "h" + approvals)
                .addValue("created", Timestamp.from(START.minus(Duration.ofDays(1))))
                .addValue("decided", decided == null ? null : Timestamp.from(decided), java.sql.Types.TIMESTAMP));
    }

    private int deliveries;

    private void delivery(Long item, String channel, String recipient, String status, Instant created, Instant opened,
            Instant acted, Instant ignored) {
        deliveries++;
        db.jdbc().update("INSERT INTO delivery (event_id, event_type, mailbox_id, item_id, channel, channel_type, recipient, "
                + "address, status, attempts, next_attempt_at, created_at, updated_at, opened_at, acted_at, ignored_at) VALUES "
                + "(:event, 'case.created', 'support', :item, :channel, 'email', :recipient, :address, :status, 1, :created, "
                + ":created, :created, :opened, :acted, :ignored)", new MapSqlParameterSource("event", "e" + deliveries)
                .addValue("item", item, java.sql.Types.BIGINT).addValue("channel", channel).addValue("recipient", recipient)
                .addValue("address", "a" + deliveries + "@acme.example").addValue("status", status)
                .addValue("created", Timestamp.from(created)).addValue("opened", time(opened), java.sql.Types.TIMESTAMP)
                .addValue("acted", time(acted), java.sql.Types.TIMESTAMP)
                .addValue("ignored", time(ignored), java.sql.Types.TIMESTAMP));
    }

    private static Timestamp time(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }
}
