package io.mailroute.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mailroute.db.Database;
import io.mailroute.testing.TestDatabases;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * The queries of the shipped {@code config/reports.yaml} run on a database migrated like the service's (H2), bound the
 * way a run binds them, and give the rows the seeded mail, items and approvals call for.
 */
class ShippedReportQueriesTest {

    private static final OffsetDateTime WEEK_START = OffsetDateTime.of(2026, 3, 2, 0, 0, 0, 0, ZoneOffset.ofHours(1));
    private static final OffsetDateTime WEEK_END = WEEK_START.plusDays(7);

    private final ReportsConfig reports = ReportsFile.load(Path.of("config", "reports.yaml"), Path.of("config", "templates"));
    private Database db;
    private long messages;

    @BeforeEach
    void seed() {
        db = TestDatabases.h2("reports");
        TestDatabases.addMailbox(db, "support");
        TestDatabases.addMailbox(db, "accounts");
        // support: two AP cases this week (one past its SLA), one resolved this week, one open from before the week
        item("support", "CASE", "OPEN", "ap", WEEK_START.plusDays(1), WEEK_START.plusDays(2), WEEK_START.plusDays(2).plusHours(1));
        item("support", "CASE", "IN_PROGRESS", "ap", WEEK_START.plusDays(3), WEEK_START.plusDays(5), null);
        item("support", "CASE", "RESOLVED", "ap", WEEK_START.plusDays(2), null, null);
        item("support", "CASE", "WAITING_FOR_INFO", "it", WEEK_START.minusDays(10), WEEK_START.minusDays(9), WEEK_START.minusDays(9));
        // accounts: one quarantined message this week, one case next week (outside the period)
        message("accounts", "QUARANTINED", WEEK_START.plusDays(4));
        item("accounts", "CASE", "OPEN", "ap", WEEK_END.plusHours(1), null, null);
        approval("purchase-order", "APPROVED", WEEK_START.plusDays(1), WEEK_START.plusDays(1).plusHours(6));
        approval("purchase-order", "REJECTED", WEEK_START.plusDays(2), WEEK_START.plusDays(2).plusHours(2));
        approval("purchase-order", "PENDING", WEEK_START.plusDays(3), null);
        approval("default", "EXPIRED", WEEK_START.plusDays(1), WEEK_START.plusDays(4));
        approval("default", "APPROVED", WEEK_START.minusDays(3), WEEK_START.minusDays(2)); // before the period
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theWeeklyQueueStatusCountsEachQueuesItemsByState() {
        assertEquals(List.of(
                        List.of("Queue", "Open", "In progress", "Waiting for info", "Open past SLA", "New", "Resolved or closed",
                                "Oldest open since"),
                        List.of("ap", "2", "1", "0", "1", "3", "1", "2026-03-02T23:00Z"),
                        List.of("it", "0", "0", "1", "1", "0", "0", "2026-02-19T23:00Z")),
                run("weekly-queue-status"));
    }

    @Test
    void theWeeklySlaComplianceCountsTheCasesOfThePeriodPerQueue() {
        assertEquals(List.of(
                        List.of("Queue", "Cases", "With SLA", "Breached", "Met %"),
                        List.of("ap", "3", "2", "1", "50.0")),
                run("weekly-sla-compliance"));
    }

    @Test
    void theMonthlyApprovalsSummaryCountsOutcomesAndAverageHoursPerPolicy() {
        assertEquals(List.of(
                        List.of("Policy", "Requested", "Approved", "Rejected", "Changes requested", "Expired", "Cancelled", "Pending",
                                "Hours to decide (average)"),
                        List.of("default", "1", "0", "0", "0", "1", "0", "0", "null"),
                        List.of("purchase-order", "3", "1", "1", "0", "0", "0", "1", "4.0")),
                run("monthly-approvals-summary"));
    }

    @Test
    void theMailboxStatusPackShowsEachMailboxsPeriodAndOpenWork() {
        List<List<String>> rows = run("mailbox-status-pack");
        assertEquals(List.of("Mailbox", "Address", "State", "Last successful poll", "Received", "Quarantined", "Open items",
                "Open past SLA"), rows.get(0));
        assertEquals(List.of("accounts", "accounts@acme.example", "0", "1", "1", "0"), without(rows.get(1), 2, 3));
        assertEquals(List.of("support", "support@acme.example", "3", "0", "3", "2"), without(rows.get(2), 2, 3));
        assertEquals(3, rows.size());
    }

    /** The report's query bound like a run for the week, as a header row and rows of text (timestamps in UTC). */
    private List<List<String>> run(String id) {
        ReportDefinition.SqlSource source = (ReportDefinition.SqlSource) reports.report(id).orElseThrow().source();
        MapSqlParameterSource parameters = new MapSqlParameterSource(Map.of(ReportDefinition.PERIOD_START, WEEK_START,
                ReportDefinition.PERIOD_END, WEEK_END));
        List<List<String>> table = new ArrayList<>();
        db.jdbc().query(source.query().sql(), parameters, (java.sql.ResultSet rs) -> {
            int columns = rs.getMetaData().getColumnCount();
            List<String> header = new ArrayList<>();
            for (int c = 1; c <= columns; c++) {
                header.add(rs.getMetaData().getColumnLabel(c));
            }
            table.add(header);
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int c = 1; c <= columns; c++) {
                    Object value = rs.getObject(c);
                    row.add(value instanceof OffsetDateTime t ? t.withOffsetSameInstant(ZoneOffset.UTC).toString()
                            : String.valueOf(value));
                }
                table.add(row);
            }
            return null;
        });
        return table;
    }

    private static List<String> without(List<String> row, int... columns) {
        List<String> kept = new ArrayList<>(row);
        for (int i = columns.length - 1; i >= 0; i--) {
            kept.remove(columns[i]);
        }
        return kept;
    }

    private long message(String mailbox, String status, OffsetDateTime at) {
        long id = ++messages;
        db.jdbc().update("INSERT INTO mail_message (id, mailbox_id, gmail_id, status, subject, ingested_at) "
                + "VALUES (:id, :mailbox, :gmail, :status, 'subject', :at)", new MapSqlParameterSource(Map.of("id", id,
                "mailbox", mailbox, "gmail", "g" + id, "status", status, "at", at)));
        return id;
    }

    private void item(String mailbox, String type, String state, String queue, OffsetDateTime created, OffsetDateTime slaDue,
            OffsetDateTime breached) {
        long message = message(mailbox, "INGESTED", created);
        MapSqlParameterSource p = new MapSqlParameterSource(Map.of("type", type, "mailbox", mailbox, "state", state,
                "queue", queue, "message", message, "created", created, "updated", created.plusHours(1)));
        p.addValue("due", slaDue).addValue("breached", breached);
        db.jdbc().update("INSERT INTO workflow_item (type, mailbox_id, state, category, queue, priority, rule_id, subject, "
                + "source_message_id, sla_due_at, sla_breached_at, created_at, updated_at) VALUES (:type, :mailbox, :state, "
                + "'general', :queue, 'NORMAL', 'default', 'subject', :message, :due, :breached, :created, :updated)", p);
    }

    private void approval(String policy, String state, OffsetDateTime created, OffsetDateTime decided) {
        MapSqlParameterSource p = new MapSqlParameterSource(Map.of("policy", policy, "state", state, "created", created,
                "hash", Long.toHexString(created.toEpochSecond()) + policy + state));
        p.addValue("decided", decided);
        db.jdbc().update("INSERT INTO approval (mailbox_id, title, requester, policy, mode, priority, urgent, state, fields, "
                + "attachments, request_hash, source, created_by, created_at, decided_at) VALUES ('accounts', 'PO', "
                + "'j.smith@acme.example', :policy, 'ANY', 'NORMAL', FALSE, :state, '{}', '[]', :hash, 'API', 'test', "
                + ":created, :decided)", p);
    }
}
