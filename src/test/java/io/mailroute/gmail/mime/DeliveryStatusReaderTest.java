package io.mailroute.gmail.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.TestDsn;
import io.mailroute.testing.TestMail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** DSNs read from real MIME bytes, through the parser and the attachment store as intake keeps them. */
class DeliveryStatusReaderTest {

    private static final String SENDER = "reports@acme.example";

    @TempDir
    Path dir;

    private MimeParser parser;
    private DeliveryStatusReader reader;

    @BeforeEach
    void setUp() {
        AttachmentStore store = new AttachmentStore(dir.resolve("attachments"), 1024 * 1024);
        parser = new MimeParser(store);
        reader = new DeliveryStatusReader(store);
    }

    private Optional<DeliveryStatus> read(byte[] rfc822) throws MalformedMailException {
        return reader.read(parser.parse(rfc822).attachments());
    }

    @Test
    void gmailsBounceNamesTheOriginalMessageAndTheFailedRecipient() throws Exception {
        DeliveryStatus dsn = read(TestDsn.gmail(SENDER, "nobody@example.com", "<r-1.w48@mailroute.acme.example>", "failed",
                "5.1.1")).orElseThrow();

        assertEquals("r-1.w48@mailroute.acme.example", dsn.originalMessageId());
        DeliveryStatus.Recipient nobody = dsn.recipients().get(0);
        assertEquals(List.of(nobody), dsn.failed());
        assertEquals("nobody@example.com", nobody.finalRecipient());
        assertNull(nobody.originalRecipient());
        assertEquals("failed", nobody.action());
        assertEquals("5.1.1", nobody.status());
        assertTrue(nobody.diagnosticCode().startsWith("smtp; 550-5.1.1 The email account that you tried to reach does not exist."),
                nobody.diagnosticCode());
        assertTrue(nobody.diagnosticCode().endsWith("for typos."), "the folded line is unfolded: " + nobody.diagnosticCode());
        assertTrue(nobody.concerns("Nobody@Example.COM"));
        assertTrue(!nobody.concerns("somebody@example.com"));
    }

    @Test
    void postfixsBounceWithOnlyTheReturnedHeaders() throws Exception {
        DeliveryStatus dsn = read(TestDsn.postfix(SENDER, "j.doe@hooli.example", "<r-2.w48@mailroute.acme.example>", "failed",
                "5.1.1")).orElseThrow();

        assertEquals("r-2.w48@mailroute.acme.example", dsn.originalMessageId());
        DeliveryStatus.Recipient doe = dsn.failed().get(0);
        assertEquals("j.doe@hooli.example", doe.originalRecipient());
        assertEquals("smtp; 550 5.1.1 <j.doe@hooli.example>: Recipient address rejected: User unknown", doe.diagnosticCode());
    }

    @Test
    void aDelayedNoticeIsADsnButNoBounce() throws Exception {
        DeliveryStatus dsn = read(TestDsn.gmail(SENDER, "slow@example.com", "<r-3@mailroute.acme.example>", "delayed", "4.4.7"))
                .orElseThrow();

        assertEquals("delayed", dsn.recipients().get(0).action());
        assertEquals("4.4.7", dsn.recipients().get(0).status());
        assertEquals(List.of(), dsn.failed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"<r-4@mailroute.acme.example>", "r-4@mailroute.acme.example", " <r-4@mailroute.acme.example> (ours)"})
    void theOriginalMessageIdIsReadWithOrWithoutBrackets(String header) throws Exception {
        assertEquals("r-4@mailroute.acme.example", read(TestDsn.postfix(SENDER, "a@example.com", header, "failed", "5.0.0"))
                .orElseThrow().originalMessageId());
        assertEquals("r-4@mailroute.acme.example", read(TestDsn.gmail(SENDER, "a@example.com", header, "failed", "5.0.0"))
                .orElseThrow().originalMessageId());
    }

    @Test
    void withoutTheReturnedMessageGmailsOriginalMessageIdFieldSays() {
        byte[] status = """
                Reporting-MTA: dns; googlemail.com
                X-Original-Message-ID: <r-5@mailroute.acme.example>

                Final-Recipient: rfc822; gone@example.com
                Action: failed
                Status: 5.1.1
                """.getBytes(StandardCharsets.US_ASCII);

        DeliveryStatus dsn = DeliveryStatusReader.parse(status, null).orElseThrow();
        assertEquals("r-5@mailroute.acme.example", dsn.originalMessageId());
        assertEquals("gone@example.com", dsn.failed().get(0).finalRecipient());
    }

    static Stream<Arguments> noDsn() {
        return Stream.of(
                Arguments.of("ordinary mail with an attachment", TestMail.withAttachment("Invoice", "invoice.pdf", "application/pdf", 64)),
                Arguments.of("our email forwarded as an attachment (no delivery-status part)", report("message/rfc822", """
                        From: ann@example.com
                        Message-ID: <r-6@mailroute.acme.example>
                        Subject: see this?

                        forwarded
                        """)),
                Arguments.of("a delivery-status part of binary junk", report("message/delivery-status", junk(3000))),
                Arguments.of("an empty delivery-status part", report("message/delivery-status", "")),
                Arguments.of("per-message fields only", report("message/delivery-status", """
                        Reporting-MTA: dns; mail.example.com
                        Arrival-Date: Mon, 23 Nov 2026 09:12:01 +0100
                        """)),
                Arguments.of("prose where the fields should be", report("message/delivery-status", """
                        Sorry, your mail: could not be delivered
                        action failed, status unknown
                        """)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noDsn")
    void whatIsNoDsnReadsAsNone(String what, byte[] rfc822) throws Exception {
        assertEquals(Optional.empty(), read(rfc822), what);
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(14);
        for (int i = 0; i < 500; i++) {
            byte[] status = new byte[random.nextInt(2000)];
            random.nextBytes(status);
            byte[] returned = new byte[random.nextInt(2000)];
            random.nextBytes(returned);
            // whatever it makes of them: an answer, not an exception
            DeliveryStatusReader.parse(status, i % 2 == 0 ? returned : null)
                    .ifPresent(dsn -> assertTrue(dsn.recipients().size() <= DeliveryStatusReader.MAX_RECIPIENTS));
        }
    }

    @Test
    void onlyTheFirstPartOfAHugePartIsRead() throws Exception {
        String padding = "X-Padding: " + "a".repeat(DeliveryStatusReader.MAX_PART_BYTES) + "\n";
        Optional<DeliveryStatus> pastTheBound = read(report("message/delivery-status", padding + """

                Final-Recipient: rfc822; late@example.com
                Action: failed
                Status: 5.1.1
                """));
        assertEquals(Optional.empty(), pastTheBound, "the recipient block after the first 64 KiB is not read");

        String returnedHeaders = "X-Long: " + "b".repeat(DeliveryStatusReader.MAX_PART_BYTES) + "\nMessage-ID: <r-7@mailroute.acme.example>\n";
        DeliveryStatus idPastTheBound = read(dsn("""
                Final-Recipient: rfc822; a@example.com
                Action: failed
                """, returnedHeaders)).orElseThrow();
        assertNull(idPastTheBound.originalMessageId());
        assertNull(idPastTheBound.recipients().get(0).diagnosticCode());
    }

    @Test
    void longFieldsAndManyRecipientsAreCut() throws Exception {
        StringBuilder blocks = new StringBuilder("Reporting-MTA: dns; mail.example.com\n");
        for (int i = 0; i < 150; i++) {
            blocks.append("\nFinal-Recipient: rfc822; r").append(i).append("@example.com\nAction: failed\n");
        }
        blocks.append("\nFinal-Recipient: rfc822; long@example.com\nAction: failed\nDiagnostic-Code: smtp; ")
                .append("x".repeat(5000)).append('\n');
        DeliveryStatus many = read(dsn(blocks.toString(), "Message-ID: <r-8@mailroute.acme.example>\n")).orElseThrow();
        assertEquals(DeliveryStatusReader.MAX_RECIPIENTS, many.recipients().size());
        assertEquals("r-8@mailroute.acme.example", many.originalMessageId());

        DeliveryStatus longOne = DeliveryStatusReader.parse(("Final-Recipient: rfc822; long@example.com\nAction: failed\n"
                + "Diagnostic-Code: smtp; " + "x".repeat(5000) + "\n  " + "y".repeat(5000)).getBytes(StandardCharsets.US_ASCII),
                null).orElseThrow();
        assertEquals(DeliveryStatusReader.MAX_FIELD_CHARS, longOne.recipients().get(0).diagnosticCode().length());
    }

    /** A multipart/report with one part of {@code type} holding {@code content}. */
    private static byte[] report(String type, String content) {
        return crlf("""
                From: MAILER-DAEMON@mail.example.com
                To: reports@acme.example
                Subject: Undelivered Mail Returned to Sender
                Message-ID: <dsn-%d@mail.example.com>
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"

                --b
                Content-Type: text/plain

                Your mail could not be delivered.
                --b
                Content-Type: %s

                %s
                --b--
                """.formatted(System.nanoTime(), type, content));
    }

    /** A multipart/report with these delivery-status fields and these returned headers. */
    private static byte[] dsn(String status, String returnedHeaders) {
        return crlf("""
                From: MAILER-DAEMON@mail.example.com
                To: reports@acme.example
                Subject: Undelivered Mail Returned to Sender
                MIME-Version: 1.0
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"

                --b
                Content-Type: message/delivery-status

                %s
                --b
                Content-Type: text/rfc822-headers

                %s
                --b--
                """.formatted(status, returnedHeaders));
    }

    private static String junk(int length) {
        byte[] bytes = new byte[length];
        new Random(3464).nextBytes(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1).replace("--b", "--x");
    }

    private static byte[] crlf(String lf) {
        return lf.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
