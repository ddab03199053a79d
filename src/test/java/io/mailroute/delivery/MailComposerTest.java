package io.mailroute.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.email.MailComposer;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.gmail.mime.ParsedMail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailComposerTest {

    @TempDir
    Path store;

    private final MailComposer composer = new MailComposer();

    @Test
    void composesAlternativesWithOurOriginMessageIdAndThreading() throws Exception {
        byte[] raw = composer.compose(new MailComposer.Outbound("support@acme.example", "Acme Support", "mei@acme.example",
                "Case 12: Grüße – printer", "plain text", "<p>html</p>", "mailroute.12.abc@acme.example",
                "orig@globex.example", List.of("first@globex.example", "orig@globex.example"), "12"));

        ParsedMail parsed = new MimeParser(new AttachmentStore(store, 1 << 20)).parse(raw);
        assertEquals("Case 12: Grüße – printer", parsed.subject());
        assertEquals("mailroute.12.abc@acme.example", parsed.messageId(), "our Message-ID survives saveChanges()");
        assertEquals("orig@globex.example", parsed.inReplyTo());
        assertEquals(List.of("first@globex.example", "orig@globex.example"), parsed.references());
        assertEquals("plain text", parsed.textBody().strip());
        assertTrue(parsed.htmlBody().contains("<p>html</p>"));
        assertEquals("mailroute", parsed.extraHeaders().get(MailComposer.ORIGIN_HEADER), "intake must skip our own mail");
        assertEquals("mei@acme.example", parsed.to().get(0).address());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Hello\r\nBcc: victim@evil.example", "Hello\nBcc: victim@evil.example", "Hi\rX-Injected: 1",
        "Line\u2028Sep"})
    void aSubjectWithLineBreaksIsFlattenedAndInjectsNoHeader(String subject) throws Exception {
        byte[] raw = composer.compose(new MailComposer.Outbound("support@acme.example", "Acme\r\nBcc: x@evil.example",
                "mei@acme.example", subject, "t", null, "id.1@acme.example", null, List.of(), "1"));
        String text = new String(raw, StandardCharsets.UTF_8);
        assertFalse(text.lines().anyMatch(l -> l.startsWith("Bcc:") || l.startsWith("X-Injected:")), text);
        ParsedMail parsed = new MimeParser(new AttachmentStore(store, 1 << 20)).parse(raw);
        assertFalse(parsed.subject().contains("\n") || parsed.subject().contains("\r"));
        assertEquals(1, parsed.to().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mei@acme.example\r\nBcc: victim@evil.example", "a@acme.example, b@evil.example", "not an address"})
    void aRecipientMustBeExactlyOneCleanAddress(String to) {
        assertThrows(Exception.class, () -> composer.compose(new MailComposer.Outbound("support@acme.example", "S", to, "s",
                "t", null, "id.2@acme.example", null, List.of(), "2")));
    }

    /** An inbound From header as written, and the address an acknowledgement must go to. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> senders() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("\"big bug bb\"@bug.com", "\"big bug bb\"@bug.com"),
                org.junit.jupiter.params.provider.Arguments.of("Big Bug bb@bug.com", "bb@bug.com"),
                org.junit.jupiter.params.provider.Arguments.of("pete(his account)@silly.test(his host)", "pete@silly.test"),
                org.junit.jupiter.params.provider.Arguments.of("John Doe <jdoe@machine(comment).  example>", "jdoe@machine.example"),
                org.junit.jupiter.params.provider.Arguments.of("MAILER-DAEMON@lvmail01.LL.com", "MAILER-DAEMON@lvmail01.ll.com"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("senders")
    void anAcknowledgementToTheParsedSenderHasValidToAndReplyToHeaders(String fromHeader, String expected) throws Exception {
        ParsedMail inbound = new MimeParser(new AttachmentStore(store, 1 << 20)).parse(
                ("From: " + fromHeader + "\r\nTo: support@acme.example\r\nSubject: Order 17\r\n\r\nWhere is it?\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        String sender = inbound.from().address();
        assertEquals(expected, sender);

        byte[] ack = composer.compose(new MailComposer.Outbound("support@acme.example", "Acme Support", sender, "Re: Order 17",
                "We have your message.", null, "ack.17@acme.example", null, List.of(), "17").withReplyTo(sender));

        jakarta.mail.internet.MimeMessage sent = composer.parse(ack);
        for (String header : new String[] {"To", "Reply-To"}) {
            jakarta.mail.internet.InternetAddress[] strict =
                    jakarta.mail.internet.InternetAddress.parseHeader(sent.getHeader(header, ","), true);
            assertEquals(1, strict.length, header);
            strict[0].validate();
            assertEquals(expected, strict[0].getAddress(), header);
        }
    }

    @Test
    void attachesFilesByteForByteWithTheirNames() throws Exception {
        byte[] pdf = new byte[50_000];
        new java.util.Random(7).nextBytes(pdf);
        Path file = java.nio.file.Files.write(store.resolve("report.bin"), pdf);
        byte[] raw = composer.compose(new MailComposer.Outbound("support@acme.example", "S", "mei@acme.example", "Weekly report",
                "see attached", "<p>see attached</p>", "id.3@acme.example", null, List.of(), "3",
                List.of(new MailComposer.Attachment("Wochenbericht – KW47.pdf", "application/pdf", file)), null));
        ParsedMail parsed = new MimeParser(new AttachmentStore(store.resolve("store"), 1 << 20)).parse(raw);
        assertEquals(1, parsed.attachments().size());
        assertEquals("Wochenbericht – KW47.pdf", parsed.attachments().get(0).filename());
        assertEquals("application/pdf", parsed.attachments().get(0).contentType());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(pdf)),
                parsed.attachments().get(0).sha256());
        assertEquals("see attached", parsed.textBody().strip());
    }

    @Test
    void messageIdsAreUniqueAndSafe() {
        String a = MailComposer.newMessageId("42", "support@acme.example");
        String b = MailComposer.newMessageId("42", "support@acme.example");
        assertTrue(!a.equals(b) && a.endsWith("@acme.example") && a.matches("[A-Za-z0-9.@-]+"), a + " " + b);
    }
}
