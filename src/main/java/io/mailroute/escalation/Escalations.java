package io.mailroute.escalation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.db.Database;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryPlanner;
import io.mailroute.delivery.DeliveryWorker;
import io.mailroute.engagement.DeliveryEngagement;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.timers.Timer;
import io.mailroute.timers.Timers;
import io.mailroute.workflow.ItemState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Escalation policies ({@code escalate:} of a channel in channels.yaml, {@link EscalationFile}) on the one timer
 * mechanism, so a restart or a kill -9 during the wait fires each escalation once, never twice, never not at all.
 * <ol>
 *   <li>A delivery of an escalating channel goes (SENT, DELIVERED) for an event its policy covers (the item's priority):
 *       one {@value #KIND} timer per event and channel, due {@code after} the first of them went, scheduled in the
 *       transaction that records it ({@link DeliveryWorker#whenSent}). Later deliveries of the event on the channel
 *       share it (the same subject and slot: scheduling again changes nothing).</li>
 *   <li>It fires ({@link #fire}): the database decides, at that moment. Nothing happens when a delivery of the event was
 *       opened ({@code unopenedFor}) or acted on ({@code unackedFor}), when the item is no longer active, or when the
 *       channel no longer escalates. Otherwise the channel's deliveries of the event that went are IGNORED (those never
 *       opened), the event is planned for the {@code to} audiences ({@link DeliveryPlanner#planAudiences}) and
 *       {@code delivery.escalated} is appended: all with the timer's FIRED, in its transaction.</li>
 *   <li>Anyone acting on a delivery of the event cancels its escalations still pending, in the transaction that records
 *       it ({@link DeliveryEngagement#whenActed}); the fire-time check covers an act that races the timer.</li>
 * </ol>
 * The {@code to} audiences' deliveries escalate in turn when their channel has a policy: an on-call chain. Each
 * (event, channel) escalates at most once (one timer, slot {@value #SLOT}), so a chain that comes back to a channel
 * (A → B → A) ends there.
 */
public final class Escalations {

    /** The timer kind. */
    public static final String KIND = "delivery.escalate";
    /** The event it appends. */
    public static final String ESCALATED = "delivery.escalated";
    static final String SLOT = "1";
    private static final Logger LOG = LoggerFactory.getLogger(Escalations.class);

    private static final String ITEM = "SELECT priority, state FROM workflow_item WHERE id = :id";
    private static final String EVENT = "SELECT payload FROM workflow_event WHERE id = :id";
    private static final String OPENED = "SELECT COUNT(*) FROM delivery WHERE event_id = :eventId AND opened_at IS NOT NULL";
    private static final String ACTED = "SELECT COUNT(*) FROM delivery WHERE event_id = :eventId AND acted_at IS NOT NULL";
    private static final String WENT = """
            SELECT id FROM delivery WHERE event_id = :eventId AND channel = :channel AND status IN ('SENT', 'DELIVERED')
            ORDER BY id""";

    private final Database db;
    private final EventLog events;
    private final ObjectMapper json;
    private final Timers timers;
    private final DeliveryPlanner planner;
    private final DeliveryEngagement engagement;
    private final Map<String, EscalationPolicy> policies;

    /** @param policies by channel name ({@link EscalationFile#load}) */
    public Escalations(Database db, EventLog events, Timers timers, DeliveryPlanner planner, DeliveryEngagement engagement,
            Map<String, EscalationPolicy> policies) {
        this.db = Objects.requireNonNull(db, "db");
        this.events = Objects.requireNonNull(events, "events");
        this.json = events.json();
        this.timers = Objects.requireNonNull(timers, "timers");
        this.planner = Objects.requireNonNull(planner, "planner");
        this.engagement = Objects.requireNonNull(engagement, "engagement");
        this.policies = Map.copyOf(policies);
    }

    /** Registers the timer handler and listens to the worker and to engagement. Call at start, before the first tick. */
    public Escalations install(DeliveryWorker worker) {
        timers.register(KIND, this::fire);
        worker.whenSent(this::sent);
        engagement.whenActed(acted -> stop(acted.eventId()));
        return this;
    }

    /** The timer subject of an event's escalations; one per channel is nested in it. */
    static String subject(String eventId) {
        return "escalation:" + eventId;
    }

    static String subject(String eventId, String channel) {
        return subject(eventId) + ":" + channel;
    }

    /**
     * A delivery went: schedules its channel's escalation of the event once, when the channel has a policy covering it.
     * Joins the worker's transaction.
     *
     * @return whether it scheduled one now (false: no policy, not covered, or scheduled before)
     */
    public boolean sent(Delivery delivery, Instant at) {
        EscalationPolicy policy = policies.get(delivery.channel());
        if (policy == null || !policy.covers(priority(delivery))) {
            return false;
        }
        ObjectNode data = json.createObjectNode().put("eventId", delivery.eventId()).put("channel", delivery.channel())
                .put("reason", policy.condition().reason()).put("after", policy.after().toString())
                .put("firstDeliveryId", delivery.id());
        return timers.schedule(KIND, subject(delivery.eventId(), delivery.channel()), SLOT, at.plus(policy.after()), data)
                .created();
    }

    /** Someone acted on a delivery of the event: its escalations still pending are cancelled (in the caller's transaction). */
    public int stop(String eventId) {
        int cancelled = timers.cancelAll(subject(eventId));
        if (cancelled > 0) {
            LOG.info("Event {}: acted on, {} pending escalation{} cancelled", eventId, cancelled, cancelled == 1 ? "" : "s");
        }
        return cancelled;
    }

    /** The timer's handler, in the timer's transaction: escalates, or does nothing when the database says it is moot. */
    List<Event> fire(Timer timer) throws JsonProcessingException {
        String eventId = timer.data().path("eventId").asText();
        String channel = timer.data().path("channel").asText();
        EscalationPolicy policy = policies.get(channel);
        if (policy == null) {
            LOG.info("Escalation of event {} on channel {}: the channel no longer escalates (channels.yaml); nothing done",
                    eventId, channel);
            return List.of();
        }
        Optional<String> payload = db.jdbc().queryForList(EVENT, Map.of("id", eventId), String.class).stream().findFirst();
        if (payload.isEmpty()) {
            LOG.warn("Escalation of event {} on channel {}: the event is not in the event log; nothing done", eventId, channel);
            return List.of();
        }
        JsonNode event = json.readTree(payload.get());
        Long itemId = event.hasNonNull("itemId") ? event.get("itemId").asLong() : null;
        String moot = moot(policy, eventId, itemId);
        if (moot != null) {
            LOG.debug("Escalation of event {} on channel {}: {}; nothing done", eventId, channel, moot);
            return List.of();
        }
        List<Event> appended = new ArrayList<>();
        for (long id : db.jdbc().queryForList(WENT, new MapSqlParameterSource("eventId", eventId).addValue("channel", channel),
                Long.class)) {
            engagement.ignored(id).ifPresent(appended::add);
        }
        int planned = planner.planAudiences(event, policy.to());
        ObjectNode data = json.createObjectNode().put("eventId", eventId).put("eventType", event.path("type").asText())
                .put("fromChannel", channel).put("reason", policy.condition().reason())
                .put("after", policy.after().toString()).put("ignored", appended.size()).put("planned", planned);
        data.put("itemId", itemId);
        data.set("to", json.valueToTree(policy.to()));
        appended.add(events.append(ESCALATED, event.path("mailbox").asText(null), itemId, null, data));
        if (planned == 0) {
            LOG.warn("Event {} ({}): {} on {} for {}; escalated to {}, which added nobody (each has this notice already, "
                    + "or no address or target there)",
                    eventId, event.path("type").asText(), policy.condition().reason(), channel, policy.after(), policy.to());
        } else {
            LOG.info("Event {} ({}): {} on {} for {}; escalated to {} ({} new deliver{})", eventId, event.path("type").asText(),
                    policy.condition().reason(), channel, policy.after(), policy.to(), planned, planned == 1 ? "y" : "ies");
        }
        return appended;
    }

    /** Why the escalation is moot now, or null when it is due: someone answered, or the item is over. */
    private String moot(EscalationPolicy policy, String eventId, Long itemId) {
        boolean unopened = policy.condition() == EscalationPolicy.Condition.UNOPENED;
        Integer answered = db.jdbc().queryForObject(unopened ? OPENED : ACTED, Map.of("eventId", eventId), Integer.class);
        if (answered != null && answered > 0) {
            return unopened ? "a delivery of it was opened" : "someone acted on it";
        }
        if (itemId != null) {
            Optional<String> state = db.jdbc().query(ITEM, Map.of("id", itemId), (rs, n) -> rs.getString("state")).stream()
                    .findFirst();
            if (state.isPresent() && !isActive(state.get())) {
                return "item " + itemId + " is " + state.get();
            }
        }
        return null;
    }

    /** The item's priority, or the event's when it has no item (null when neither says). */
    private String priority(Delivery delivery) {
        if (delivery.itemId() != null) {
            Optional<String> priority = db.jdbc().query(ITEM, Map.of("id", delivery.itemId()),
                    (rs, n) -> rs.getString("priority")).stream().findFirst();
            if (priority.isPresent()) {
                return priority.get();
            }
        }
        return db.jdbc().queryForList(EVENT, Map.of("id", delivery.eventId()), String.class).stream().findFirst()
                .map(this::eventPriority).orElse(null);
    }

    private String eventPriority(String payload) {
        try {
            return json.readTree(payload).at("/data/priority").asText(null);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static boolean isActive(String state) {
        try {
            return ItemState.valueOf(state).isActive();
        } catch (IllegalArgumentException e) {
            return true; // a state this version does not know: escalate rather than stay silent
        }
    }
}
