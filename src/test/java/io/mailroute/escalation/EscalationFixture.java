package io.mailroute.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.delivery.NotificationFactory;
import io.mailroute.delivery.PushSender;
import io.mailroute.delivery.SendResult;
import io.mailroute.engagement.DeliveryEngagement;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.retry.Backoff;
import io.mailroute.json.Json;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import io.mailroute.timers.Timers;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Escalation on an in-memory H2 migrated like the service's, with the real event log, timers, planner, worker (its
 * senders record and succeed) and engagement. The on-call chain of the tests: {@code email} escalates URGENT/HIGH
 * items unopened for 15m to {@code primary} (mei on {@code oncall-primary}), which escalates unacknowledged for 10m to
 * {@code secondary} (ravi on {@code oncall-secondary}), which escalates back to {@code ops-email}: a cycle.
 */
final class EscalationFixture implements AutoCloseable {

    final ObjectMapper json = Json.newMapper();
    final MutableClock clock;
    final Database db;
    final EventLog events;
    final DeliveryStore store;
    final Timers timers;
    final DeliveryPlanner planner;
    final DeliveryWorker worker;
    final DeliveryEngagement engagement;
    final Escalations escalations;
    /** What the senders were given: "channel recipient". */
    final List<String> sent = new CopyOnWriteArrayList<>();
    private long messages;

    EscalationFixture(MutableClock clock) {
        this(clock, TestDatabases.h2("escalation"));
    }

    /** @param db migrated, empty; closed with the fixture */
    EscalationFixture(MutableClock clock, Database db) {
        this.clock = clock;
        this.db = db;
        TestDatabases.addMailbox(db, "support");
        events = new EventLog(db, json, clock);
        store = new DeliveryStore(db, null);
        ChannelsConfig channels = new ChannelsConfig(Map.of(
                "email", new ChannelsConfig.Channel("email", "email", Map.of("sender", "support"), null),
                "oncall-primary", new ChannelsConfig.Channel("oncall-primary", "fcm", Map.of(), null),
                "oncall-secondary", new ChannelsConfig.Channel("oncall-secondary", "fcm", Map.of(), null)),
                Map.of("team", new ChannelsConfig.Recipient("team", "Team", "team@acme.example", List.of()),
                        "lead", new ChannelsConfig.Recipient("lead", "Lead", "lead@acme.example", List.of()),
                        "mei", new ChannelsConfig.Recipient("mei", "Mei", "mei@acme.example", List.of()),
                        "ravi", new ChannelsConfig.Recipient("ravi", "Ravi", "ravi@acme.example", List.of())),
                Map.of("ops-email", new ChannelsConfig.Audience("ops-email", List.of("team", "lead"), List.of("email")),
                        "primary", new ChannelsConfig.Audience("primary", List.of("mei"), List.of("oncall-primary")),
                        "secondary", new ChannelsConfig.Audience("secondary", List.of("ravi"), List.of("oncall-secondary"))),
                Map.of());
        store.addTarget("mei", "oncall-primary", "mei-phone-token", Map.of(), clock.instant());
        store.addTarget("ravi", "oncall-secondary", "ravi-phone-token", Map.of(), clock.instant());
        timers = new Timers(db, json, clock, new Timers.Policy(100, 3,
                new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1), () -> 0.5)));
        planner = new DeliveryPlanner(channels, store, db, json, clock);
        Map<String, PushSender> senders = Map.of("oncall-primary", recording("oncall-primary"),
                "oncall-secondary", recording("oncall-secondary"));
        worker = new DeliveryWorker(channels, store, senders, (d, n, c) -> {
            sent.add(d.channel() + " " + d.recipient());
            return SendResult.delivered("gmail-" + d.id());
        }, new NotificationFactory(null), db, json, clock, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1), () -> 0.5),
                Duration.ofMinutes(1));
        engagement = new DeliveryEngagement(db, events, clock);
        Map<String, EscalationPolicy> policies = Map.of(
                "email", new EscalationPolicy("email", EscalationPolicy.Condition.UNOPENED, Duration.ofMinutes(15),
                        List.of("primary"), java.util.Set.of("URGENT", "HIGH")),
                "oncall-primary", new EscalationPolicy("oncall-primary", EscalationPolicy.Condition.UNACKED,
                        Duration.ofMinutes(10), List.of("secondary"), java.util.Set.of("URGENT", "HIGH")),
                "oncall-secondary", new EscalationPolicy("oncall-secondary", EscalationPolicy.Condition.UNACKED,
                        Duration.ofMinutes(10), List.of("ops-email"), java.util.Set.of("URGENT", "HIGH")));
        escalations = new Escalations(db, events, timers, planner, engagement, policies).install(worker);
    }

    private PushSender recording(String channel) {
        return new PushSender() {
            @Override
            public String type() {
                return "fcm";
            }

            @Override
            public SendResult send(io.mailroute.delivery.Notification notification, io.mailroute.delivery.PushTarget target) {
                sent.add(channel + " " + target.recipient());
                return SendResult.delivered("fcm-" + target.address());
            }
        };
    }

    /** An item of this priority and its case.created, routed to ops-email, planned; the event. */
    JsonNode caseCreated(String priority) throws Exception {
        long message = ++messages;
        Timestamp now = Timestamp.from(clock.instant());
        db.jdbc().update("INSERT INTO mail_message (id, mailbox_id, gmail_id, status, subject, ingested_at) "
                + "VALUES (:id, 'support', :gmail, 'INGESTED', 'Server down', :at)", new MapSqlParameterSource("id", message)
                .addValue("gmail", "g" + message).addValue("at", now));
        db.jdbc().update("INSERT INTO workflow_item (type, mailbox_id, state, category, queue, priority, rule_id, subject, "
                + "source_message_id, created_at, updated_at) VALUES ('CASE', 'support', 'OPEN', 'incident', 'ops', :priority, "
                + "'incident', 'Server down', :message, :at, :at)", new MapSqlParameterSource("priority", priority)
                .addValue("message", message).addValue("at", now));
        long itemId = db.jdbc().queryForObject("SELECT id FROM workflow_item WHERE source_message_id = :m",
                Map.of("m", message), Long.class);
        Event event = db.transactions().execute(tx -> events.append("case.created", "support", itemId, message,
                json.createObjectNode().put("itemId", itemId).put("priority", priority).put("queue", "ops")
                        .put("subject", "Server down").set("channels", json.createArrayNode().add("ops-email"))));
        planner.plan(event.json());
        return json.readTree(event.json());
    }

    /** Sends what is due, as the worker's route does. */
    void sendDue() throws InterruptedException {
        while (worker.runOnce() > 0) {
            // until nothing is due
        }
    }

    List<Long> deliveries(String eventId, String channel) {
        return db.jdbc().queryForList("SELECT id FROM delivery WHERE event_id = :e AND channel = :c ORDER BY id",
                Map.of("e", eventId, "c", channel), Long.class);
    }

    long count(String sql, Map<String, ?> parameters) {
        return db.jdbc().queryForObject(sql, parameters, Long.class);
    }

    List<Event> fireDue() {
        return new ArrayList<>(timers.fireDue());
    }

    @Override
    public void close() {
        db.close();
    }
}
