package io.mailroute.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.EmailContent;
import io.mailroute.delivery.email.MailComposer;
import io.mailroute.events.Event;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The approval emails as the shipped templates write them, on an in-memory H2 with the real approvals and links. */
class ApprovalMailTest {

    private static final Instant T0 = Instant.parse("2026-11-17T09:00:00Z");
    /** Allowed in an address, and each must still be escaped in HTML. */
    private static final String APPROVER = "o'brien&x=`y@acme.example";
    private static final String OTHER = "b.approver@acme.example";
    private static final String HOSTILE = "<script>alert(1)</script>\"'";
    private static final String ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;";
    private static final String ORIGINAL_ID = "po-4471@vendor.example";
    private static final ChannelsConfig.Channel CHANNEL = new ChannelsConfig.Channel("approval-email", "email",
            Map.of("sender", "$mailbox"), null);

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private Database db;
    private Approvals approvals;
    private SignedLinks links;
    private ApprovalMail mail;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabases.h2("approval-mail");
        TestDatabases.addMailbox(db, "accounts");
        approvals = TestApprovals.on(db, dir, """
                mailbox: accounts
                policies:
                  default: {mode: any, expires: P3D}
                """, json, clock);
        links = new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), db, clock);
        mail = new ApprovalMail(approvals, new DecisionLinks(links, Duration.ofDays(14), clock),
                Path.of("config", "templates").toFile(), ChannelsConfig.empty(),
                id -> "accounts".equals(id) ? "accounts@acme.example" : null, db, json);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void theRequestShowsEveryValueEscapedInHtml() {
        storeOriginal("Purchase order PO-4471", null, HOSTILE + " please approve the order for 12 chairs.");
        Approvals.Requested requested = request(HOSTILE + " PO-4471", ORIGINAL_ID);

        EmailContent.Mail written = mail.compose(delivery(requested.events().get(0), APPROVER), CHANNEL);

        String html = written.html();
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains(HOSTILE), html);
        assertTrue(html.contains("<h2 style=\"font-size: 1.2em\">" + ESCAPED + " PO-4471</h2>"), "title: " + html);
        assertTrue(html.contains(">" + ESCAPED + "vendor</th>"), "a field's name: " + html);
        assertTrue(html.contains(">" + ESCAPED + "Vandelay</td>"), "a field's value: " + html);
        assertTrue(html.contains("<li>" + ESCAPED + ".pdf</li>"), "an attachment: " + html);
        assertTrue(html.contains(ESCAPED + " please approve the order"), "the original's summary: " + html);
        assertTrue(html.contains("j.smith@acme.example wrote:"), "the original's sender: " + html);
        assertTrue(html.contains("<strong>j.smith@acme.example</strong> asks you to approve"), html);
        assertTrue(html.contains("Decide before 2026-11-20T09:00:00Z"), html);
        assertTrue(html.contains("&quot;Approve&quot;, &quot;Reject&quot; or\n     &quot;Changes&quot; as the first word"), html);
        assertTrue(written.text().contains(HOSTILE + " PO-4471"), "text is text: " + written.text());
        assertTrue(written.text().contains("reply to this email with \"Approve\", \"Reject\" or \"Changes\" as the first word"),
                written.text());
        assertEquals("accounts@acme.example", written.replyTo());
    }

    @Test
    void eachButtonIsASignedLinkForThatApproverAndApproval() {
        Approvals.Requested requested = request("PO-4471", null);
        long id = requested.approval().id();

        for (String approver : List.of(APPROVER, OTHER)) {
            EmailContent.Mail written = mail.compose(delivery(requested.events().get(0), approver), CHANNEL);
            List<String> hrefs = hrefs(written.html());
            assertEquals(3, hrefs.size(), written.html());
            List<String> decisions = new ArrayList<>();
            for (String href : hrefs) {
                assertTrue(written.text().contains(href), "the text has the same link: " + href);
                URI uri = URI.create(href);
                assertEquals(DecisionLinks.PAGE_PATH, uri.getPath());
                Map<String, String> query = query(uri);
                LinkCheck check = links.verify(query.get("t"), DecisionLinks.PURPOSE);
                assertTrue(check instanceof LinkCheck.Valid, href + ": " + check);
                LinkCheck.Valid valid = (LinkCheck.Valid) check;
                assertEquals(Long.toString(id), valid.link().subjectId());
                assertEquals(approver, valid.link().recipient());
                assertTrue(valid.link().singleUse());
                decisions.add(query.get(DecisionLinks.DECISION_PARAMETER));
            }
            assertEquals(List.of("approve", "reject", "request-changes"), decisions);
        }
        assertEquals("Approval needed: PO-4471", mail.compose(delivery(requested.events().get(0), OTHER), CHANNEL).subject());
        assertNull(mail.compose(delivery(requested.events().get(0), OTHER), CHANNEL).thread(), "no original: a new thread");
        assertThrows(IllegalStateException.class, () -> mail.compose(delivery(requested.events().get(0),
                "someone.else@acme.example"), CHANNEL), "no links for someone who is not an approver");
    }

    @Test
    void noFieldOfTheOriginalReachesAHeaderWithALineBreak() throws Exception {
        storeOriginal("Order\r\nBcc: victim@evil.example", "<a@x.example>\r\nBcc: victim@evil.example <b@x.example>", "text");
        Approvals.Requested requested = request("PO-4471", ORIGINAL_ID);

        EmailContent.Mail written = mail.compose(delivery(requested.events().get(0), OTHER), CHANNEL);

        assertEquals("Re: Order Bcc: victim@evil.example", written.subject());
        assertEquals("thread-1", written.thread().threadId());
        assertEquals(ORIGINAL_ID, written.thread().inReplyTo());
        assertEquals(List.of("a@x.example", "b@x.example", ORIGINAL_ID), written.thread().references());
        MimeMessage sent = compose(written, OTHER);
        assertNull(sent.getHeader("Bcc"), "an injected header");
        assertEquals("<" + ORIGINAL_ID + ">", sent.getHeader("In-Reply-To", null));
        assertEquals("<a@x.example> <b@x.example> <" + ORIGINAL_ID + ">", sent.getHeader("References", null));
        assertEquals("accounts@acme.example", sent.getReplyTo()[0].toString());

        assertFalse(ApprovalMail.headerSafe("a@b\r\nBcc: x@y"));
        assertFalse(ApprovalMail.headerSafe("<a@b>"));
        assertTrue(ApprovalMail.headerSafe(ORIGINAL_ID));
    }

    @Test
    void theRequesterIsToldTheOutcomeInTheOriginalThread() {
        storeOriginal("Purchase order PO-4471", null, "text");
        Approvals.Requested requested = request("PO-4471", ORIGINAL_ID);
        Approvals.Result result = approvals.decide(requested.approval().id(), OTHER, Decision.REJECT, DecisionChannel.API,
                HOSTILE + " too expensive", null);
        Event decided = ((Approvals.Done) result).events().stream().filter(e -> e.type().equals(Approvals.DECIDED))
                .findFirst().orElseThrow();

        EmailContent.Mail written = mail.compose(delivery(decided, "j.smith@acme.example"), CHANNEL);

        assertEquals("Re: Purchase order PO-4471", written.subject());
        assertEquals(ORIGINAL_ID, written.thread().inReplyTo());
        assertTrue(written.html().contains("was <strong>rejected</strong>"), written.html());
        assertTrue(written.html().contains("Decided by " + OTHER + " (api) at 2026-11-17T09:00:00Z"), written.html());
        assertTrue(written.html().contains(ESCAPED + " too expensive"), written.html());
        assertFalse(written.html().contains(HOSTILE), written.html());
        assertTrue(written.text().contains(HOSTILE + " too expensive"), written.text());
        assertEquals(new ApprovalMail.Sent(requested.approval().id(), null, "NOTICE"),
                mail.sent(delivery(decided, "j.smith@acme.example")).orElseThrow());
        assertThrows(IllegalStateException.class, () -> mail.compose(delivery(requested.events().get(0), OTHER), CHANNEL),
                "a request after the decision has no links to give");
    }

    @Test
    void eachSentEmailIsRecordedOnceWithGmailsIds() {
        Approvals.Requested requested = request("PO-4471", null);
        ApprovalMessages messages = new ApprovalMessages(mail, db, clock);
        Delivery delivery = delivery(requested.events().get(0), APPROVER);

        messages.sent(delivery, "mailroute.1.ab@acme.example", "gm-1", "th-1", "accounts");
        messages.sent(delivery, "mailroute.1.ab@acme.example", "gm-1", "th-1", "accounts"); // a retry that found it sent

        List<ApprovalMessages.Message> recorded = messages.of(requested.approval().id());
        assertEquals(List.of(new ApprovalMessages.Message(requested.approval().id(), APPROVER, "REQUEST", "accounts",
                "mailroute.1.ab@acme.example", "gm-1", "th-1", T0)), recorded);
        assertEquals(recorded, messages.inThread("th-1"));
        assertEquals(recorded.get(0), messages.byMessageId("mailroute.1.ab@acme.example").orElseThrow());
        messages.sent(new Delivery(9, "e", "case.created", "accounts", null, "email", "email", "x", "x@y", "SENT", 0, T0,
                null, null, null, null, T0, null, null), "other@x", "gm-2", "th-2", "accounts");
        assertEquals(1L, db.jdbc().queryForObject("SELECT COUNT(*) FROM approval_message", Map.of(), Long.class),
                "mail about something else is not an approval's");
    }

    private Approvals.Requested request(String title, String originalMessageId) {
        return approvals.request(new ApprovalRequest(title, "j.smith@acme.example", List.of(APPROVER, OTHER), "default",
                json.createObjectNode().put("amount", 12480).put(HOSTILE + "vendor", HOSTILE + "Vandelay"),
                List.of(new ApprovalRequest.Attachment(HOSTILE + ".pdf", "https://files.acme.example/1")), null, null, null,
                "NORMAL", null, originalMessageId, originalMessageId == null ? null : "thread-1", ApprovalRequest.Source.API,
                "token:test"));
    }

    private void storeOriginal(String subject, String references, String text) {
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, references_header,
                    subject, from_address, ingested_at, text_body)
                VALUES ('accounts', 'g-1', 'thread-1', 'INGESTED', :messageId, :references, :subject, 'j.smith@acme.example',
                    :at, :text)""", new org.springframework.jdbc.core.namedparam.MapSqlParameterSource("messageId", ORIGINAL_ID)
                .addValue("references", references).addValue("subject", subject).addValue("at", Timestamp.from(T0))
                .addValue("text", text));
    }

    private static Delivery delivery(Event event, String address) {
        return new Delivery(1, event.id(), event.type(), event.mailbox(), event.itemId(), "approval-email", "email", address,
                address, Delivery.SENDING, 0, T0, null, null, null, null, T0, null, null);
    }

    private static MimeMessage compose(EmailContent.Mail written, String to) throws Exception {
        MailComposer.Outbound outbound = new MailComposer.Outbound("accounts@acme.example", "Acme Approvals", to,
                written.subject(), written.text(), written.html(), "m1@acme.example", written.thread().inReplyTo(),
                written.thread().references(), "1").withReplyTo(written.replyTo());
        byte[] raw = new MailComposer().compose(outbound);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
    }

    private static List<String> hrefs(String html) {
        Matcher m = Pattern.compile("href=\"([^\"]+)\"").matcher(html);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1).replace("&#61;", "=").replace("&amp;", "&"));
        }
        return out;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], kv[1]);
        }
        return out;
    }
}
