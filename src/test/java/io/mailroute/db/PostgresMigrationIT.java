package io.mailroute.db;

import io.mailroute.testing.TestMailboxes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.services.gmail.model.Message;
import io.mailroute.audit.AuditLog;
import io.mailroute.config.MailboxSettings;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.gmail.MessageIngest;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same migrations and the same SQL on a real PostgreSQL. {@code .ci/run} starts one on
 * loopback and sets MAILROUTE_TEST_POSTGRES_URL; without it this test is skipped, saying so.
 */
class PostgresMigrationIT {

    @TempDir
    Path data;

    @Test
    void migratesAndIngestsIdempotentlyOnPostgres() {
        String url = System.getenv("MAILROUTE_TEST_POSTGRES_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                "MAILROUTE_TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL is available)");
        try (Database db = Database.open(url, null, null, 2)) {
            String mailboxId = "pg-" + System.nanoTime();
            MailboxSettings mailbox = TestMailboxes.sandbox(mailboxId, mailboxId + "@acme.example", "newer_than:1d", 10, 50);
            MailboxStates states = new MailboxStates(db, Clock.systemUTC(),
                    new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5));
            states.register(mailbox);
            states.register(mailbox);
            EventLog events = new EventLog(db, Json.newMapper(), Clock.systemUTC());
            MessageIngest ingest = new MessageIngest(db, events, new AuditLog(db, Json.newMapper(), Clock.systemUTC())::append,
                    new MimeParser(new AttachmentStore(data.resolve("attachments"), 1 << 20)), Map.of(mailboxId, mailbox),
                    data.resolve("quarantine"), 1 << 20, Json.newMapper(), Clock.systemUTC());
            Message gmail = new Message().setId("pg1").setThreadId("t1").setLabelIds(List.of("INBOX"))
                    .encodeRaw("From: a@globex.example\r\nSubject: Grüße aus Köln\r\nMessage-ID: <pg1@globex.example>\r\n\r\nhallo\r\n"
                            .getBytes(StandardCharsets.UTF_8));

            Event first = ingest.ingest(mailboxId, gmail);
            assertNotNull(first);
            assertNull(ingest.ingest(mailboxId, gmail));
            List<Event> page = events.page(first.seq() - 1, "message.received", mailboxId, 10);
            assertEquals(1, page.size());
            assertEquals(first.id(), page.get(0).id());

            states.advance(mailboxId, null, "12345");
            assertEquals("12345", states.cursor(mailboxId));

            // a From with two addresses and an attachment that cannot be decoded (V10's columns)
            Message damaged = new Message().setId("pg2").setThreadId("t2").setLabelIds(List.of("INBOX")).encodeRaw((
                    "From: tim@a.example concierge@b.example\r\nSubject: scan\r\nMessage-ID: <pg2@a.example>\r\n"
                    + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee scan\r\n"
                    + "--b\r\nContent-Type: image/tiff; name=scan.tif\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n\r\n--b--\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            Event received = ingest.ingest(mailboxId, damaged);
            assertEquals("message.received", received.type());
            String fromOthers = db.jdbc().queryForObject("SELECT from_others FROM mail_message WHERE id = :id",
                    Map.of("id", received.messageId()), String.class);
            assertTrue(fromOthers.contains("\"concierge@b.example\""), fromOthers);
            assertNotNull(db.jdbc().queryForObject("SELECT undecodable_reason FROM attachment WHERE message_id = :id",
                    Map.of("id", received.messageId()), String.class));

            // migration 28: Quartz's clustered store has its tables (and migration 27's columns are there)
            List<String> quartz = db.jdbc().queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    + "current_schema() AND table_name LIKE 'qrtz%' ORDER BY table_name", Map.of(), String.class);
            assertEquals(List.of("qrtz_blob_triggers", "qrtz_calendars", "qrtz_cron_triggers", "qrtz_fired_triggers",
                    "qrtz_job_details", "qrtz_locks", "qrtz_paused_trigger_grps", "qrtz_scheduler_state", "qrtz_simple_triggers",
                    "qrtz_simprop_triggers", "qrtz_triggers"), quartz);
            assertEquals(Integer.valueOf(0), db.jdbc().queryForObject(
                    "SELECT COUNT(*) FROM mailbox WHERE next_poll_at IS NOT NULL OR owner_node IS NOT NULL", Map.of(), Integer.class));
        }
    }

    @Test
    void h2RecordsTheQuartzTablesMigrationWithoutTheTables() {
        try (Database db = Database.open("jdbc:h2:mem:quartz-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "sa", "", 2)) {
            assertEquals("quartz tables", db.jdbc().queryForObject(
                    "SELECT \"description\" FROM \"flyway_schema_history\" WHERE \"version\" = '28'", Map.of(), String.class),
                    "both databases keep one version history");
            assertEquals(Integer.valueOf(0), db.jdbc().queryForObject("SELECT COUNT(*) FROM information_schema.tables WHERE "
                    + "LOWER(table_name) LIKE 'qrtz%'", Map.of(), Integer.class));
        }
    }
}
