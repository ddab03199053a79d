package io.mailroute.reports.bounces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.services.gmail.model.Message;
import io.mailroute.audit.AuditLog;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.gmail.MessageIngest;
import io.mailroute.gmail.mime.AttachmentStore;
import io.mailroute.gmail.mime.DeliveryStatusReader;
import io.mailroute.gmail.mime.MimeParser;
import io.mailroute.json.Json;
import io.mailroute.reports.ReportRun;
import io.mailroute.reports.ReportRuns;
import io.mailroute.reports.RunRecipient;
import io.mailroute.reports.RunRecipient.Planned;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.testing.TestDsn;
import io.mailroute.testing.TestMailboxes;
import io.mailroute.triage.TriageRulesReloader;
import io.mailroute.workflow.TriageProcessor;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's bounce test on H2: a report run sent to two recipients, then DSNs stored by intake ({@link MessageIngest},
 * the real parser and attachment store) and triaged as the triage route does ({@link TriageProcessor} with the shipped
 * config/triage.yaml and {@link ReportBounces} bound as in MailrouteBeans).
 */
class ReportBouncesTest {

    private static final Instant T0 = Instant.parse("2026-11-23T14:00:00Z");
    private static final String SENDER = "reports@acme.example";
    private static final String ANN = "ann@globex.example";
    private static final String BOB = "bob@globex.example";

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private Database db;
    private EventLog events;
    private ReportRuns runs;
    private MessageIngest ingest;
    private TriageRulesReloader rules;
    private TriageProcessor triage;
    private long runId;
    private int gmailIds;

    @BeforeEach
    void setUp() {
        db = TestDatabases.h2("report-bounces");
        TestDatabases.addMailbox(db, "reports");
        MailboxSettings mailbox = TestMailboxes.sandbox("reports", SENDER, "in:inbox", 10, 50);
        events = new EventLog(db, json, clock);
        AuditLog audit = new AuditLog(db, json, clock);
        AttachmentStore attachments = new AttachmentStore(dir.resolve("attachments"), 1024 * 1024);
        ingest = new MessageIngest(db, events, audit::append, new MimeParser(attachments), Map.of("reports", mailbox),
                dir.resolve("quarantine"), 10 * 1024 * 1024, json, clock);
        runs = new ReportRuns(db, events, clock);
        Workflow workflow = new Workflow(db, events, new WorkflowStore(db), audit::append, json, clock)
                .takingOwnMailWith(new ReportBounces(runs, new DeliveryStatusReader(attachments), db));
        rules = new TriageRulesReloader(Path.of("config/triage.yaml"), clock);
        triage = new TriageProcessor(workflow, rules, db, json);
    }

    @AfterEach
    void tearDown() {
        rules.close();
        db.close();
    }

    @Test
    void gmailsBounceOfAReportEmailTurnsThatRecipientBouncedOnceAndOpensNoCase() throws Exception {
        sendReport("r-ann.w48@mailroute.acme.example", "r-bob.w48@mailroute.acme.example");
        byte[] dsn = TestDsn.gmail(SENDER, ANN, "<r-ann.w48@mailroute.acme.example>", "failed", "5.1.1");
        Instant arrived = T0.plus(Duration.ofMinutes(3));

        Stored first = receive(dsn, arrived);
        List<Event> published = triage.process(first.event().json());

        assertEquals(List.of("report.bounced"), published.stream().map(Event::type).toList());
        JsonNode bounced = json.readTree(published.get(0).json());
        EventSchemas.assertValid("report-events.schema.json", bounced);
        assertEquals(ANN, bounced.at("/data/address").asText());
        assertEquals("queue-status", bounced.at("/data/reportId").asText());
        RunRecipient ann = runs.recipient(runId, ANN).orElseThrow();
        assertEquals(RunRecipient.Status.BOUNCED, ann.status());
        assertEquals(arrived, ann.bouncedAt(), "bounced when the DSN arrived in the mailbox");
        assertEquals(RunRecipient.Status.SENT, runs.recipient(runId, BOB).orElseThrow().status());
        assertEquals(0L, count("SELECT COUNT(*) FROM workflow_item"), "a bounce of a report email opens no case");
        assertEquals(Map.of("outcome", "IGNORED", "rule_id", ReportBounces.TAKEN_BY), triageOf(first.id()));
        assertEquals("bounce of report email <r-ann.w48@mailroute.acme.example> to ann@globex.example (5.1.1)",
                classifiedReason(first.id()));

        // the same event delivered again: triage ran once
        assertEquals(List.of(), triage.process(first.event().json()));
        // the same DSN in the mailbox a second time (another Gmail message): taken again, changes nothing
        Stored second = receive(dsn, arrived.plusSeconds(60));
        assertEquals(List.of(), triage.process(second.event().json()));
        assertEquals(arrived, runs.recipient(runId, ANN).orElseThrow().bouncedAt());
        assertEquals(1L, events.count("report.bounced"));
        assertEquals(0L, count("SELECT COUNT(*) FROM workflow_item"));
        assertEquals(Map.of("outcome", "IGNORED", "rule_id", ReportBounces.TAKEN_BY), triageOf(second.id()));
        assertTrue(classifiedReason(second.id()).endsWith("which was BOUNCED: no change"), classifiedReason(second.id()));
    }

    @Test
    void postfixsBounceFindsAMessageIdRecordedWithBrackets() throws Exception {
        sendReport("<r-ann.w48@mailroute.acme.example>", "<r-bob.w48@mailroute.acme.example>");

        List<Event> published = triage.process(receive(TestDsn.postfix(SENDER, BOB, "<r-bob.w48@mailroute.acme.example>",
                "failed", "5.1.1"), T0.plusSeconds(90)).event().json());

        assertEquals(List.of("report.bounced"), published.stream().map(Event::type).toList());
        assertEquals(RunRecipient.Status.BOUNCED, runs.recipient(runId, BOB).orElseThrow().status());
        assertEquals(RunRecipient.Status.SENT, runs.recipient(runId, ANN).orElseThrow().status());
    }

    @Test
    void aDsnAboutMailWeDidNotSendGoesToTheRulesAsBefore() throws Exception {
        sendReport("r-ann.w48@mailroute.acme.example", "r-bob.w48@mailroute.acme.example");

        Stored unknown = receive(TestDsn.gmail(SENDER, ANN, "<someone-elses@mail.gmail.com>", "failed", "5.1.1"), T0.plusSeconds(30));
        List<Event> published = triage.process(unknown.event().json());

        assertEquals(List.of("case.created"), published.stream().map(Event::type).toList());
        assertEquals("bounces", json.readTree(published.get(0).json()).at("/data/queue").asText(),
                "config/triage.yaml's bounces rule, as before");
        assertEquals(RunRecipient.Status.SENT, runs.recipient(runId, ANN).orElseThrow().status());
        assertEquals(0L, events.count("report.bounced"));
    }

    @Test
    void aDelayedNoticeOfAReportEmailChangesNothingAndOpensNoCase() throws Exception {
        sendReport("r-ann.w48@mailroute.acme.example", "r-bob.w48@mailroute.acme.example");

        Stored delayed = receive(TestDsn.gmail(SENDER, ANN, "<r-ann.w48@mailroute.acme.example>", "delayed", "4.4.7"),
                T0.plusSeconds(30));
        assertEquals(List.of(), triage.process(delayed.event().json()));

        assertEquals(RunRecipient.Status.SENT, runs.recipient(runId, ANN).orElseThrow().status());
        assertEquals(0L, count("SELECT COUNT(*) FROM workflow_item"));
        assertEquals(Map.of("outcome", "IGNORED", "rule_id", ReportBounces.TAKEN_BY), triageOf(delayed.id()));
        assertEquals("delivery status notification of report email <r-ann.w48@mailroute.acme.example> to ann@globex.example"
                + " (delayed for ann@globex.example): not a bounce of it", classifiedReason(delayed.id()));
    }

    /** A run of queue-status for 2026-W48, sent to Ann and Bob with these Message-IDs, as the reports' sender records it. */
    private void sendReport(String annMessageId, String bobMessageId) {
        ReportRun run = runs.begin("queue-status", "2026-W48").run();
        ReportRuns.Claim claim = runs.claim(run.id(), "node-a", Duration.ofMinutes(5)).orElseThrow();
        assertTrue(runs.generating(claim));
        assertTrue(runs.generated(claim, new ReportRun.Document("ab".repeat(32), 4321, "pdf")).isPresent());
        runs.plan(run.id(), List.of(new Planned("ann", ANN), new Planned("bob", BOB)));
        for (Map.Entry<String, String> sent : Map.of(ANN, annMessageId, BOB, bobMessageId).entrySet()) {
            assertTrue(runs.prepare(run.id(), sent.getKey(), sent.getValue(), null, null).isPresent());
            assertTrue(runs.markSent(run.id(), sent.getKey(), sent.getValue()).isPresent());
        }
        runId = run.id();
    }

    private record Stored(long id, Event event) {
    }

    /** The DSN arrives in the sending mailbox and intake stores it. */
    private Stored receive(byte[] rfc822, Instant arrived) {
        String gmailId = "18f" + String.format("%013d", ++gmailIds);
        Event event = ingest.ingest("reports", new Message().setId(gmailId).setThreadId("t-" + gmailId)
                .setLabelIds(List.of("INBOX")).setInternalDate(arrived.toEpochMilli()).encodeRaw(rfc822));
        assertNotNull(event, "stored, not skipped or quarantined");
        assertEquals("message.received", event.type());
        return new Stored(event.messageId(), event);
    }

    private Map<String, Object> triageOf(long messageId) {
        return db.jdbc().queryForMap("SELECT outcome, rule_id FROM message_triage WHERE message_id = :id", Map.of("id", messageId));
    }

    private String classifiedReason(long messageId) throws Exception {
        String details = db.jdbc().queryForObject("SELECT details FROM audit_log WHERE action = 'message.classified'"
                + " AND subject_ref = :ref", Map.of("ref", "message:" + messageId), String.class);
        return json.readTree(details).path("reason").asText();
    }

    private long count(String sql) {
        return db.jdbc().queryForObject(sql, Map.of(), Long.class);
    }
}
