package io.mailroute.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.db.Database;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * Turns trouble events into {@code alert.raised} / {@code alert.resolved}, de-duplicated: one
 * alert per condition (kind + subject, e.g. quarantine in mailbox support) per window, then a
 * reminder carrying the count if it keeps happening, and a resolved note when it clears.
 * Who hears: the owners of the alert's queue (an SLA breach) or mailbox (quarantined mail, a failing mailbox) from
 * {@code owners:} in channels.yaml, else its {@code owners: default:}, named in the event's {@code data.channels};
 * {@code routing:} adds its audiences for the event type as for any event. Alerts other systems raise are
 * {@link ExternalAlerts}': the same events, owned the same way.
 */
public final class AlertDesk {

    public static final String RAISED = "alert.raised";
    public static final String RESOLVED = "alert.resolved";

    private static final String FIND = "SELECT state, occurrences, last_notified_at FROM alert WHERE condition_key = :key";
    private static final String OPEN = """
            INSERT INTO alert (condition_key, kind, subject, state, occurrences, first_at, last_event_at, last_notified_at, last_summary)
            VALUES (:key, :kind, :subject, 'OPEN', 1, :now, :now, :now, :summary)""";
    private static final String REOPEN = """
            UPDATE alert SET state = 'OPEN', occurrences = 1, first_at = :now, last_event_at = :now, last_notified_at = :now,
                   last_summary = :summary WHERE condition_key = :key""";
    private static final String AGAIN = """
            UPDATE alert SET occurrences = occurrences + 1, last_event_at = :now, last_summary = :summary,
                   last_notified_at = CASE WHEN :remind THEN :now ELSE last_notified_at END
            WHERE condition_key = :key""";
    private static final String RESOLVE = "UPDATE alert SET state = 'RESOLVED', last_event_at = :now WHERE condition_key = :key AND state = 'OPEN'";

    private final Database db;
    private final EventLog events;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration window;
    private AlertOwners owners = AlertOwners.none();

    public AlertDesk(Database db, EventLog events, ObjectMapper json, Clock clock, Duration window) {
        this.db = db;
        this.events = events;
        this.json = json;
        this.clock = clock;
        this.window = window;
    }

    /** Routes the alerts to the owners of their queue or mailbox ({@code owners:} in channels.yaml). */
    public AlertDesk withOwners(AlertOwners owners) {
        this.owners = owners;
        return this;
    }

    /** @return the alert events committed (none when the condition was alerted within the window) */
    public List<Event> handle(@Body String eventJson) throws JsonProcessingException {
        JsonNode event = json.readTree(eventJson);
        JsonNode data = event.path("data");
        String mailbox = event.path("mailbox").asText(null);
        return switch (event.path("type").asText()) {
            case "message.quarantined" -> raise("quarantine", mailbox, mailbox,
                    "message " + data.path("gmailId").asText() + " quarantined: " + data.path("reason").asText());
            case "sla.breached" -> raise("sla", data.path("queue").asText(), mailbox,
                    "item #" + data.path("itemId").asText() + " in queue " + data.path("queue").asText() + " is past its SLA");
            case "subscription.dead-lettered" -> raise("dead-letter", data.path("subscription").asText(), mailbox,
                    "flow " + data.path("subscription").asText() + " gave up on " + data.path("eventType").asText()
                            + " #" + data.path("eventSeq").asText() + ": " + data.path("error").asText());
            case "delivery.failed" -> raise("delivery", data.path("channel").asText(), mailbox,
                    "delivery " + data.path("deliveryId").asText() + " of " + data.path("eventType").asText() + " to "
                            + data.path("recipient").asText() + " failed on every channel: " + data.path("error").asText());
            case "mailbox.failing" -> raise("mailbox", mailbox, mailbox,
                    "mailbox " + mailbox + " is " + data.path("state").asText() + ": " + data.path("error").asText());
            case "mailbox.recovered" -> resolve("mailbox", mailbox, mailbox);
            default -> List.of();
        };
    }

    private List<Event> raise(String kind, String subject, String mailbox, String summary) {
        String key = kind + ":" + (subject == null ? "-" : subject);
        Instant now = clock.instant();
        return db.transactions().execute(tx -> {
            List<Map<String, Object>> rows = db.jdbc().queryForList(FIND, Map.of("key", key));
            MapSqlParameterSource params = new MapSqlParameterSource("key", key).addValue("kind", kind)
                    .addValue("subject", subject == null ? "-" : subject).addValue("now", Timestamp.from(now))
                    .addValue("summary", clip(summary));
            int occurrences = 1;
            boolean reminder = false;
            if (rows.isEmpty()) {
                db.jdbc().update(OPEN, params);
            } else if ("RESOLVED".equals(rows.get(0).get("state"))) {
                db.jdbc().update(REOPEN, params);
            } else {
                Instant lastNotified = instant(rows.get(0).get("last_notified_at"));
                occurrences = ((Number) rows.get(0).get("occurrences")).intValue() + 1;
                reminder = !now.isBefore(lastNotified.plus(window));
                db.jdbc().update(AGAIN, params.addValue("remind", reminder));
                if (!reminder) {
                    return List.<Event>of(); // alerted within the window: counted, not repeated
                }
            }
            return List.of(events.append(RAISED, mailbox, null, null, routed(json.createObjectNode()
                    .put("condition", key).put("kind", kind).put("subject", subject).put("summary", summary)
                    .put("occurrences", occurrences).put("reminder", reminder), kind, subject)));
        });
    }

    private List<Event> resolve(String kind, String subject, String mailbox) {
        String key = kind + ":" + subject;
        return db.transactions().execute(tx -> {
            if (db.jdbc().update(RESOLVE, new MapSqlParameterSource("key", key).addValue("now", Timestamp.from(clock.instant()))) == 0) {
                return List.<Event>of();
            }
            return List.of(events.append(RESOLVED, mailbox, null, null, routed(json.createObjectNode()
                    .put("condition", key).put("kind", kind).put("subject", subject)
                    .put("summary", kind + " " + subject + " is back to normal"), kind, subject)));
        });
    }

    /** {@code data.channels}: the owners of the condition's queue (sla) or mailbox (quarantine, mailbox), else the default. */
    private com.fasterxml.jackson.databind.node.ObjectNode routed(com.fasterxml.jackson.databind.node.ObjectNode data,
            String kind, String subject) {
        java.util.Optional<List<String>> owned = switch (kind) {
            case "sla" -> owners.ofQueue(subject).map(o -> {
                data.put("queue", subject);
                return o;
            });
            case "quarantine", "mailbox" -> owners.ofMailbox(subject);
            default -> java.util.Optional.empty();
        };
        List<String> audiences = owned.orElse(owners.fallback());
        if (!audiences.isEmpty()) {
            audiences.forEach(data.putArray("channels")::add);
        }
        return data;
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + value);
    }

    private static String clip(String text) {
        return text.length() <= 2000 ? text : text.substring(0, 2000);
    }
}
