package io.mailroute.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.support.GeneratedKeyHolder;

class WorkflowTest {

    private static final Instant T0 = Instant.parse("2026-11-16T09:00:00Z");
    private static final Classification SUPPORT = new Classification("support-request", "CASE", "support/login",
            "support", null, "HIGH", Duration.ofHours(4), List.of("support-team"));

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private final List<String> audited = new ArrayList<>();
    private Database db;
    private Workflow workflow;

    @BeforeEach
    void setUp() {
        db = Database.open("jdbc:h2:mem:wf-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "sa", "", 2);
        db.jdbc().getJdbcTemplate().update("INSERT INTO mailbox (id, address, state, updated_at) VALUES ('support', "
                + "'support@acme.example', 'ACTIVE', CURRENT_TIMESTAMP)");
        workflow = new Workflow(db, new EventLog(db, json, clock), new WorkflowStore(db),
                (action, mailbox, ref, details) -> audited.add(action + " " + ref), json, clock);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aNewMessageBecomesAnItemWithItsSlaOnceOnly() throws Exception {
        long message = message("t1", "<first@globex.example>", null, "");

        List<Event> events = workflow.triage(message, (m, reply) -> SUPPORT);

        assertEquals(List.of("case.created"), types(events));
        JsonNode data = data(events.get(0));
        assertEquals("support", data.get("queue").asText());
        assertEquals("OPEN", data.get("state").asText());
        assertEquals(T0.plus(Duration.ofHours(4)).toString(), data.get("slaDueAt").asText(), "due = received + SLA");
        assertEquals(List.of("support-team"), List.of(data.get("channels").get(0).asText()));
        assertTrue(audited.containsAll(List.of("message.classified message:" + message, "item.created item:1")), audited.toString());
        assertEquals(List.of(), workflow.triage(message, (m, reply) -> SUPPORT), "triage runs once per message");
    }

    @Test
    void repliesAttachByThreadOrByReferencesAndWakeAWaitingItem() {
        long first = message("t1", "<first@globex.example>", null, "");
        long item = data(workflow.triage(first, (m, reply) -> SUPPORT).get(0)).get("itemId").asLong();
        workflow.change(item, null, ItemState.WAITING_FOR_INFO, null, false, "agent");

        List<Event> byThread = workflow.triage(message("t1", "<second@globex.example>", null, ""), this::mustNotClassify);
        assertEquals(List.of("item.replied", "item.state-changed"), types(byThread));
        assertEquals("OPEN", data(byThread.get(1)).get("to").asText());

        // Another Gmail thread (say the customer changed the subject) but References names our message
        List<Event> byReference = workflow.triage(message("t9", "<third@globex.example>", null,
                "<first@globex.example> <second@globex.example>"), this::mustNotClassify);
        assertEquals(List.of("item.replied"), types(byReference));
        assertEquals(item, byReference.get(0).itemId());
        assertEquals(3, workflow.store().itemMessages(item).size());
    }

    @Test
    void aReplyToAClosedItemIsClassifiedAsAReply() {
        long first = message("t1", "<first@globex.example>", null, "");
        long item = data(workflow.triage(first, (m, reply) -> SUPPORT).get(0)).get("itemId").asLong();
        workflow.change(item, null, ItemState.CLOSED, null, false, "agent");

        AtomicReference<Boolean> toldReply = new AtomicReference<>();
        List<Event> events = workflow.triage(message("t1", "<late@globex.example>", "<first@globex.example>", ""),
                (m, reply) -> {
                    toldReply.set(reply);
                    return SUPPORT;
                });
        assertEquals(Boolean.TRUE, toldReply.get());
        assertEquals(List.of("case.created"), types(events), "a new item, not a reply to a closed one");
    }

    @Test
    void ignoredMailMakesNoItemAndNoEvent() {
        long newsletter = message("t2", "<news@hooli.example>", null, "");
        Classification ignore = new Classification("newsletters", "IGNORE", "newsletter", "none", null, "LOW", null, List.of());
        assertEquals(List.of(), workflow.triage(newsletter, (m, reply) -> ignore));
        assertTrue(workflow.store().items(new WorkflowStore.ItemFilter(null, null, null, null, null), 0, 10).isEmpty());
        assertTrue(workflow.store().isTriaged(newsletter));
    }

    @Test
    void mailAboutOurOwnMailIsTakenFirstAndIgnoredWithItsReason() {
        long first = message("t1", "<first@globex.example>", null, "");
        workflow.triage(first, (m, reply) -> SUPPORT);
        workflow.takingApprovalRepliesWith(m -> {
            throw new AssertionError("own mail goes first");
        });
        workflow.takingOwnMailWith(m -> m.messageIdHeader().startsWith("dsn")
                ? java.util.Optional.of(new Workflow.TakenOwnMail("report-bounce", "bounce of report email <r1> to a@b", List.of()))
                : java.util.Optional.empty());

        // in the item's thread, yet no reply to it: taken, ignored, with the reason in the audit trail
        long dsn = message("t1", "<dsn1@mx.example>", null, "");
        assertEquals(List.of(), workflow.triage(dsn, this::mustNotClassify));
        assertTrue(workflow.store().isTriaged(dsn));
        assertEquals(1, workflow.store().items(new WorkflowStore.ItemFilter(null, null, null, null, null), 0, 10).size());
        assertEquals(1, workflow.store().itemMessages(1).size(), "not attached to the thread's item");
        assertTrue(audited.contains("message.classified message:" + dsn), audited.toString());
    }

    @Test
    void changesAreCheckedVersionedAndEvented() {
        long item = data(workflow.triage(message("t1", "<a@globex.example>", null, ""), (m, reply) -> SUPPORT).get(0))
                .get("itemId").asLong();

        Workflow.ChangeResult assigned = workflow.change(item, 0, null, "mei@acme.example", true, "lead");
        assertEquals(Workflow.ChangeResult.Outcome.OK, assigned.outcome());
        assertEquals(List.of("item.assigned"), types(assigned.events()));
        assertEquals(1, assigned.item().version());

        assertEquals(Workflow.ChangeResult.Outcome.CONFLICT,
                workflow.change(item, 0, ItemState.IN_PROGRESS, null, false, "someone").outcome(), "stale version");
        assertEquals(Workflow.ChangeResult.Outcome.INVALID,
                workflow.change(item, 1, ItemState.APPROVED, null, false, "lead").outcome(), "cases are not approved");
        Workflow.ChangeResult resolved = workflow.change(item, 1, ItemState.RESOLVED, null, false, "mei");
        assertEquals(List.of("item.state-changed"), types(resolved.events()));
        assertEquals(Workflow.ChangeResult.Outcome.NOT_FOUND, workflow.change(999, null, ItemState.CLOSED, null, false, "x").outcome());
    }

    @Test
    void anOverdueItemBreachesItsSlaExactlyOnceAndAResolvedOneNever() {
        long open = data(workflow.triage(message("t1", "<a@globex.example>", null, ""), (m, reply) -> SUPPORT).get(0))
                .get("itemId").asLong();
        long done = data(workflow.triage(message("t2", "<b@globex.example>", null, ""), (m, reply) -> SUPPORT).get(0))
                .get("itemId").asLong();
        workflow.change(done, null, ItemState.RESOLVED, null, false, "agent");

        clock.advance(Duration.ofHours(3));
        assertEquals(List.of(), workflow.breachOverdue(100), "not due yet");
        clock.advance(Duration.ofHours(2));
        List<Event> breached = workflow.breachOverdue(100);
        assertEquals(List.of("sla.breached"), types(breached));
        assertEquals(open, breached.get(0).itemId());
        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(), workflow.breachOverdue(100), "once only");
        assertNull(workflow.store().item(done).orElseThrow().slaBreachedAt());
    }

    private Classification mustNotClassify(MessageFacts message, Boolean reply) {
        throw new AssertionError("a reply to an open item must not be classified: " + message);
    }

    private long message(String threadId, String messageId, String inReplyTo, String references) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        db.jdbc().update("""
                INSERT INTO mail_message (mailbox_id, gmail_id, thread_id, status, message_id_header, in_reply_to,
                    references_header, subject, from_address, internal_date, ingested_at)
                VALUES ('support', :gmailId, :threadId, 'INGESTED', :messageId, :inReplyTo, :references, 'Login broken',
                    'mei@globex.example', :at, :at)""",
                new MapSqlParameterSource("gmailId", "g" + System.nanoTime()).addValue("threadId", threadId)
                        .addValue("messageId", messageId.replaceAll("[<>]", ""))
                        .addValue("inReplyTo", inReplyTo == null ? null : inReplyTo.replaceAll("[<>]", ""))
                        .addValue("references", references.replaceAll("[<>]", ""))
                        .addValue("at", Timestamp.from(clock.instant())), keys, new String[] {"id"});
        return keys.getKey().longValue();
    }

    private JsonNode data(Event event) {
        try {
            return json.readTree(event.json()).get("data");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Every event a test looks at must also match its published schema. */
    private List<String> types(List<Event> events) {
        for (Event event : events) {
            try {
                EventSchemas.assertValid("workflow-events.schema.json", json.readTree(event.json()));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return events.stream().map(Event::type).toList();
    }
}
