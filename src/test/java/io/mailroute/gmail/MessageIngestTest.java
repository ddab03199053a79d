package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.gmail.model.Message;
import io.mailroute.audit.AuditLog;
import io.mailroute.audit.AuditVerifier;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.json.Json;
import io.mailroute.testing.TestMail;
import io.mailroute.testing.TestMailboxes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageIngestTest {

    @TempDir
    Path data;

    private Database db;
    private MessageIngest ingest;
    private EventLog events;
    private final ObjectMapper json = Json.newMapper();

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:ingest-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        MailboxSettings support = TestMailboxes.sandbox("support", "support@acme.example", "newer_than:1d", 100, 50);
        new MailboxStates(db, Clock.systemUTC(), new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5))
                .register(support);
        events = new EventLog(db, json, Clock.systemUTC());
        ingest = new MessageIngest(db, events, new AuditLog(db, json, Clock.systemUTC())::append,
                new MimeParser(new AttachmentStore(data.resolve("attachments"), 1024)), Map.of("support", support), data.resolve("quarantine"), 64 * 1024, json, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void storesTheMessageAndItsEventOnceEvenWhenFetchedTwice() throws Exception {
        Message gmail = gmail("18c0000000000001", List.of("INBOX", "UNREAD"), """
                From: "Ann Customer" <ann@globex.example>
                To: support@acme.example
                Subject: Printer on fire
                Message-ID: <p1@globex.example>
                Date: Mon, 16 Nov 2026 09:30:00 +0100
                Authentication-Results: mx.google.com; dkim=pass header.i=@globex.example; spf=pass smtp.mailfrom=globex.example; dmarc=pass header.from=globex.example
                Content-Type: text/plain; charset=UTF-8

                It is really on fire.
                """);

        Event event = ingest.ingest("support", gmail);

        assertNotNull(event);
        JsonNode payload = json.readTree(event.json());
        assertEquals("message.received", payload.get("type").asText());
        assertEquals("support", payload.get("mailbox").asText());
        JsonNode data = payload.get("data");
        assertEquals("Printer on fire", data.get("subject").asText());
        assertEquals("ann@globex.example", data.get("from").get("address").asText());
        assertEquals("p1@globex.example", data.get("messageIdHeader").asText());
        assertEquals("pass", data.get("authentication").get("dmarc").asText());
        assertEquals("thread-18c0000000000001", data.get("threadId").asText());
        assertEquals("It is really on fire.", data.get("preview").asText());
        EventSchemas.assertValid("message-events.schema.json", payload);

        assertTrue(new StoredMessageRepository(db).contains("support:18c0000000000001"));
        assertNull(ingest.ingest("support", gmail), "a second fetch of the same gmail id must not store or event again");
        assertEquals(1, count("SELECT COUNT(*) FROM mail_message"));
        assertEquals(1, events.count("message.received"));
        assertEquals(1, count("SELECT COUNT(*) FROM audit_log WHERE action = 'message.received' AND subject_ref = 'message:1'"));
        assertTrue(new AuditVerifier(db).verify().intact());
    }

    @Test
    void quarantinesAnOversizeAttachmentKeepsTheBytesAndEventsIt() throws Exception {
        Message gmail = new Message().setId("18c0000000000002").setThreadId("t2").setLabelIds(List.of("INBOX"))
                .encodeRaw(TestMail.withAttachment("Big file", "blob.bin", "application/octet-stream", 4096));

        Event event = ingest.ingest("support", gmail);

        assertEquals("message.quarantined", event.type());
        JsonNode data = json.readTree(event.json()).get("data");
        assertTrue(data.get("reason").asText().contains("blob.bin"), data.toString());
        EventSchemas.assertValid("message-events.schema.json", json.readTree(event.json()));
        Path saved = this.data.resolve(data.get("rawRef").asText());
        assertTrue(Files.isRegularFile(saved), "quarantined bytes kept at " + saved);
        assertEquals(gmail.decodeRaw().length, Files.size(saved));
        assertEquals(1, count("SELECT COUNT(*) FROM mail_message WHERE status = 'QUARANTINED'"));
    }

    @Test
    void aMessageOverTheSizeLimitIsQuarantinedUnparsed() {
        Message gmail = gmail("18c0000000000003", List.of("INBOX"),
                "Subject: huge\n\n" + "x".repeat(70 * 1024));
        Event event = ingest.ingest("support", gmail);
        assertEquals("message.quarantined", event.type());
        assertTrue(event.json().contains("mailroute.intake.max-message-bytes"), event.json());
    }

    @Test
    void skipsExcludedLabelsAndOurOwnOutboundMailButRemembersThem() {
        StoredMessageRepository seen = new StoredMessageRepository(db);
        assertTrue(seen.add("support:18c0000000000004"), "not seen before");

        assertNull(ingest.ingest("support", gmail("18c0000000000004", List.of("SENT"), "Subject: sent by a person\n\nhi\n")));
        assertNull(ingest.ingest("support", gmail("18c0000000000005", List.of("INBOX"),
                "Subject: our alert\nX-Mailroute-Origin: mailroute\nFrom: mailroute@acme.example\n\nhi\n")));

        assertEquals(2, count("SELECT COUNT(*) FROM mail_message WHERE status = 'SKIPPED' AND subject IS NULL"));
        assertEquals(0, events.count(null), "skipped mail raises no event");
        assertTrue(seen.contains("support:18c0000000000004"), "never fetched again");
        assertTrue(!seen.add("support:18c0000000000005"));
        assertTrue(!seen.contains("hr:18c0000000000005"), "keys are per mailbox");
    }

    @Test
    void rawIsDecodedInEveryBase64FlavourTheGoogleClientAccepts() {
        byte[] raw = new byte[3 * 1000 + 2]; // padding matters: not a multiple of three
        new java.util.Random(7).nextBytes(raw);
        for (String encoded : List.of(
                java.util.Base64.getUrlEncoder().encodeToString(raw),                 // the sandbox: padded base64url
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw), // Google's client: unpadded
                java.util.Base64.getEncoder().encodeToString(raw))) {                 // standard alphabet
            assertArrayEquals(raw, MessageIngest.decodeRaw(encoded), encoded.substring(0, 20));
        }
    }

    private long count(String sql) {
        return db.jdbc().getJdbcTemplate().queryForObject(sql, Long.class);
    }

    @Test
    void everyStoredMessageTellsItsMailboxThatItsPollIsMakingProgress() {
        List<String> told = new java.util.ArrayList<>();
        ingest.reportingStoredTo(told::add);
        ingest.ingest("support", gmail("18c0000000000011", List.of("INBOX"), "Subject: fine\n\nhello\n"));
        ingest.ingest("support", gmail("18c0000000000012", List.of("SENT"), "Subject: skipped\n\nhi\n"));
        ingest.ingest("support", gmail("18c0000000000013", List.of("INBOX"), "Subject: poison\n\n" + "x".repeat(70_000)));
        assertEquals(List.of("support", "support", "support"), told, "ingested, skipped and quarantined alike are stored");
    }

    private static Message gmail(String id, List<String> labels, String rfc822) {
        byte[] raw = rfc822.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        return new Message().setId(id).setThreadId("thread-" + id).setLabelIds(labels)
                .setInternalDate(1_763_000_000_000L).encodeRaw(raw);
    }
}
