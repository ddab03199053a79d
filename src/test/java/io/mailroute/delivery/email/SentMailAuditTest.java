package io.mailroute.delivery.email;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.mailroute.audit.AuditLog;
import io.mailroute.audit.AuditTrail;
import io.mailroute.audit.AuditVerifier;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.Notification;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.SendResult;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every email the transport gets accepted has exactly one {@code mail.sent} audit record, committed with the
 * delivery's provider id and before the delivery counts as sent; an audit that cannot be written never sends twice;
 * a failed send's provider words reach the log, not {@code lastError}. The real worker, store, audit log and
 * templates on H2, with Gmail played by {@link FakeGmail} (and SMTP by GreenMail).
 */
class SentMailAuditTest {

    private static final List<Class<?>> LOGGERS = List.of(DeliveryWorker.class, SentMailAudit.class);

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private EmailWorld world;
    private ChannelsConfig channels;
    private AuditTrail audit;

    @BeforeEach
    void setUp() throws Exception {
        world = new EmailWorld("sent-mail");
        audit = new AuditLog(world.db, world.json, world.clock)::append;
        channels = new ChannelsConfig(Map.of(
                "email", new ChannelsConfig.Channel("email", "email", Map.of("sender", "support", "fromName", "Acme"), null),
                "owner-email", new ChannelsConfig.Channel("owner-email", "email", Map.of("sender", "fallback"), null)),
                Map.of("team", new ChannelsConfig.Recipient("team", "Team", "team@acme.example", List.of())), Map.of(), Map.of());
        LOGGERS.forEach(c -> ((Logger) LoggerFactory.getLogger(c)).addAppender(log));
        log.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        LOGGERS.forEach(c -> ((Logger) LoggerFactory.getLogger(c)).detachAppender(log));
        world.close();
    }

    @Test
    void anAcceptedEmailHasOneMailSentRecordWithWhatWasSentAndWhatGmailAnswered() throws Exception {
        long id = plan("email", "Printer on fire");
        assertEquals(1, worker(transport()).runOnce());

        Delivery delivery = world.store.get(id).orElseThrow();
        assertEquals(Delivery.SENT, delivery.status());
        assertEquals(1, world.gmail.sent.size());
        MimeMessage sent = world.gmail.sent.get(0).message();
        assertEquals("<" + delivery.messageId() + ">", sent.getMessageID());

        JsonNode record = only(mailSent());
        assertEquals("support", record.get("mailbox").asText(), "the sending mailbox");
        assertEquals("delivery:" + id, record.get("subjectRef").asText());
        JsonNode details = record.get("details");
        assertEquals(delivery.messageId(), details.get("messageId").asText(), "the Message-ID we set");
        assertEquals("gmail-1", details.get("gmailId").asText());
        assertEquals("thread-1", details.get("threadId").asText());
        assertEquals(delivery.providerId(), details.get("gmailId").asText());
        assertEquals(List.of("team@acme.example"), texts(details.get("to")));
        assertEquals(List.of(), texts(details.get("cc")));
        assertEquals(List.of(), texts(details.get("bcc")));
        assertEquals(sent.getSubject(), details.get("subject").asText());
        assertTrue(details.get("subject").asText().contains("#42"), details.toString());
        assertEquals("mailbox", details.get("via").asText());
        assertEquals("support", details.get("senderMailbox").asText());
        assertEquals("support@acme.example", details.get("from").asText());
        assertEquals("send", details.get("confirmedBy").asText());
        assertEquals(delivery.eventId(), details.get("eventId").asText());
        assertEquals("case.created", details.get("eventType").asText());
        assertEquals(42, details.get("itemId").asLong());
        assertEquals(id, details.get("deliveryId").asLong());
        assertEquals("email", details.get("channel").asText());
        assertTrue(new AuditVerifier(world.db).verify().intact());
    }

    @Test
    void theRecordCommitsWithTheProviderIdBeforeTheDeliveryCountsAsSent() throws Exception {
        long id = plan("email", "Printer on fire");
        List<String> atAppend = new ArrayList<>();
        AuditTrail real = audit;
        audit = (action, mailbox, subjectRef, details) -> {
            Delivery d = world.store.get(id).orElseThrow(); // inside the appending transaction
            atAppend.add(d.status() + " " + d.providerId());
            real.record(action, mailbox, subjectRef, details);
        };
        worker(transport()).runOnce();
        assertEquals(List.of("SENDING gmail-1"), atAppend);
        assertEquals(Delivery.SENT, world.store.get(id).orElseThrow().status());
    }

    @Test
    void anAuditThatCannotBeWrittenNeitherFailsTheDeliveryNorSendsItAgain() throws Exception {
        long id = plan("email", "Printer on fire");
        world.db.jdbc().update("DELETE FROM audit_head", Map.of()); // appending is impossible now

        DeliveryWorker worker = worker(transport());
        assertEquals(1, worker.runOnce());
        Delivery delivery = world.store.get(id).orElseThrow();
        assertEquals(Delivery.SENT, delivery.status(), "the email went: it is sent, not retried or handed to a fallback");
        assertEquals(1, delivery.attempts());
        assertEquals("gmail-1", delivery.providerId());
        assertEquals(List.of(), mailSent(), "the failed append left nothing behind");
        assertTrue(log.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains("Delivery " + id + ": the email went (Message-ID <" + delivery.messageId())
                && e.getFormattedMessage().contains("audit record could not be written")), messages().toString());

        world.clock.advance(Duration.ofHours(1));
        assertEquals(0, worker.runOnce());
        assertEquals(1, world.gmail.sent.size(), "one email");
    }

    @Test
    void anAcceptedDeliveryWhoseOutcomeWasLostIsNeitherSentNorAuditedAgain() throws Exception {
        long id = plan("email", "Printer on fire");
        GmailEmailTransport transport = transport();
        // The worker claims it, the send is accepted and audited, and the worker dies before recording SENT.
        Delivery claimed = world.store.claimDue(world.clock.instant(), world.clock.instant().plus(Duration.ofMinutes(1)), 10, "node-a").get(0);
        SendResult first = transport.send(claimed, notification(claimed), channels.channels().get("email"));
        assertEquals(SendResult.Outcome.DELIVERED, first.outcome());
        assertEquals(Delivery.SENDING, world.store.get(id).orElseThrow().status());

        world.clock.advance(Duration.ofMinutes(2)); // the lease ran out: another worker claims it
        assertEquals(1, worker(transport).runOnce());
        assertEquals(Delivery.SENT, world.store.get(id).orElseThrow().status());
        assertEquals(1, world.gmail.sent.size(), "not sent again");
        assertEquals(1, mailSent().size(), "not audited again");
    }

    @Test
    void anEmailWhoseClaimAnotherWorkerTookBeforeItsSendIsNotSentFromTheOldClaim() throws Exception {
        long id = plan("email", "Printer on fire");
        GmailEmailTransport transport = transport();
        Delivery a = world.store.claimDue(world.clock.instant(), world.clock.instant().plus(Duration.ofMinutes(1)), 10, "node-a").get(0);
        world.clock.advance(Duration.ofMinutes(2)); // A's lease ran out before it got to this delivery, and B claimed it
        Delivery b = world.store.claimDue(world.clock.instant(), world.clock.instant().plus(Duration.ofMinutes(1)), 10, "node-b").get(0);

        SendResult stale = transport.send(a, notification(a), channels.channels().get("email"));
        assertEquals(SendResult.Outcome.RETRY, stale.outcome(), stale.toString());
        assertEquals(0, world.gmail.sent.size(), "A did not send it: its Message-ID could not be recorded under its claim");
        assertNull(world.store.get(id).orElseThrow().messageId());

        assertEquals(SendResult.Outcome.DELIVERED, transport.send(b, notification(b), channels.channels().get("email")).outcome());
        assertEquals(1, world.gmail.sent.size());
        assertEquals("send", only(mailSent()).at("/details/confirmedBy").asText());
    }

    @Test
    void anEmailAcceptedAfterItsClaimWasTakenIsAuditedOnceByTheNewOwnerFromTheSentFolder() throws Exception {
        long id = plan("email", "Printer on fire");
        List<Delivery> claimedByB = new ArrayList<>();
        // A composes after recording the Message-ID; meanwhile its lease runs out and B claims the delivery
        GmailEmailTransport transport = transport().withContent((delivery, channel) -> {
            if (claimedByB.isEmpty()) {
                world.clock.advance(Duration.ofMinutes(2));
                claimedByB.addAll(world.store.claimDue(world.clock.instant(), world.clock.instant().plus(Duration.ofMinutes(1)), 10, "node-b"));
            }
            return null;
        }, io.mailroute.delivery.SentEmails.NONE);

        assertEquals(1, worker(transport).runOnce());
        assertEquals(1, world.gmail.sent.size(), "A's email went");
        assertEquals(List.of(), mailSent(), "A's claim was gone: it records neither the acceptance nor the audit");
        Delivery b = claimedByB.get(0);
        assertEquals(Delivery.SENDING, world.store.get(id).orElseThrow().status(), "nor its outcome: B holds it");
        assertNull(world.store.get(id).orElseThrow().providerId());

        SendResult found = transport.send(b, notification(b), channels.channels().get("email"));
        assertEquals(SendResult.Outcome.DELIVERED, found.outcome());
        assertTrue(world.store.finish(b, Delivery.SENT, world.clock.instant(), null, found.providerId(), world.clock.instant()));
        assertEquals(1, world.gmail.sent.size(), "B found it by its Message-ID and did not send it again");
        JsonNode details = only(mailSent()).get("details");
        assertEquals("sent-folder", details.get("confirmedBy").asText());
        assertEquals(world.store.get(id).orElseThrow().messageId(), details.get("messageId").asText());
        assertEquals("gmail-1", world.store.get(id).orElseThrow().providerId());
    }

    @Test
    void anEmailFoundInTheSentFolderAfterATimeoutIsAuditedOnceFromWhatGmailKept() throws Exception {
        long id = plan("email", "Printer on fire");
        world.gmail.acceptBeforeFailing = true; // Gmail took it, the answer never came back
        world.gmail.failNext = () -> new RuntimeCamelException("Error invoking send", new SocketTimeoutException("Read timed out"));
        DeliveryWorker worker = worker(transport());
        worker.runOnce();
        Delivery retried = world.store.get(id).orElseThrow();
        assertEquals(Delivery.PENDING, retried.status());
        assertEquals("gmail: SocketTimeoutException: no answer from Gmail; tried again later", retried.lastError());
        assertEquals(List.of(), mailSent(), "nothing is known to have gone yet");

        world.clock.advance(Duration.ofMinutes(5));
        assertEquals(1, worker.runOnce());
        assertEquals(Delivery.SENT, world.store.get(id).orElseThrow().status());
        assertEquals(1, world.gmail.sent.size(), "found by its Message-ID, not sent again");
        JsonNode details = only(mailSent()).get("details");
        assertEquals("sent-folder", details.get("confirmedBy").asText());
        assertEquals(retried.messageId(), details.get("messageId").asText());
        assertEquals("gmail-1", details.get("gmailId").asText());
        assertEquals("thread-1", details.get("threadId").asText());
        assertEquals(List.of("team@acme.example"), texts(details.get("to")));
        assertEquals(world.gmail.sent.get(0).message().getSubject(), details.get("subject").asText());
    }

    @Test
    void gmailsRefusalIsExplainedInLastErrorAndItsWordsGoToTheLogOnOneLine() throws Exception {
        long id = plan("email", "Printer on fire");
        world.gmail.failNext = () -> new RuntimeCamelException("Error invoking send",
                SendFailuresTest.gmailError(400, "invalidArgument", "Invalid To header: <team@acme.example>\r\nINFO forged line"));
        worker(transport()).runOnce();

        Delivery failed = world.store.get(id).orElseThrow();
        assertEquals(Delivery.FAILED, failed.status());
        assertEquals("gmail 400 invalidArgument: Gmail refused the message as composed; not tried again", failed.lastError());
        assertEquals(List.of(), mailSent(), "a send that failed is not mail.sent");
        assertEquals(0, world.gmail.sent.size());
        String line = messages().stream().filter(m -> m.contains("failed for good")).findFirst().orElseThrow();
        assertTrue(line.contains("the provider said: 400 Invalid To header: <team@acme.example> INFO forged line"), line);
        assertFalse(line.contains("\n") || line.contains("\r"), line);
    }

    @Test
    void mailFromTheSmtpFallbackSenderIsAuditedUnderTheEventsMailboxWhenItStandsInForNone() throws Exception {
        int port = freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            long id = plan("owner-email", "Grant revoked");
            worker(transport().withFallback(mailbox -> true, smtpFallback(port))).runOnce();

            Delivery delivery = world.store.get(id).orElseThrow();
            assertEquals(Delivery.SENT, delivery.status(), delivery.lastError());
            assertEquals(1, smtp.getReceivedMessages().length);
            JsonNode record = only(mailSent());
            assertEquals("support", record.get("mailbox").asText(), "the event's: SMTP has no mailbox, the channel none either");
            assertTrue(record.at("/details/standsInFor").isNull());
            JsonNode details = record.get("details");
            assertEquals("fallback-smtp", details.get("via").asText());
            assertTrue(details.get("senderMailbox").isNull());
            assertEquals("smtp 127.0.0.1:" + port + " as alerts@acme.example", details.get("sentVia").asText());
            assertEquals("alerts@acme.example", details.get("from").asText());
            assertEquals(smtp.getReceivedMessages()[0].getMessageID(), "<" + details.get("messageId").asText() + ">");
            assertTrue(details.get("gmailId").isNull() && details.get("threadId").isNull(), details.toString());
            assertEquals(delivery.messageId(), delivery.providerId(), "SMTP gives no id: our Message-ID stands for it");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void anSmtpServerThatCannotBeReachedIsRetriedWithOurWordsInLastError() throws Exception {
        int port = freePort(); // nothing listens there
        long id = plan("owner-email", "Grant revoked");
        worker(transport().withFallback(mailbox -> true, smtpFallback(port))).runOnce();

        Delivery retried = world.store.get(id).orElseThrow();
        assertEquals(Delivery.PENDING, retried.status());
        assertEquals("smtp 127.0.0.1:" + port + ": cannot connect (ConnectException)", retried.lastError());
        String line = messages().stream().filter(m -> m.contains("attempt 1 failed")).findFirst().orElseThrow();
        assertTrue(line.contains("the provider said: ") && line.contains("Connection refused"), line);
        assertEquals(List.of(), mailSent());
    }

    @Test
    void aLongSubjectIsKeptToItsStart() {
        String subject = "x".repeat(SentMailAudit.SUBJECT_CHARS + 50);
        assertEquals("x".repeat(SentMailAudit.SUBJECT_CHARS) + "…", SentMailAudit.bounded(subject));
        assertEquals("short", SentMailAudit.bounded("short"));
        assertNull(SentMailAudit.bounded(null));
    }

    private GmailEmailTransport transport() {
        return world.transport(channels, (action, mailbox, subjectRef, details) -> audit.record(action, mailbox, subjectRef, details));
    }

    private DeliveryWorker worker(GmailEmailTransport transport) {
        return world.worker(channels, transport, new NotificationFactory(null));
    }

    private static FallbackSender.ViaSmtp smtpFallback(int port) {
        return new FallbackSender.ViaSmtp("smtp://127.0.0.1:" + port + "?connectionTimeout=5000",
                "127.0.0.1:" + port, "alerts@acme.example");
    }

    private long plan(String channel, String subject) {
        String eventId = world.db.transactions().execute(tx -> world.events.append("case.created", "support", 42L, null,
                world.json.createObjectNode().put("itemId", 42).put("queue", "support").put("subject", subject)
                        .put("priority", "HIGH")).id());
        assertTrue(world.store.plan(eventId, "case.created", "support", 42L, channel, "email", "team", "team@acme.example", null,
                world.clock.instant()));
        return world.store.list(eventId, null, 0, 10).get(0).id();
    }

    private Notification notification(Delivery d) {
        return new Notification(String.valueOf(d.id()), d.eventId(), d.eventType(), "New case #42", "Printer on fire", null,
                Map.of("itemId", "42"));
    }

    private List<JsonNode> mailSent() throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (Map<String, Object> row : world.db.jdbc().queryForList(
                "SELECT mailbox_id, subject_ref, details FROM audit_log WHERE action = :action ORDER BY seq",
                Map.of("action", SentMailAudit.ACTION))) {
            records.add(world.json.createObjectNode().put("mailbox", (String) row.get("mailbox_id"))
                    .put("subjectRef", (String) row.get("subject_ref")).set("details", world.json.readTree((String) row.get("details"))));
        }
        return records;
    }

    private static JsonNode only(List<JsonNode> records) {
        assertEquals(1, records.size(), records.toString());
        assertNotNull(records.get(0));
        return records.get(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private List<String> messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
