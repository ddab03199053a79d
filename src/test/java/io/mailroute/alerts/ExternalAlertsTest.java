package io.mailroute.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditLog;
import io.mailroute.audit.AuditVerifier;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.ChannelsFile;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.events.EventSchemas;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.secrets.Secrets;
import io.mailroute.secrets.TokenKey;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.timers.Timer;
import io.mailroute.timers.Timers;
import java.io.IOException;
import java.nio.file.Files;
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
 * Other systems' alerts on an in-memory H2 migrated like the service's, the real timer mechanism and the real delivery
 * planner, with a clock the test moves: de-duplication, the one reminder, resolving, and routing to a queue's owners.
 */
class ExternalAlertsTest {

    private static final Instant T0 = Instant.parse("2026-11-23T08:00:00Z");
    private static final String CHANNELS = """
            channels:
              email: {type: email, sender: support}
              team-hook: {type: webhook, url: "https://hook.example/", secret: env:HOOK}
            recipients:
              mei: {email: mei@acme.example}
              lee: {email: lee@acme.example, devices: [{channel: team-hook, address: finance-room}]}
              ops: {email: ops@acme.example}
            audiences:
              ap-team: {members: [mei, lee], via: [email, team-hook]}
              ops-team: {members: [ops], via: [email]}
            owners:
              queues: {finance-exceptions: [ap-team]}
              default: [ops-team]
            """;

    @TempDir
    Path dir;

    private final ObjectMapper json = Json.newMapper();
    private final MutableClock clock = new MutableClock(T0);
    private Database db;
    private Timers timers;
    private ExternalAlerts alerts;
    private DeliveryStore deliveries;
    private DeliveryPlanner planner;

    @BeforeEach
    void setUp() throws IOException {
        db = TestDatabases.h2("external-alerts");
        Path file = Files.writeString(dir.resolve("channels.yaml"), CHANNELS);
        ChannelsConfig channels = ChannelsFile.load(file);
        timers = new Timers(db, json, clock, new Timers.Policy(100, 3,
                new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1), () -> 0.5)));
        alerts = new ExternalAlerts(db, new EventLog(db, json, clock), channels, AlertOwnersFile.load(file, channels),
                Map.of(Severity.CRITICAL, Duration.ofMinutes(30), Severity.LOW, Duration.ZERO), json, clock)
                .remindingOn(timers).auditedIn(new AuditLog(db, json, clock)::append);
        deliveries = new DeliveryStore(db, new Secrets(mayCreate -> TokenKey.load(Map.of(TokenKey.ENV, TokenKey.generate())::get,
                null, false), () -> false));
        channels.recipients().values().forEach(r -> r.devices().forEach(d ->
                deliveries.addTarget(r.id(), d.channel(), d.address(), d.keys(), T0)));
        planner = new DeliveryPlanner(channels, deliveries, db, json, clock);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void aRepeatOfAnOpenKeyIsCountedOnItAndTellsNobodyUnlessItsSeverityRises() throws Exception {
        ExternalAlerts.Raised first = raised(report("erp-sync-42", "high", "ERP sync failed"));
        assertTrue(first.created());
        assertEquals(1, first.events().size());
        JsonNode data = data(first.events().get(0));
        assertEquals("alert.raised", first.events().get(0).type());
        assertEquals("process.failed", data.path("kind").asText());
        assertEquals("erp-sync-42", data.path("subject").asText());
        assertEquals("high", data.path("severity").asText());
        assertEquals(List.of("ap-team"), strings(data.path("channels")));

        clock.advance(Duration.ofMinutes(3));
        ExternalAlerts.Raised same = raised(report("erp-sync-42", "high", "ERP sync failed, run 43"));
        assertEquals(List.of("alert.repeated"), types(same.events()), "counted, nobody told");
        JsonNode repeated = data(same.events().get(0));
        assertEquals(2, repeated.path("occurrences").asInt());
        assertFalse(repeated.path("severityRose").asBoolean());
        assertFalse(repeated.has("channels"), "no audience: " + repeated);
        assertEquals(0, planner.plan(same.events().get(0).json()), "a repeat plans no delivery");

        clock.advance(Duration.ofMinutes(4));
        ExternalAlerts.Raised again = raised(report("erp-sync-42", "critical", "ERP sync failed again"));
        assertFalse(again.created());
        assertEquals(List.of("alert.repeated", "alert.raised"), types(again.events()), "worse: the owners are told again");
        assertTrue(data(again.events().get(0)).path("severityRose").asBoolean());
        JsonNode rose = data(again.events().get(1));
        assertEquals("critical", rose.path("severity").asText());
        assertEquals("high", rose.path("severityRoseFrom").asText());
        assertEquals(3, rose.path("occurrences").asInt());
        assertEquals(List.of("ap-team"), strings(rose.path("channels")));
        assertEquals(3, planner.plan(again.events().get(1).json()), "to every owner on every channel, as the first");
        assertEquals(first.alert().id(), again.alert().id());
        assertEquals(3, again.alert().occurrences());
        assertEquals(T0, again.alert().firstSeenAt());
        assertEquals(T0.plus(Duration.ofMinutes(7)), again.alert().lastSeenAt());
        assertEquals("ERP sync failed again", again.alert().summary(), "the latest summary");
        assertEquals(Severity.CRITICAL, again.alert().severity(), "the worst severity seen");
        assertEquals(List.of("alert.repeated"), types(raised(report("erp-sync-42", "low", "and again")).events()));
        assertEquals(Severity.CRITICAL, alerts.latest("erp-sync-42").orElseThrow().severity(), "never lowered by a repeat");
        assertEquals(4, alerts.latest("erp-sync-42").orElseThrow().occurrences());

        assertTrue(raised(report("erp-sync-43", "high", "another key")).created(), "another key is another alert");
        assertEquals(Map.of("open", 2L, "resolved", 0L), alerts.counts());
        for (Event event : events()) {
            EventSchemas.assertValid("alert-events.schema.json", json.readTree(event.json()));
        }
    }

    @Test
    void aQueueNobodyOwnsOrATeamThatIsNoAudienceIsRefusedAndNothingIsStored() {
        ExternalAlerts.Outcome unowned = alerts.report(request("{\"type\":\"shipment.delayed\",\"key\":\"s-1\","
                + "\"queue\":\"logistics\",\"summary\":\"late\"}"), "token:erp");
        assertTrue(assertInstanceOf(ExternalAlerts.Refused.class, unowned).reason().contains("queue 'logistics' has no owners"),
                unowned.toString());
        ExternalAlerts.Outcome noTeam = alerts.report(request("{\"type\":\"shipment.delayed\",\"key\":\"s-1\","
                + "\"team\":\"logistics-team\",\"summary\":\"late\"}"), "token:erp");
        assertTrue(assertInstanceOf(ExternalAlerts.Refused.class, noTeam).reason().contains("[ap-team, ops-team]"), noTeam.toString());
        assertEquals(Map.of("open", 0L, "resolved", 0L), alerts.counts());

        ExternalAlerts.Raised toTeam = raised(request("{\"type\":\"shipment.delayed\",\"key\":\"s-1\","
                + "\"team\":\"ops-team\",\"summary\":\"late\"}"));
        assertEquals(List.of("ops-team"), toTeam.alert().audiences());
    }

    @Test
    void resolvedClosesItTellsTheSameOwnersAndALaterReportOpensANewAlert() throws Exception {
        ExternalAlerts.Raised first = raised(report("erp-sync-42", "critical", "ERP sync failed"));
        clock.advance(Duration.ofMinutes(5));
        ExternalAlerts.Resolved resolved = assertInstanceOf(ExternalAlerts.Resolved.class,
                alerts.report(request("{\"key\":\"erp-sync-42\",\"status\":\"resolved\"}"), "token:erp"));
        assertFalse(resolved.already());
        assertEquals(ExternalAlert.State.RESOLVED, resolved.alert().state());
        assertEquals("token:erp", resolved.alert().resolvedBy());
        assertEquals(1, resolved.events().size());
        assertEquals("alert.resolved", resolved.events().get(0).type());
        assertEquals(List.of("ap-team"), strings(data(resolved.events().get(0)).path("channels")));
        assertEquals(List.of(), timers.pending(ExternalAlerts.subject(first.alert().id())), "its reminder is cancelled");

        ExternalAlerts.Resolved twice = assertInstanceOf(ExternalAlerts.Resolved.class,
                alerts.resolve("erp-sync-42", "token:erp"));
        assertTrue(twice.already());
        assertEquals(List.of(), twice.events(), "resolved once");
        assertInstanceOf(ExternalAlerts.NotFound.class, alerts.resolve("never-raised", "token:erp"));

        ExternalAlerts.Raised reopened = raised(report("erp-sync-42", "high", "failed once more"));
        assertTrue(reopened.created());
        assertNotEquals(first.alert().id(), reopened.alert().id());
        assertEquals(1, reopened.alert().occurrences());
        assertEquals(Map.of("open", 1L, "resolved", 1L), alerts.counts());

        String subject = ExternalAlerts.subject(first.alert().id());
        assertEquals(List.of("alert.raised " + subject, "alert.resolved " + subject,
                "alert.raised " + ExternalAlerts.subject(reopened.alert().id())), audited(), "resolving twice audits once");
        JsonNode resolvedRecord = json.readTree(db.jdbc().queryForObject(
                "SELECT details FROM audit_log WHERE action = 'alert.resolved'", Map.of(), String.class));
        assertEquals("erp-sync-42", resolvedRecord.path("key").asText());
        assertEquals("token:erp", resolvedRecord.path("by").asText());
        assertTrue(new AuditVerifier(db).verify().intact(), "the chain holds");
        for (Event event : events()) {
            EventSchemas.assertValid("alert-events.schema.json", json.readTree(event.json()));
        }
    }

    @Test
    void eachRaiseRepeatAndResolveIsAuditedInItsOwnTransaction() throws Exception {
        ExternalAlerts.Raised first = raised(report("erp-sync-42", "normal", "ERP sync failed"));
        raised(report("erp-sync-42", "high", "worse"));
        alerts.resolve("erp-sync-42", "token:ops");
        String subject = ExternalAlerts.subject(first.alert().id());
        assertEquals(List.of("alert.raised " + subject, "alert.repeated " + subject, "alert.resolved " + subject), audited());
        JsonNode repeat = json.readTree(db.jdbc().queryForObject(
                "SELECT details FROM audit_log WHERE action = 'alert.repeated'", Map.of(), String.class));
        assertEquals(2, repeat.path("count").asInt());
        assertEquals("high", repeat.path("severity").asText());
        assertTrue(repeat.path("severityRose").asBoolean());
        assertFalse(repeat.has("summary"), "the sender's text stays on the alert: " + repeat);

        // an audit that cannot be written takes the change with it
        ExternalAlerts failing = new ExternalAlerts(db, new EventLog(db, json, clock), ChannelsFile.load(dir.resolve("channels.yaml")),
                AlertOwnersFile.load(dir.resolve("channels.yaml"), ChannelsFile.load(dir.resolve("channels.yaml"))), Map.of(),
                json, clock).auditedIn((action, mailbox, ref, details) -> {
                    throw new IllegalStateException("audit down");
                });
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> failing.report(report("scan-9", "low", "x"),
                "token:erp"));
        assertTrue(alerts.latest("scan-9").isEmpty(), "not raised without its audit record");
    }

    @Test
    void anAlertStillOpenIsRemindedOfOnceWithItsCount() throws Exception {
        ExternalAlerts.Raised first = raised(report("erp-sync-42", "critical", "ERP sync failed"));
        clock.advance(Duration.ofMinutes(10));
        raised(report("erp-sync-42", "critical", "still failing"));
        clock.advance(Duration.ofMinutes(19));
        assertEquals(List.of(), timers.fireDue(), "not yet: 29 of 30 minutes");

        clock.advance(Duration.ofMinutes(1));
        List<Event> reminder = timers.fireDue();
        assertEquals(1, reminder.size());
        assertEquals("alert.raised", reminder.get(0).type());
        JsonNode data = data(reminder.get(0));
        assertTrue(data.path("reminder").asBoolean());
        assertEquals(2, data.path("occurrences").asInt());
        assertEquals(List.of("ap-team"), strings(data.path("channels")));
        assertEquals(T0.plus(Duration.ofMinutes(30)), alerts.latest("erp-sync-42").orElseThrow().remindedAt());

        raised(report("erp-sync-42", "critical", "and again"));
        clock.advance(Duration.ofHours(5));
        assertEquals(List.of(), timers.fireDue(), "one reminder, however long it stays open");
        assertEquals(Timer.State.FIRED, timers.find(ExternalAlerts.REMINDER, ExternalAlerts.subject(first.alert().id()), "1")
                .orElseThrow().state());
    }

    @Test
    void anAlertResolvedBeforeItsReminderIsNotRemindedOfAndALowOneHasNone() {
        ExternalAlerts.Raised critical = raised(report("erp-sync-42", "critical", "ERP sync failed"));
        raised(report("scan-7", "low", "a scan is missing"));
        assertEquals(List.of(), timers.pending(ExternalAlerts.subject(critical.alert().id() + 1)), "low: no reminder");
        alerts.resolve("erp-sync-42", "token:erp");
        clock.advance(Duration.ofHours(1));
        assertEquals(List.of(), timers.fireDue());
        assertEquals(null, alerts.latest("erp-sync-42").orElseThrow().remindedAt());
    }

    @Test
    void theAlertIsPlannedForEveryMemberOfTheQueuesOwnersOnEachOfTheirChannels() throws Exception {
        Event raised = raised(report("erp-sync-42", "high", "ERP sync failed")).events().get(0);
        assertEquals(3, planner.plan(raised.json()));
        assertEquals(List.of("email mei mei@acme.example", "email lee lee@acme.example", "team-hook lee finance-room"),
                deliveries.list(raised.id(), null, 0, 50).stream()
                        .map(d -> d.channel() + " " + d.recipient() + " " + d.address()).toList());
        assertEquals(0, planner.plan(raised.json()), "planned once");
    }

    private ExternalAlerts.Raised raised(AlertRequest request) {
        return assertInstanceOf(ExternalAlerts.Raised.class, alerts.report(request, "token:erp"));
    }

    private AlertRequest report(String key, String severity, String summary) {
        return request("{\"type\":\"process.failed\",\"severity\":\"" + severity + "\",\"key\":\"" + key
                + "\",\"queue\":\"finance-exceptions\",\"summary\":\"" + summary + "\",\"details\":{\"run\":42}}");
    }

    private AlertRequest request(String body) {
        AlertRequestReader reader = new AlertRequestReader(json);
        return reader.read(reader.body(body));
    }

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    /** Every event appended, oldest first. */
    private List<Event> events() {
        return new EventLog(db, json, clock).page(0, Long.MAX_VALUE, java.util.Set.of(), null, 1000);
    }

    /** The audit trail's alert records: action and subject, in order. */
    private List<String> audited() {
        return db.jdbc().queryForList("SELECT action || ' ' || subject_ref FROM audit_log WHERE action LIKE 'alert.%' ORDER BY seq",
                Map.of(), String.class);
    }

    private JsonNode data(Event event) throws IOException {
        return json.readTree(event.json()).path("data");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
