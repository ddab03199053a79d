package io.mailroute.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.audit.AuditTrail;
import io.mailroute.db.Database;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.timers.Timer;
import io.mailroute.timers.Timers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;

/**
 * Alerts other systems raise ({@code POST /api/alerts}, {@code direct:raise-alert}), told to the team that owns them:
 * <ul>
 *   <li>the first report of a key opens an alert and appends {@code alert.raised} whose {@code data.channels} names the
 *       owners of its queue ({@code owners: queues:} in channels.yaml) or the team (an audience) it names; the delivery
 *       planner reaches them as for any event. A queue nobody owns, or a team that is no audience, is refused: never
 *       sent to nobody, never guessed.</li>
 *   <li>further reports of the key while it is open are counted on it ({@code occurrences}, {@code lastSeenAt}; the
 *       latest summary and details, the worst severity) and append {@code alert.repeated}, which no audience is told of
 *       (a flow may subscribe to it). Only a repeat that raises the severity tells the owners again: a second
 *       {@code alert.raised} with {@code severityRoseFrom};</li>
 *   <li>one reminder ({@code alert.raised} with {@code reminder: true} and the count) when it is still open after
 *       {@code mailroute.alerts.reminder.<severity>}, on {@link Timers} (timer kind {@value #REMINDER}), so it survives
 *       restarts and fires once;</li>
 *   <li>a {@code resolved} report closes it, cancels its reminder and appends {@code alert.resolved} to the same
 *       audiences. A key reported again after that opens a new alert.</li>
 * </ul>
 * Each change commits with its events and its audit record ({@code alert.raised}, {@code alert.repeated},
 * {@code alert.resolved}, subject {@code external-alert:<id>}); the events are returned for the caller to publish
 * in-process.
 */
public final class ExternalAlerts {

    public static final String REMINDER = "alert.reminder";
    /** A report of a key whose alert is open: counted; its owners are told again only when the severity rose. */
    public static final String REPEATED = "alert.repeated";
    private static final Logger LOG = LoggerFactory.getLogger(ExternalAlerts.class);

    /** What a report did. */
    public sealed interface Outcome permits Raised, Resolved, Refused, NotFound {
    }

    /** @param created true when it opened the alert, false when it was counted on the open one */
    public record Raised(ExternalAlert alert, boolean created, List<Event> events) implements Outcome {
    }

    /** @param already true when the key's latest alert was resolved before (nothing changed, no event) */
    public record Resolved(ExternalAlert alert, boolean already, List<Event> events) implements Outcome {
    }

    /** Nobody would hear of it: the reason says whom to configure. */
    public record Refused(String reason) implements Outcome {
    }

    public record NotFound(String key) implements Outcome {
    }

    private final Database db;
    private final EventLog events;
    private final ExternalAlertStore store;
    private final ChannelsConfig channels;
    private final AlertOwners owners;
    private final Map<Severity, Duration> reminders;
    private final ObjectMapper json;
    private final Clock clock;
    private Timers timers;
    private AuditTrail audit = (action, mailbox, subjectRef, details) -> { };

    /**
     * @param reminders how long an alert of each severity may stay open before its one reminder; a severity left out,
     *                  or zero, has none
     */
    public ExternalAlerts(Database db, EventLog events, ChannelsConfig channels, AlertOwners owners,
            Map<Severity, Duration> reminders, ObjectMapper json, Clock clock) {
        this.db = db;
        this.events = events;
        this.store = new ExternalAlertStore(db, json);
        this.channels = channels;
        this.owners = owners;
        this.reminders = reminders.isEmpty() ? Map.of() : new EnumMap<>(reminders);
        this.json = json;
        this.clock = clock;
    }

    /** Registers the reminder's handler; reminders are scheduled only once this is done. Call at start. */
    public ExternalAlerts remindingOn(Timers timers) {
        timers.register(REMINDER, this::remind);
        this.timers = timers;
        return this;
    }

    /** Audits each alert raised, repeated and resolved, in the transaction of the change. Call at start. */
    public ExternalAlerts auditedIn(AuditTrail trail) {
        this.audit = java.util.Objects.requireNonNull(trail, "trail");
        return this;
    }

    /** A report: raises, counts or resolves, as its {@code status} says. */
    public Outcome report(AlertRequest request, String actor) {
        if (request.resolved()) {
            return resolve(request.key(), actor);
        }
        Optional<List<String>> audiences = audiences(request);
        if (audiences.isEmpty()) {
            return new Refused(request.queue() != null
                    ? "queue '" + request.queue() + "' has no owners, so nobody would be told of this alert; name its "
                            + "audiences under owners: queues: in channels.yaml (owned now: "
                            + new TreeSet<>(owners.queues().keySet()) + "), or send team: instead"
                    : "team '" + request.team() + "' is not an audience of channels.yaml; name one of "
                            + new TreeSet<>(channels.audiences().keySet()));
        }
        try {
            return raise(request, audiences.get(), actor);
        } catch (DuplicateKeyException e) {
            return raise(request, audiences.get(), actor); // opened by a concurrent report just now: counted on it
        }
    }

    /** Closes the key's open alert; a key whose latest alert is resolved already answers it unchanged. */
    public Outcome resolve(String key, String actor) {
        Instant now = now();
        return db.transactions().execute(tx -> {
            Optional<ExternalAlert> open = store.open(key);
            if (open.isEmpty()) {
                return store.latest(key).<Outcome>map(a -> new Resolved(a, true, List.of())).orElse(new NotFound(key));
            }
            ExternalAlert alert = open.get();
            if (!store.resolve(alert.id(), actor, now)) {
                throw new IllegalStateException("external alert " + alert.id() + " was open and could not be resolved");
            }
            if (timers != null) {
                timers.cancelAll(subject(alert.id()));
            }
            ExternalAlert resolved = store.byId(alert.id()).orElseThrow();
            ObjectNode data = data(resolved, false).put("summary", "resolved: " + resolved.summary())
                    .put("resolvedBy", actor);
            audited(AlertDesk.RESOLVED, resolved, actor);
            return new Resolved(resolved, false, List.of(events.append(AlertDesk.RESOLVED, null, null, null, data)));
        });
    }

    /** Oldest first, after the id {@code after} (0: from the first), as every list of the API. */
    public List<ExternalAlert> list(ExternalAlert.State state, String queue, long after, int limit) {
        return store.list(state, queue, after, limit);
    }

    /** How many alerts are open and resolved. */
    public Map<String, Long> counts() {
        long[] counts = store.counts();
        return Map.of("open", counts[0], "resolved", counts[1]);
    }

    public Optional<ExternalAlert> latest(String key) {
        return store.latest(key);
    }

    private Outcome raise(AlertRequest request, List<String> audiences, String actor) {
        Instant now = now();
        return db.transactions().execute(tx -> {
            Optional<ExternalAlert> open = store.open(request.key());
            if (open.isPresent()) {
                boolean rose = store.raiseSeverity(request);
                if (store.repeat(request, now)) {
                    return repeated(open.get(), store.open(request.key()).orElseThrow(), rose, actor);
                }
                // resolved since it was read: this report opens a new alert
            }
            long id = store.insert(request, audiences, actor, now);
            ExternalAlert alert = store.byId(id).orElseThrow();
            Duration after = reminders.get(alert.severity());
            if (timers != null && after != null && !after.isZero() && !after.isNegative()) {
                timers.schedule(REMINDER, subject(id), "1", now.plus(after), json.createObjectNode().put("alertId", id));
            }
            LOG.info("Alert {} {} ({}, key {}) raised by {}, for {}", id, alert.type(), alert.severity().configName(),
                    alert.key(), actor, audiences);
            audited(AlertDesk.RAISED, alert, actor);
            return new Raised(alert, true, List.of(events.append(AlertDesk.RAISED, null, null, null, data(alert, false))));
        });
    }

    /**
     * A repeat counted on the open alert, in its transaction: {@code alert.repeated} (no audience: {@code channels} is
     * left out), and when it raised the severity, {@code alert.raised} to the same owners with {@code severityRoseFrom}.
     */
    private Raised repeated(ExternalAlert before, ExternalAlert after, boolean rose, String actor) {
        List<Event> appended = new java.util.ArrayList<>();
        ObjectNode data = data(after, false).put("reportedBy", actor).put("severityRose", rose);
        data.remove("channels");
        appended.add(events.append(REPEATED, null, null, null, data));
        if (rose) {
            appended.add(events.append(AlertDesk.RAISED, null, null, null, data(after, false)
                    .put("severityRoseFrom", before.severity().configName())));
            LOG.info("Alert {} {} (key {}) is now {} (was {}), reported by {}: its owners are told again", after.id(),
                    after.type(), after.key(), after.severity().configName(), before.severity().configName(), actor);
        }
        audit.record(REPEATED, null, subject(after.id()), auditDetails(after, actor).put("severityRose", rose));
        return new Raised(after, false, appended);
    }

    /**
     * The audit record of a change to an alert, in its transaction: what it is and who reported it, never its summary
     * or details (the sender's text, kept on the alert).
     */
    private void audited(String action, ExternalAlert alert, String actor) {
        audit.record(action, null, subject(alert.id()), auditDetails(alert, actor));
    }

    private ObjectNode auditDetails(ExternalAlert alert, String actor) {
        return json.createObjectNode().put("alertId", alert.id()).put("key", alert.key()).put("type", alert.type())
                .put("severity", alert.severity().configName()).put("queue", alert.queue()).put("team", alert.team())
                .put("count", alert.occurrences()).put("by", actor);
    }

    /** The timer's handler, in its transaction: one reminder, while the alert is open. */
    private List<Event> remind(Timer timer) {
        long id = timer.data().path("alertId").asLong();
        Instant now = now();
        if (!store.reminded(id, now)) {
            return List.of(); // resolved meanwhile (or reminded of already): nothing to say
        }
        return List.of(events.append(AlertDesk.RAISED, null, null, null, data(store.byId(id).orElseThrow(), true)));
    }

    /** The audiences of the queue's owners, or the team named; empty when nobody would hear. */
    private Optional<List<String>> audiences(AlertRequest request) {
        if (request.queue() != null) {
            return owners.ofQueue(request.queue());
        }
        return channels.audiences().containsKey(request.team()) ? Optional.of(List.of(request.team())) : Optional.empty();
    }

    /**
     * The event's data: {@code kind} and {@code subject} (type and key) as Mailroute's own alerts have them, so the
     * notification reads the same; {@code channels} the audiences decided when it opened.
     */
    private ObjectNode data(ExternalAlert alert, boolean reminder) {
        ObjectNode data = json.createObjectNode()
                .put("alertId", alert.id())
                .put("source", "external")
                .put("kind", alert.type())
                .put("subject", alert.key())
                .put("key", alert.key())
                .put("severity", alert.severity().configName())
                .put("queue", alert.queue())
                .put("team", alert.team())
                .put("summary", alert.summary())
                .put("occurrences", alert.occurrences())
                .put("reminder", reminder)
                .put("raisedBy", alert.raisedBy())
                .put("firstSeenAt", alert.firstSeenAt().toString())
                .put("lastSeenAt", alert.lastSeenAt().toString());
        if (alert.details() != null) {
            try {
                data.set("details", json.readTree(alert.details()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("external alert " + alert.id() + ": details are not JSON", e);
            }
        }
        alert.audiences().forEach(data.putArray("channels")::add);
        return data;
    }

    static String subject(long id) {
        return "external-alert:" + id;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
