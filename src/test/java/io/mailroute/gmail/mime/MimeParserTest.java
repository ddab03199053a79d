package io.mailroute.gmail.mime;

import static io.mailroute.gmail.mime.MimeCorpus.read;
import static io.mailroute.gmail.mime.MimeCorpus.sha256;
import static io.mailroute.gmail.mime.MimeCorpus.toCrlf;
import static io.mailroute.gmail.mime.MimeCorpus.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.TestMail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MimeParserTest {

    private static final long CAP = 1024 * 1024;

    @TempDir
    Path storeRoot;

    // ---- the corpus table ---------------------------------------------------------------------------

    static Stream<Arguments> corpus() {
        List<Case> cases = List.of(
                mail("01-mixed-related-alternative.eml")
                        .id("statement-2024-03.8c1f02@mail.globex.example")
                        .subject("Your March 2024 statement")
                        .from("billing@globex.example", "Globex Billing")
                        .date("2024-04-02T07:05:01Z")
                        .text("The balance due is 0,00 € — nothing to pay this month.")
                        .html("<img src=\"cid:logo@globex.example\"")
                        .attachment("logo.png", "image/png", "payloads/logo.png", true, "logo@globex.example")
                        .attachment("statement-2024-03.pdf", "application/pdf", "payloads/statement.pdf", false, null)
                        .auth("pass", "pass", "pass") // neutral for one signature, pass for the other: pass
                        .extra("List-Id", "Globex customer statements <statements.globex.example>")
                        .extra("Precedence", "bulk")
                        .extra("Return-Path", "<bounces+4471-acme=acme.example@mail.globex.example>"),
                mail("02-quoted-printable.eml")
                        .id("CAF3xq0mK7_d1=pQ9f@mail.hooli.example")
                        .subject("Café meeting moved")
                        .from("Gavin@hooli.example", "Belson, Gavin") // the local part as written, the domain lower-cased
                        .date("2024-04-03T13:12:40Z")
                        .text("This sentence is deliberately long so that the quoted-printable encoder had to break it with a soft line break, twice.\n\nGrüße,")
                        .auth("pass", "pass", "pass"),
                mail("03-base64-body.eml")
                        .id("8812.1712152811@ci.acme.example")
                        .subject("[CI] main #8812 passed")
                        .from("ci@acme.example", "CI")
                        .date("2024-04-03T14:00:11Z")
                        .text("Pipeline #8812 on main: all 412 tests passed ✅")
                        .auth("none", "pass", "pass")
                        .extra("Auto-Submitted", "auto-generated"),
                mail("04-iso-8859-1.eml")
                        .id("000a01da8665$1c2e4f30$548aed90$@umbrella.example")
                        .subject("Grüße aus Köln")
                        .from("k.weber@umbrella.example", "Klärchen Weber")
                        .date("2024-04-04T08:30:05Z")
                        .text("Anbei unser “Angebot” für Q2.") // 0x93/0x94 in "ISO-8859-1": windows-1252 quotes
                        .auth("none", "softfail", "none"),
                mail("05-windows-1252.eml")
                        .id("DB9PR02MB7273A1B2C3D4E5F6@DB9PR02MB7273.eurprd02.prod.outlook.example")
                        .subject("Price update – latex gloves now €12.50")
                        .from("art@vandelay.example", "Art Vandelay")
                        .to("accounts@acme.example", "accounts@acme.example")
                        .date("2024-04-04T15:15:29Z")
                        .text("the “premium” latex gloves now cost €12.50 per box – effective 1 May.")
                        .auth("pass", "pass", "pass"),
                mail("06-utf8-8bit.eml")
                        .id("a7d2e6f0-1b3c-4d5e-9f80-112233445566@wayne.example")
                        .subject("Zażółć gęślą jaźń 🚀")
                        .from("z.kowalska@wayne.example", "Zofia Kowalska")
                        .date("2024-04-03T21:03:11Z")
                        .text("Zażółć gęślą jaźń 🚀 — the export still fails with “Błąd 500”.")
                        .auth("pass", "pass", "pass"),
                mail("07-shift-jis.eml")
                        .id("20240405164110.3F2A.SUZUKI@tanaka.example")
                        .subject("会議室の件")
                        .from("suzuki@tanaka.example", "鈴木 一郎")
                        .date("2024-04-05T07:41:10Z")
                        .text("明日の会議は①番会議室で、10時～11時です。") // ① and ～ exist only in the Windows variant
                        .auth("none", "neutral", "none"),
                mail("08-iso-2022-jp.eml")
                        .id("4471.20240405181003@nakatomi.example")
                        .subject("ご注文ありがとうございます（注文番号 4471）") // split mid-character across two words
                        .from("order@nakatomi.example", "ナカトミ商事")
                        .date("2024-04-05T09:10:03Z")
                        .text("お世話になっております。\nご注文を承りました。")
                        .auth("pass", "pass", "pass"),
                mail("09-rfc2231-filename.eml")
                        .id("d1b0c9a8-7f6e-4d5c-b4a3-928170615243@acme.example")
                        .subject("Report Q1 (Zurich)")
                        .from("l.meier@acme.example", "Lena Meier")
                        .date("2024-04-08T10:22:39Z")
                        .text("Notes attached.")
                        .attachment("Quarterly report – Zürich office Q1.txt", "text/plain", "payloads/report-notes.txt", false, null)
                        .auth("pass", "pass", "pass"),
                mail("10-rfc2047-filename.eml")
                        .id("CAJr7u0Hq2b=Xk1vT_Rg8@mail.initech.example")
                        .subject("Rechnung März 2024")
                        .from("rechnung@initech.example", "Initech Buchhaltung")
                        .date("2024-04-09T12:40:19Z")
                        .text("anbei die Rechnung für März.")
                        .html("Rechnung f&uuml;r".replace("&uuml;", "ü") + " März.")
                        .attachment("Rechnung März 2024.pdf", "application/pdf", "payloads/invoice.pdf", false, "f_lupx1k2m0")
                        .auth("pass", "pass", "pass"),
                mail("11-missing-date.eml")
                        .id("export-20240410@legacy-app.soylent.example")
                        .subject("Nightly export finished")
                        .from("noreply@soylent.example", null)
                        .text("Nightly export finished: 18,204 rows."),
                mail("12-duplicated-headers.eml")
                        .id("ticket-5521-r3@massive.example")
                        .subject("Re: Ticket #5521 - VPN drops every hour")
                        .from("helpdesk@massive.example", "Massive Dynamic Helpdesk")
                        .fromOthers("ceo@massive.example", "Spoofed Second") // a second From header is kept in sight
                        .to("support@acme.example", null).to("nina@massive.example", "Nina Sharp")
                        .inReplyTo("ticket-5521-r2@acme.example")
                        .references("ticket-5521@massive.example", "ticket-5521-r1@acme.example", "ticket-5521-r2@acme.example")
                        .text("The VPN still drops every hour.") // and "Date: sometime last week" gives no date
                        .auth("none", "pass", "fail"),
                mail("13-truncated-multipart.eml")
                        .id("inv-2024-0193.1712941200@initech.example")
                        .subject("Invoice INV-2024-0193")
                        .from("billing@initech.example", "Initech Billing")
                        .date("2024-04-12T17:00:00Z")
                        .text("Please find invoice INV-2024-0193 attached.")
                        .attachment("INV-2024-0193.pdf", "application/pdf", "payloads/invoice.pdf", false, null),
                mail("14-8bit-utf8-headers.eml")
                        .id("5f1e2d3c.8bit@initech.example")
                        .subject("Überweisung bestätigt – 1.250,00 €")
                        .from("J.Mueller@initech.example", "Jürgen Müller")
                        .to("accounts@acme.example", "Buchhaltung Acme").to("zoe@acme.example", "Zoë Ångström")
                        .date("2024-04-15T09:00:41Z")
                        .text("Die Überweisung über 1.250,00 € ist eingegangen.")
                        .auth("pass", "pass", "pass"),
                mail("15-forwarded-rfc822.eml")
                        .id("fwd-q2-budget@initech.example")
                        .subject("Fwd: Q2 budget draft")
                        .from("bill@initech.example", "Bill Lumbergh")
                        .date("2024-04-15T14:01:10Z")
                        .text("that would be great.") // the forwarded message's own text is not the body
                        .textualAttachment("Q2 budget draft.eml", "message/rfc822", "payloads/forwarded-inner.eml", true)
                        .auth("pass", "pass", "pass"),
                mail("16-bounce-report.eml")
                        .id("20240416071202.1D3F29C0123@mail.acme.example")
                        .subject("Undelivered Mail Returned to Sender")
                        .from("MAILER-DAEMON@mail.acme.example", "Mail Delivery System")
                        .date("2024-04-16T07:12:02Z")
                        .text("Recipient address rejected: User unknown")
                        .textualAttachment("delivery-status.txt", "message/delivery-status", "payloads/bounce-status.txt", false)
                        .textualAttachment("headers.txt", "text/rfc822-headers", "payloads/bounce-headers.txt", false)
                        .auth("none", "pass", "none")
                        .extra("Auto-Submitted", "auto-replied")
                        .extra("Return-Path", "<>"),
                mail("17-two-authentication-results.eml")
                        .id("urgent-bank-details@lookalike.example")
                        .subject("URGENT: updated bank details for invoice INV-2024-0193")
                        .from("payments@initech.example", "Initech Payments")
                        .replyTo("initech.payments@lookalike.example", "Initech Payments")
                        .date("2024-04-17T10:44:07Z")
                        .text("Please pay all open invoices to our new account today.")
                        .auth("fail", "softfail", "fail") // the lower, all-pass header was written by the sender
                        .extra("Return-Path", "<payments@lookalike.example>"),
                mail("18-malicious-filenames.eml")
                        .id("evil-1@attacker.example")
                        .subject("Invoice Bcc: victim@acme.example")
                        .from("x@attacker.example", "Support <support@acme.example>")
                        .date("2024-04-18T12:00:00Z")
                        .text("See attachments.")
                        .attachment("passwd", "text/plain", "text:root:x:0:0:root:/root:/bin/bash", false, null)
                        .attachment("evil.exe", "application/octet-stream", "text:MZ-not-really-an-exe", false, null)
                        .attachment("invoicefdp.exe", "application/octet-stream", "text:MZ-also-not-an-exe", false, null)
                        .attachment("bashrc", "text/plain", "text:alias ls=rm", false, null)
                        .attachment("Q".repeat(251) + ".pdf", "application/pdf", "text:%PDF-1.4 long name", false, null)
                        .auth("none", "none", "none"), // "mx.google.com.attacker.example" is not Gmail
                mail("19-unknown-charset.eml")
                        .id("unknown-charset@cyberdyne.example")
                        .subject("Schöne Grüße")
                        .from("miles@cyberdyne.example", "Miles Dyson")
                        .date("2024-04-19T08:00:00Z")
                        .text("Schöne Grüße aus Zürich."),
                mail("20-html-only-meta-charset.eml")
                        .id("umowa-1@krakow-hr.example")
                        .subject("Umowa")
                        .from("a.nowak@krakow-hr.example", "Agnieszka Nowak")
                        .date("2024-04-19T09:00:00Z")
                        .html("Dzień dobry, umowa jest gotowa do podpisu. Pozdrawiam, Agnieszka Ś"),
                mail("21-own-alert-echo.eml")
                        .id("alert.1042.sla@mailroute.acme.example")
                        .subject("[Mailroute] SLA breached: case 1042 (support@acme.example)")
                        .from("alerts@acme.example", "Mailroute Alerts")
                        .date("2024-04-20T13:00:01Z")
                        .text("Case 1042 has breached its 4h first-response SLA.")
                        .extra("X-Mailroute-Origin", "alert; event=9f1c2d3e-aaaa-4bbb-8ccc-123456789abc")
                        .extra("Auto-Submitted", "auto-generated")
                        .extra("Precedence", "bulk"),
                // RFC 5322 appendix A.5: comments wherever CFWS may stand, a group, an empty group
                mail("22-rfc5322-appendix-a5.eml")
                        .id("testabcd.1234@silly.test")
                        .subject("")
                        .from("pete@silly.test", "Pete")
                        .to("c@public.example", "Chris Jones").to("joe@example.org", null).to("jdoe@one.test", "John")
                        .noCc()
                        .date("1969-02-14T03:02:00Z")
                        .text("Testing."),
                // RFC 5322 appendix A.6: obsolete forms (spaces and comments around dots, a source route)
                mail("23-rfc5322-obsolete-addresses.eml")
                        .id("1234@local.machine.example")
                        .subject("Saying Hello")
                        .from("jdoe@machine.example", "John Doe")
                        .to("mary@example.net", "Mary Smith")
                        .cc("mary@example.net", "Mary Smith").cc("jdoe@test.example", null)
                        .date("1997-11-21T15:55:06Z")
                        .text("This is a message just to say hello."),
                mail("24-bare-addresses-with-comments.eml")
                        .id("acct-question-77@silly.test")
                        .subject("Account question")
                        .from("pete@silly.test", null) // two comments: neither is a name
                        .cc("jdoe@machine.example", null)
                        .date("2024-04-22T13:40:09Z")
                        .text("Which of my two accounts is the billing contact?"),
                mail("25-bounce-uppercase-address.eml")
                        .id("20240424043217.8E1F4C2A61@lvmail01.LL.com")
                        .subject("Undelivered Mail Returned to Sender")
                        .from("MAILER-DAEMON@lvmail01.ll.com", "Mail Delivery System")
                        .to("Rahul.Chaudhari@ll.com", null)
                        .date("2024-04-24T04:32:17Z")
                        .text("This is the mail system at host lvmail01.LL.com.")
                        .extra("Auto-Submitted", "auto-replied")
                        .extra("Return-Path", "<>"),
                mail("26-unquoted-display-name.eml")
                        .id("201002191008.29761.bb@bug.com")
                        .subject("undef method parameter bug")
                        .from("bb@bug.com", "Big Bug") // "From: Big Bug bb@bug.com"
                        .replyTo("\"big bug bb\"@bug.com", null) // a quoted local part keeps its quotes
                        .date("2010-02-19T07:08:29Z")
                        .text("foo bar"),
                mail("27-two-from-addresses-without-comma.eml")
                        .id("lisbon-offsite-1@a.example")
                        .subject("Booking for the Lisbon offsite")
                        .from("tim@a.example", null)
                        .fromOthers("concierge@b.example", null)
                        .date("2024-04-25T09:15:38Z")
                        .text("Please confirm the booking for 14 people, 6-8 May."),
                // RFC 2046 5.1.5: in a digest, a part without Content-Type is message/rfc822
                mail("28-multipart-digest.eml")
                        .id("mailman.3.1713873602.2211.acme-users@lists.acme.example")
                        .subject("acme-users Digest, Vol 12, Issue 3")
                        .from("acme-users-request@lists.acme.example", null)
                        .date("2024-04-23T12:00:02Z")
                        .text("Today's Topics:")
                        .textualAttachment("Printer driver for the X200.eml", "message/rfc822", "payloads/digest-1.eml", false)
                        .textualAttachment("Re_ Printer driver for the X200.eml", "message/rfc822", "payloads/digest-2.eml", false)
                        .extra("List-Id", "Acme users <acme-users.lists.acme.example>")
                        .extra("Precedence", "list"),
                mail("29-top-level-digest.eml")
                        .id("digest-2024-17@forum.hooli.example")
                        .subject("Hooli forum digest: 2 new posts")
                        .from("digest@forum.hooli.example", "Weekly Digest")
                        .date("2024-04-23T18:00:00Z")
                        .textualAttachment("Printer driver for the X200.eml", "message/rfc822", "payloads/digest-1.eml", false)
                        .textualAttachment("Re_ Printer driver for the X200.eml", "message/rfc822", "payloads/digest-2.eml", false),
                mail("30-x-uuencode-empty.eml")
                        .id("scan.20240424083010.3@scanner.globex.example")
                        .subject("Scanned document from Scan Station 3")
                        .from("scanner@globex.example", "Scan Station 3")
                        .date("2024-04-24T08:30:10Z")
                        .text("Scanned 1 page(s) at 10:30. The document is attached.")
                        .undecodableAttachment("scan0001.tif", "image/tiff", "text:", "x-uuencode", "Missing begin"),
                mail("31-x-uuencode-undecodable.eml")
                        .id("rma-4471.1713953149@legacy.initech.example")
                        .subject("RMA 4471 - returned units")
                        .from("milton@initech.example", "Milton Waddams")
                        .date("2024-04-24T10:05:49Z")
                        .text("The serial numbers are in the first file")
                        .attachment("returned-units.txt", "text/plain", "payloads/returned-units.txt", false, null)
                        .undecodableAttachment("packing.jpg", "image/jpeg", "payloads/packing-as-sent.txt", "x-uuencode",
                                "Missing end"));
        return cases.stream().flatMap(c -> Stream.of(Arguments.of(c, "LF"), Arguments.of(c, "CRLF")));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("corpus")
    void corpusMessageParsesAsAMailClientWouldShowIt(Case expected, String lineEndings) throws Exception {
        boolean crlf = lineEndings.equals("CRLF");
        byte[] raw = read(expected.file);
        if (crlf) {
            raw = toCrlf(raw);
        }
        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);
        assertParsed(expected, mail, raw.length, crlf);
    }

    private void assertParsed(Case expected, ParsedMail mail, int rawLength, boolean crlf) throws IOException {
        String file = expected.file;
        assertEquals(expected.messageId, mail.messageId(), file + " Message-ID");
        assertEquals(expected.subject, mail.subject(), file + " subject");
        assertEquals(new MailAddress(expected.fromAddress, expected.fromName), mail.from(), file + " from");
        assertEquals(expected.fromOthers, mail.fromOthers(), file + " other From addresses");
        if (expected.to != null) {
            assertEquals(expected.to, mail.to(), file + " to");
        }
        if (expected.cc != null) {
            assertEquals(expected.cc, mail.cc(), file + " cc");
        }
        assertEquals(expected.replyTo, mail.replyTo(), file + " reply-to");
        assertEquals(expected.date, mail.date(), file + " date");
        assertEquals(expected.inReplyTo, mail.inReplyTo(), file + " in-reply-to");
        assertEquals(expected.references, mail.references(), file + " references");
        assertBody(file + " text body", expected.textSnippet, mail.textBody());
        assertBody(file + " html body", expected.htmlSnippet, mail.htmlBody());
        assertEquals(expected.auth, verdictsOnly(mail.authentication()), file + " authentication");
        assertEquals(expected.extra, mail.extraHeaders(), file + " extra headers");
        assertEquals(rawLength, mail.sizeBytes(), file + " size");
        for (String headerText : new String[] {mail.subject(), mail.from().displayName(), mail.messageId()}) {
            if (headerText != null) {
                assertFalse(headerText.matches("(?s).*[\\r\\n\\u0000-\\u001f].*"), file + " header text with control characters: " + headerText);
            }
        }

        assertEquals(expected.attachments.stream().map(a -> a.name).toList(), mail.attachments().stream().map(AttachmentRef::filename).toList(),
                file + " attachment names");
        AttachmentStore store = new AttachmentStore(storeRoot, CAP);
        for (int i = 0; i < expected.attachments.size(); i++) {
            ExpectedAttachment want = expected.attachments.get(i);
            AttachmentRef got = mail.attachments().get(i);
            byte[] bytes = want.bytes(crlf);
            assertEquals(want.contentType, got.contentType(), file + " " + want.name + " content type");
            assertEquals(bytes.length, got.size(), file + " " + want.name + " size");
            assertEquals(sha256(bytes), got.sha256(), file + " " + want.name + " sha256");
            assertEquals(want.inline, got.inline(), file + " " + want.name + " inline");
            assertEquals(want.contentId, got.contentId(), file + " " + want.name + " content id");
            if (want.undecodable == null) {
                assertNull(got.undecodable(), file + " " + want.name + " should decode");
            } else {
                assertNotNull(got.undecodable(), file + " " + want.name + " should be marked undecodable");
                for (String snippet : want.undecodable) {
                    assertTrue(got.undecodable().contains(snippet), file + " " + want.name + " reason: " + got.undecodable());
                }
            }
            assertArrayEquals(bytes, Files.readAllBytes(store.pathOf(got.sha256())), file + " " + want.name + " stored bytes");
        }
    }

    /** null: the body must be absent; otherwise it must contain the snippet (line endings normalised) and decode cleanly. */
    private static void assertBody(String what, String snippet, String body) {
        if (snippet == null) {
            assertNull(body, what + " should be absent");
            return;
        }
        assertNotNull(body, what);
        String normalised = body.replace("\r\n", "\n");
        assertTrue(normalised.contains(snippet), what + " should contain \"" + snippet + "\" but was:\n" + normalised);
        assertFalse(body.contains("\uFFFD"), what + " has undecodable characters:\n" + body);
    }

    // ---- explicit behaviour -----------------------------------------------------------------------

    @Test
    void jakartaMailIsToldTheStreamProviderTheClasspathWouldHaveFound() {
        String found = java.util.ServiceLoader.load(jakarta.mail.util.StreamProvider.class).findFirst().orElseThrow()
                .getClass().getName();
        assertEquals(found, MimeParser.STREAM_PROVIDER, "the provider on the classpath is named (else every body part fails)");
        MimeParser.nameStreamProvider();
        assertEquals(MimeParser.STREAM_PROVIDER, System.getProperty(jakarta.mail.util.StreamProvider.class.getName()));
        assertEquals(found, jakarta.mail.util.StreamProvider.provider().getClass().getName());
    }

    @Test
    void attachmentOverTheCapFailsTheMessageNamingFileAndCapAndLeavesNoTempFile() throws Exception {
        byte[] big = new byte[(int) CAP + 1];
        new Random(42).nextBytes(big);
        byte[] raw = messageWithAttachment("backup.tar", big);

        AttachmentTooLargeException e = assertThrows(AttachmentTooLargeException.class,
                () -> new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw));

        assertEquals("backup.tar", e.filename());
        assertEquals(CAP, e.capBytes());
        assertTrue(e.getMessage().contains("backup.tar") && e.getMessage().contains(Long.toString(CAP)), e.getMessage());
        try (Stream<Path> left = Files.list(storeRoot)) {
            assertEquals(List.of(), left.toList(), "nothing may be left in the store");
        }
    }

    @Test
    void attachmentExactlyAtTheCapIsStored() throws Exception {
        byte[] exact = new byte[(int) CAP];
        new Random(7).nextBytes(exact);

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(messageWithAttachment("exact.bin", exact));

        assertEquals(1, mail.attachments().size());
        assertEquals(sha256(exact), mail.attachments().get(0).sha256());
        assertEquals(CAP, mail.attachments().get(0).size());
    }

    @Test
    void theSameAttachmentInTwoMessagesIsStoredOnce() throws Exception {
        MimeParser parser = new MimeParser(new AttachmentStore(storeRoot, CAP));
        String first = parser.parse(read("10-rfc2047-filename.eml")).attachments().get(0).sha256();
        String second = parser.parse(read("13-truncated-multipart.eml")).attachments().get(0).sha256();

        assertEquals(first, second);
        try (Stream<Path> files = Files.list(storeRoot)) {
            assertEquals(List.of(storeRoot.resolve(first)), files.toList());
        }
    }

    static Stream<byte[]> garbage() {
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        return Stream.of(
                new byte[0],
                random,
                new byte[] {0, 0, 0, 0, '\n', '\n'},
                utf8("hello world\nthis is not a mail\n"),
                utf8("\n\nbody without any header\n"),
                utf8("X-Custom: only a made-up header\n\nbody\n"),
                read("payloads/invoice.pdf"));
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void garbageIsRejectedAsMalformedWithAReason(byte[] garbage) {
        MalformedMailException e = assertThrows(MalformedMailException.class,
                () -> new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(garbage));
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void nullInputIsMalformedNotANullPointer() {
        assertThrows(MalformedMailException.class, () -> new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(null));
    }

    @Test
    void multipartWithoutAnyBoundaryLineIsShownAsText() throws Exception {
        byte[] raw = utf8("From: a@b.example\nSubject: broken\nContent-Type: multipart/mixed; boundary=nowhere\n\njust text, no parts\n");

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);

        assertTrue(mail.textBody().contains("just text, no parts"), mail.textBody());
        assertEquals(List.of(), mail.attachments());
    }

    @Test
    void damagedBase64IsDecodedAsFarAsPossibleInsteadOfFailingTheMessage() throws Exception {
        byte[] raw = utf8("From: a@b.example\nSubject: damaged\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQ*!*\n");

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);

        assertTrue(mail.textBody().startsWith("Hello world"), mail.textBody());
    }

    @Test
    void messageWithoutSubjectHasEmptySubjectAndNoFromHasNullFrom() throws Exception {
        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP))
                .parse(utf8("To: a@b.example\nDate: Mon, 1 Apr 2024 10:00:00 +0000\n\nhi\n"));

        assertEquals("", mail.subject());
        assertNull(mail.from());
        assertEquals(Instant.parse("2024-04-01T10:00:00Z"), mail.date());
    }

    @Test
    void singlePartPdfMessageIsOneAttachmentAndNoBody() throws Exception {
        byte[] pdf = read("payloads/invoice.pdf");
        byte[] raw = utf8("From: scanner@acme.example\nSubject: Scan\nContent-Type: application/pdf; name=scan.pdf\n"
                + "Content-Transfer-Encoding: base64\n\n" + Base64.getMimeEncoder().encodeToString(pdf) + "\n");

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);

        assertNull(mail.textBody());
        assertNull(mail.htmlBody());
        assertEquals(List.of(new AttachmentRef("scan.pdf", "application/pdf", pdf.length, sha256(pdf), false, null)), mail.attachments());
    }

    @Test
    void rawUtf8FilenameIsDecodedAsUtf8() throws Exception {
        byte[] raw = utf8("From: a@b.example\nSubject: cv\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nCV attached\n--b\nContent-Type: application/pdf\n"
                + "Content-Disposition: attachment; filename=\"Résumé – Ünal.pdf\"\n\n%PDF-1.4\n--b--\n");

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);

        assertEquals("Résumé – Ünal.pdf", mail.attachments().get(0).filename());
    }

    @Test
    void attachedMessageIsNamedAfterItsSubjectWithoutLosingTextBeforeASlash() throws Exception {
        byte[] raw = utf8("From: a@b.example\nSubject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                + "Content-Type: text/plain\n\nsee attached\n--b\nContent-Type: message/rfc822\n\n"
                + "From: c@d.example\nSubject: =?UTF-8?Q?Re:_A/B_test_f=C3=BCr_../../x?=\n\ninner\n--b\n"
                + "Content-Type: message/rfc822\n\nFrom: c@d.example\n\nno subject\n--b--\n");

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);

        assertEquals(List.of("Re_ A_B test für .._.._x.eml", "attached.eml"), mail.attachments().stream().map(AttachmentRef::filename).toList());
        assertEquals("see attached", mail.textBody().strip());
    }

    @Test
    void absurdlyDeepNestingIsMalformedNotAStackOverflow() {
        byte[] raw = TestMail.nestedMultiparts(5000); // what overflowed the sandbox's stack (issue 10)

        MalformedMailException e = assertThrows(MalformedMailException.class,
                () -> new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw));
        assertTrue(e.getMessage().contains("nested more than 32 levels"), e.getMessage());
    }

    @Test
    void aBodyWhoseTransferEncodingCannotBeUndoneIsKeptAsAnUndecodableAttachment() throws Exception {
        byte[] raw = utf8("From: legacy@initech.example\nSubject: notes\nContent-Type: text/plain; charset=us-ascii\n"
                + "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 notes.txt\nM86)C\n");

        ParsedMail mail = new MimeParser(new AttachmentStore(storeRoot, CAP)).parse(raw);

        assertNull(mail.textBody());
        assertEquals(1, mail.attachments().size());
        AttachmentRef kept = mail.attachments().get(0);
        assertEquals("attachment.txt", kept.filename());
        assertTrue(kept.undecodable().contains("x-uuencode"), kept.undecodable());
        assertEquals(sha256(utf8("begin 644 notes.txt\nM86)C\n")), kept.sha256(), "the bytes as sent");
    }

    @Test
    void anUnwritableStoreIsAnInfrastructureFailureNotAMalformedMessage() throws Exception {
        Path notADirectory = Files.writeString(storeRoot.resolve("occupied"), "x");

        assertThrows(java.io.UncheckedIOException.class,
                () -> new MimeParser(new AttachmentStore(notADirectory, CAP)).parse(read("13-truncated-multipart.eml")));
    }

    private static byte[] messageWithAttachment(String filename, byte[] content) {
        String b64 = Base64.getMimeEncoder(76, "\r\n".getBytes()).encodeToString(content);
        return utf8("From: Backup <backup@globex.example>\r\nTo: ops@acme.example\r\nSubject: nightly backup\r\n"
                + "Message-ID: <backup@globex.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nBackup attached.\r\n"
                + "--b1\r\nContent-Type: application/x-tar\r\nContent-Disposition: attachment; filename=\"" + filename + "\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "\r\n--b1--\r\n");
    }

    // ---- the table's row type -----------------------------------------------------------------------

    private static Case mail(String file) {
        return new Case(file);
    }

    /** The corpus table states the verdicts; AuthenticationResultsReaderTest states the domains they were reached for. */
    private static AuthVerdicts verdictsOnly(AuthVerdicts v) {
        return new AuthVerdicts(v.dkim(), v.spf(), v.dmarc());
    }

    static final class Case {
        final String file;
        String messageId;
        String subject;
        String fromAddress;
        String fromName;
        final List<MailAddress> fromOthers = new ArrayList<>();
        List<MailAddress> to;
        List<MailAddress> cc;
        final List<MailAddress> replyTo = new ArrayList<>();
        Instant date;
        String inReplyTo;
        List<String> references = List.of();
        String textSnippet;
        String htmlSnippet;
        final List<ExpectedAttachment> attachments = new ArrayList<>();
        AuthVerdicts auth = AuthVerdicts.none();
        final Map<String, String> extra = new LinkedHashMap<>();

        Case(String file) {
            this.file = file;
        }

        Case id(String v) { messageId = v; return this; }
        Case subject(String v) { subject = v; return this; }
        Case from(String address, String name) { fromAddress = address; fromName = name; return this; }
        Case to(String address, String name) {
            if (to == null) {
                to = new ArrayList<>();
            }
            to.add(new MailAddress(address, name));
            return this;
        }
        Case fromOthers(String address, String name) { fromOthers.add(new MailAddress(address, name)); return this; }
        Case cc(String address, String name) {
            if (cc == null) {
                cc = new ArrayList<>();
            }
            cc.add(new MailAddress(address, name));
            return this;
        }
        Case noCc() { cc = new ArrayList<>(); return this; }
        Case replyTo(String address, String name) { replyTo.add(new MailAddress(address, name)); return this; }
        Case date(String v) { date = Instant.parse(v); return this; }
        Case inReplyTo(String v) { inReplyTo = v; return this; }
        Case references(String... v) { references = List.of(v); return this; }
        Case text(String v) { textSnippet = v; return this; }
        Case html(String v) { htmlSnippet = v; return this; }
        Case auth(String dkim, String spf, String dmarc) { auth = new AuthVerdicts(dkim, spf, dmarc); return this; }
        Case extra(String name, String value) { extra.put(name, value); return this; }
        Case attachment(String name, String type, String payload, boolean inline, String contentId) {
            attachments.add(new ExpectedAttachment(name, type, payload, inline, contentId, false, null));
            return this;
        }
        /** An attachment sent as plain text lines, whose bytes carry the message's own line endings. */
        Case textualAttachment(String name, String type, String payload, boolean inline) {
            attachments.add(new ExpectedAttachment(name, type, payload, inline, null, true, null));
            return this;
        }
        /** An attachment whose transfer encoding cannot be undone: kept as sent, with a reason naming each snippet. */
        Case undecodableAttachment(String name, String type, String payloadAsSent, String... reasonSnippets) {
            attachments.add(new ExpectedAttachment(name, type, payloadAsSent, false, null, true, List.of(reasonSnippets)));
            return this;
        }

        @Override
        public String toString() {
            return file;
        }
    }

    /** {@code payload} is a corpus path, or "text:" followed by the literal content. */
    record ExpectedAttachment(String name, String contentType, String payload, boolean inline, String contentId, boolean followsLineEndings,
            List<String> undecodable) {
        byte[] bytes(boolean crlf) {
            byte[] bytes = payload.startsWith("text:") ? utf8(payload.substring(5)) : read(payload);
            return crlf && followsLineEndings ? toCrlf(bytes) : bytes;
        }
    }
}
