package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.mailroute.retry.Backoff;
import io.mailroute.testing.SmallDisk;
import io.mailroute.testing.TestMail;
import io.mailroute.testing.TestMailboxes;
import java.io.UncheckedIOException;
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
    private MailboxSettings support;
    private final ObjectMapper json = Json.newMapper();

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:ingest-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        support = TestMailboxes.sandbox("support", "support@acme.example", "newer_than:1d", 100, 50);
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
        org.junit.jupiter.api.Assumptions.assumeTrue(saved.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "no POSIX permissions on " + saved + " to check");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)),
                "the mail is readable by the service's user only");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(saved.getParent())));
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
    void aFullDiskFailsTheIngestInsteadOfQuarantiningAndTheMessageIsStoredWholeOnceThereIsRoom(@TempDir Path work)
            throws Exception {
        try (SmallDisk disk = SmallDisk.mount(work.resolve("disk"), 4)) {
            MessageIngest onSmallDisk = ingestWithDataOn(disk.dir(), 16L * 1024 * 1024);
            Message gmail = new Message().setId("18c0000000000006").setThreadId("t6").setLabelIds(List.of("INBOX"))
                    .encodeRaw(TestMail.withAttachment("Scan", "scan.pdf", "application/pdf", 1024 * 1024));

            disk.fill();
            UncheckedIOException full = assertThrows(UncheckedIOException.class, () -> onSmallDisk.ingest("support", gmail));
            assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
            assertEquals(0, count("SELECT COUNT(*) FROM mail_message"), "not stored, not quarantined: fetched again later");
            assertEquals(0, events.count(null));

            disk.free();
            Event event = onSmallDisk.ingest("support", gmail);
            assertEquals("message.received", event.type());
            JsonNode attachment = json.readTree(event.json()).at("/data/attachments/0");
            assertEquals(1024 * 1024, attachment.get("size").asLong());
            Path stored = disk.dir().resolve(attachment.get("ref").asText());
            assertEquals(attachment.get("sha256").asText(), sha256(Files.readAllBytes(stored)));
        }
    }

    @Test
    void aMessageToQuarantineWaitsForRoomForItsBytesInsteadOfBeingQuarantinedWithout(@TempDir Path work)
            throws Exception {
        try (SmallDisk disk = SmallDisk.mount(work.resolve("disk"), 4)) {
            MessageIngest onSmallDisk = ingestWithDataOn(disk.dir(), 64 * 1024);
            Message oversize = gmail("18c0000000000007", List.of("INBOX"), "Subject: huge\n\n" + "x".repeat(70 * 1024));

            disk.fill();
            assertThrows(UncheckedIOException.class, () -> onSmallDisk.ingest("support", oversize));
            assertEquals(0, count("SELECT COUNT(*) FROM mail_message"));

            disk.free();
            Event event = onSmallDisk.ingest("support", oversize);
            assertEquals("message.quarantined", event.type());
            Path saved = disk.dir().resolve(json.readTree(event.json()).at("/data/rawRef").asText());
            assertArrayEquals(oversize.decodeRaw(), Files.readAllBytes(saved));
            try (var files = Files.list(saved.getParent())) {
                assertEquals(List.of(saved), files.toList(), "no temp file left beside it");
            }
        }
    }

    @Test
    void rawInBase64UrlIsIngestedPaddedOrNotAndTheStandardAlphabetIsQuarantinedNamingMailboxAndMessage() throws Exception {
        byte[] raw = ("Subject: flavours\r\nFrom: a@globex.example\r\n\r\n" + "\u00ff\u00fe?>".repeat(500) + "x\r\n")
                .getBytes(StandardCharsets.ISO_8859_1); // ÿþ?> encode to + and / in the standard alphabet
        Event padded = ingest.ingest("support", new Message().setId("18c00000000000f1").setLabelIds(List.of("INBOX"))
                .setRaw(java.util.Base64.getUrlEncoder().encodeToString(raw)));
        Event unpadded = ingest.ingest("support", new Message().setId("18c00000000000f2").setLabelIds(List.of("INBOX"))
                .setRaw(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw)));
        Event standard = ingest.ingest("support", new Message().setId("18c00000000000f3").setLabelIds(List.of("INBOX"))
                .setRaw(java.util.Base64.getEncoder().encodeToString(raw)));

        assertEquals("message.received", padded.type());
        assertEquals("message.received", unpadded.type());
        assertEquals("message.quarantined", standard.type(), "Gmail's RAW is base64url: anything else is not what Gmail sent");
        String reason = json.readTree(standard.json()).at("/data/reason").asText();
        assertTrue(reason.contains("support") && reason.contains("18c00000000000f3") && reason.contains("base64url"), reason);
    }

    @Test
    void aMessageSpilledToDiskIsIngestedFromTheFileAndTheFileIsDeleted() throws Exception {
        Path spill = data.resolve("fetching");
        RawMessageReader reader = RawMessageReader.inDirectory(spill, 256);
        byte[] raw = TestMail.withAttachment("Spilled", "blob.bin", "application/octet-stream", 512);
        String answer = "{\"id\":\"18c00000000000f4\",\"threadId\":\"t\",\"labelIds\":[\"INBOX\"],\"raw\":\""
                + java.util.Base64.getUrlEncoder().encodeToString(raw) + "\"}";
        RawMessage message = reader.read("support", new java.io.ByteArrayInputStream(answer.getBytes(StandardCharsets.US_ASCII)));
        assertTrue(message.spilled(), "over the reader's 256 bytes");

        Event event = ingest.ingest("support", message);

        assertEquals("message.received", event.type());
        assertEquals("Spilled", json.readTree(event.json()).at("/data/subject").asText());
        try (var left = Files.list(spill)) {
            assertEquals(List.of(), left.toList(), "the spill file is gone once the message is stored");
        }
    }

    /** The same ingest with its attachment store and quarantine on another disk (the database stays in memory). */
    private MessageIngest ingestWithDataOn(Path dataDir, long maxMessageBytes) {
        return new MessageIngest(db, events, new AuditLog(db, json, Clock.systemUTC())::append,
                new MimeParser(new AttachmentStore(dataDir.resolve("attachments"), 16L * 1024 * 1024)),
                Map.of("support", support), dataDir.resolve("quarantine"), maxMessageBytes, json, Clock.systemUTC());
    }

    private static String sha256(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
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

    // ---- what parsing finds, stored and shown (issue 10) -------------------------------------------

    @Test
    void anUndecodableUuencodeAttachmentIsStoredWithItsReasonAndTheMessageIngested() throws Exception {
        Message gmail = corpus("18c0000000000006", "31-x-uuencode-undecodable.eml");

        Event event = ingest.ingest("support", gmail);

        assertEquals("message.received", event.type(), "one damaged attachment must not quarantine the message");
        JsonNode payload = json.readTree(event.json());
        EventSchemas.assertValid("message-events.schema.json", payload);
        JsonNode attachments = payload.at("/data/attachments");
        assertEquals(2, attachments.size());
        assertTrue(attachments.get(0).path("undecodable").isMissingNode(), "the good uuencoded file decodes: " + attachments);
        assertTrue(attachments.get(1).path("undecodable").asText().contains("x-uuencode"), attachments.toString());

        JsonNode shown = shown(event.messageId());
        assertEquals("INGESTED", shown.get("status").asText());
        assertTrue(shown.get("textBody").asText().contains("The serial numbers are in the first file"), shown.toString());
        assertEquals("returned-units.txt", shown.at("/attachments/0/filename").asText());
        assertTrue(shown.at("/attachments/0/undecodable").isNull(), shown.toString());
        assertEquals("packing.jpg", shown.at("/attachments/1/filename").asText());
        assertTrue(shown.at("/attachments/1/undecodable").asText().contains("UUDecoder: Missing end"), shown.toString());
    }

    @Test
    void anEmptyUuencodeAttachmentIsStoredEmptyAndMarkedInsteadOfQuarantiningTheMessage() throws Exception {
        Event event = ingest.ingest("support", corpus("18c0000000000007", "30-x-uuencode-empty.eml"));

        assertEquals("message.received", event.type());
        assertEquals(0, count("SELECT COUNT(*) FROM mail_message WHERE status = 'QUARANTINED'"));
        JsonNode shown = shown(event.messageId());
        assertEquals("scan0001.tif", shown.at("/attachments/0/filename").asText());
        assertEquals(0, shown.at("/attachments/0/size").asLong());
        assertTrue(shown.at("/attachments/0/undecodable").asText().contains("Missing begin"), shown.toString());
    }

    @Test
    void theFirstFromAddressIsTheSenderAndTheRestAreKeptInSight() throws Exception {
        Event event = ingest.ingest("support", corpus("18c0000000000008", "27-two-from-addresses-without-comma.eml"));

        JsonNode payload = json.readTree(event.json());
        EventSchemas.assertValid("message-events.schema.json", payload);
        assertEquals("tim@a.example", payload.at("/data/from/address").asText());
        assertEquals("concierge@b.example", payload.at("/data/fromOthers/0/address").asText());
        JsonNode shown = shown(event.messageId());
        assertEquals("tim@a.example", shown.at("/from/address").asText());
        assertEquals(1, shown.get("fromOthers").size(), shown.toString());
        assertEquals("concierge@b.example", shown.at("/fromOthers/0/address").asText());
    }

    @Test
    void theSenderIsStoredWithoutCommentsAndWithItsLocalPartAsWritten() throws Exception {
        long comments = ingest.ingest("support", corpus("18c0000000000009", "22-rfc5322-appendix-a5.eml")).messageId();
        long bounce = ingest.ingest("support", corpus("18c000000000000a", "25-bounce-uppercase-address.eml")).messageId();

        assertEquals("pete@silly.test", shown(comments).at("/from/address").asText());
        assertEquals("MAILER-DAEMON@lvmail01.ll.com", shown(bounce).at("/from/address").asText());
    }

    @Test
    void aDigestListsItsMessagesAsAttachedMessagesNotAsBodyText() throws Exception {
        Event event = ingest.ingest("support", corpus("18c000000000000b", "29-top-level-digest.eml"));

        JsonNode shown = shown(event.messageId());
        assertTrue(shown.get("textBody").isNull(), "a digest of messages has no text of its own: " + shown.get("textBody"));
        assertEquals(List.of("Printer driver for the X200.eml", "Re_ Printer driver for the X200.eml"),
                shown.findValuesAsText("filename"));
        shown.get("attachments").forEach(a -> assertEquals("message/rfc822", a.get("contentType").asText()));
    }

    @Test
    void deeplyNestedMultipartsAreQuarantinedWithTheReasonAndTheMailboxMovesOn() throws Exception {
        // 5,000 levels (MimeParserTest) do not fit this fixture's 64 KiB message limit; 200 take the same way
        Message deep = new Message().setId("18c000000000000c").setThreadId("t-deep").setLabelIds(List.of("INBOX"))
                .encodeRaw(TestMail.nestedMultiparts(200));

        Event quarantined = ingest.ingest("support", deep);
        Event next = ingest.ingest("support", corpus("18c000000000000d", "27-two-from-addresses-without-comma.eml"));

        assertEquals("message.quarantined", quarantined.type());
        assertTrue(json.readTree(quarantined.json()).at("/data/reason").asText().contains("nested more than 32 levels deep"),
                quarantined.json());
        assertEquals("message.received", next.type());
    }

    @Test
    void aMessageIdLongerThanAHeaderLineIsDroppedInsteadOfFailingTheInsertOnEveryPoll() throws Exception {
        String tooLong = "x".repeat(1200) + "@globex.example";
        Event event = ingest.ingest("support", gmail("18c000000000000e", List.of("INBOX"), """
                From: ann@globex.example
                Subject: long ids
                Message-ID: <%s>
                In-Reply-To: <%s>
                References: <%s> <p1@globex.example>

                hi
                """.formatted(tooLong, tooLong, tooLong)));

        assertEquals("message.received", event.type());
        JsonNode shown = shown(event.messageId());
        assertTrue(shown.get("messageIdHeader").isNull(), shown.toString());
        assertTrue(shown.get("inReplyTo").isNull(), shown.toString());
        assertEquals("[\"p1@globex.example\"]", shown.get("references").toString());
    }

    /** The message as GET /api/messages/{id} shows it (the exchange is only used to answer an error). */
    private JsonNode shown(long messageId) {
        MailboxStates states = new MailboxStates(db, Clock.systemUTC(),
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5));
        return new io.mailroute.ops.ApiQueries(db, events, states, json).message(Long.toString(messageId), null);
    }

    /** A message of the MIME test corpus (src/test/resources/mime-corpus), with Gmail's CRLF line ends. */
    private static Message corpus(String id, String file) throws java.io.IOException {
        try (java.io.InputStream in = MessageIngestTest.class.getResourceAsStream("/mime-corpus/" + file)) {
            String lf = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return gmail(id, List.of("INBOX"), lf);
        }
    }
}
