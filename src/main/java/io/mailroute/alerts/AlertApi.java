package io.mailroute.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.access.ApiGuard;
import io.mailroute.events.Event;
import io.mailroute.events.EventLog;
import io.mailroute.ops.ApiErrors;
import io.mailroute.ops.ApiQueries;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code /api/alerts} and the route endpoint {@code direct:raise-alert} ({@code routes/alerts.camel.yaml} wires them).
 * Events a report commits are left in the exchange property {@value EventLog#COMMITTED} for the route to publish. A bad
 * field is an {@link IllegalArgumentException} naming it (400 from the API, an exception to a flow); an alert nobody
 * would hear of is 422 from the API and an {@link AlertRefusedException} to a flow.
 */
public final class AlertApi {

    /** The header a flow's report answers with: the alert's id. */
    public static final String ALERT_ID = "MailrouteAlertId";

    private final ExternalAlerts alerts;
    private final AlertRequestReader reader;
    private final ObjectMapper json;

    public AlertApi(ExternalAlerts alerts, ObjectMapper json) {
        this.alerts = alerts;
        this.reader = new AlertRequestReader(json);
        this.json = json;
    }

    /** A flow's alert nobody would hear of, or a resolve of a key never raised. */
    public static final class AlertRefusedException extends RuntimeException {
        public AlertRefusedException(String message) {
            super(message);
        }
    }

    /** {@code POST /api/alerts}: 201 opened, 200 counted on the open alert of its key or resolved, 422 owned by nobody. */
    public ObjectNode create(@Body String body, @Header(ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        return answer(alerts.report(reader.read(reader.body(body)), "token:" + principal), exchange);
    }

    /** {@code POST /api/alerts/{key}/resolve}: 200 with the alert resolved (or resolved before), 404 for a key never raised. */
    public ObjectNode resolve(@Header("key") String key, @Header(ApiGuard.PRINCIPAL_HEADER) String principal,
            Exchange exchange) {
        ObjectNode request = json.createObjectNode().put("key", key).put("status", "resolved");
        return answer(alerts.report(reader.read(request), "token:" + principal), exchange);
    }

    /** {@code direct:raise-alert}: a flow's report (JSON text or a map) with the API's fields and checks. */
    public ObjectNode fromRoute(@Body Object body, Exchange exchange) {
        String route = exchange.getFromRouteId() == null ? "unknown" : exchange.getFromRouteId();
        ExternalAlerts.Outcome outcome = alerts.report(reader.read(reader.body(body)), "route:" + route);
        if (outcome instanceof ExternalAlerts.Refused refused) {
            throw new AlertRefusedException(refused.reason());
        }
        if (outcome instanceof ExternalAlerts.NotFound missing) {
            throw new AlertRefusedException(notFound(missing.key()));
        }
        ObjectNode answer = answer(outcome, exchange);
        exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_CODE); // a flow's message, not an HTTP answer
        exchange.getMessage().setHeader(ALERT_ID, answer.path("id").asLong());
        return answer;
    }

    /**
     * {@code GET /api/alerts/{key}}: the key's latest alert (the open one, else the last resolved); 404 naming the key
     * when it was never raised, 400 for a key no report could have (the same rule as a report's {@code key}).
     */
    public ObjectNode show(@Header("key") String key, Exchange exchange) {
        if (key == null || !AlertRequestReader.KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key: 1 to 128 letters, digits and . _ : @ - (e.g. erp-sync-42)");
        }
        return alerts.latest(key).map(this::view)
                .orElseGet(() -> ApiErrors.error(json, exchange, 404, notFound(key)));
    }

    /** {@code GET /api/alerts?state=open|resolved&queue=&after=&limit=}: the alerts and how many are open and resolved. */
    public ObjectNode list(@Header("state") String state, @Header("queue") String queue, @Header("after") String after,
            @Header("limit") String limit) {
        int max = ApiQueries.limit(limit);
        long from = ApiQueries.after(after);
        ExternalAlert.State wanted = null;
        if (state != null && !state.isBlank()) {
            try {
                wanted = ExternalAlert.State.valueOf(state.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("state must be open or resolved, got '" + state + "'");
            }
        }
        String wantedQueue = queue == null || queue.isBlank() ? null : queue.trim();
        List<ExternalAlert> page = alerts.list(wanted, wantedQueue, from, max);
        ObjectNode answer = json.createObjectNode();
        ObjectNode counts = answer.putObject("counts");
        alerts.counts().forEach(counts::put);
        ArrayNode items = answer.putArray("items");
        page.forEach(a -> items.add(view(a)));
        answer.put("next", page.size() == max ? page.get(page.size() - 1).id() : null);
        return answer;
    }

    private ObjectNode answer(ExternalAlerts.Outcome outcome, Exchange exchange) {
        if (outcome instanceof ExternalAlerts.Raised raised) {
            return done(raised.alert(), raised.events(), raised.created() ? 201 : 200,
                    raised.created() ? "raised" : "repeated", exchange);
        }
        if (outcome instanceof ExternalAlerts.Resolved resolved) {
            return done(resolved.alert(), resolved.events(), 200, resolved.already() ? "already-resolved" : "resolved",
                    exchange);
        }
        if (outcome instanceof ExternalAlerts.Refused refused) {
            return ApiErrors.error(json, exchange, 422, refused.reason());
        }
        return ApiErrors.error(json, exchange, 404, notFound(((ExternalAlerts.NotFound) outcome).key()));
    }

    private ObjectNode done(ExternalAlert alert, List<Event> events, int status, String outcome, Exchange exchange) {
        exchange.setProperty(EventLog.COMMITTED, events);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return view(alert).put("outcome", outcome);
    }

    private ObjectNode view(ExternalAlert a) {
        ObjectNode node = json.createObjectNode()
                .put("id", a.id())
                .put("key", a.key())
                .put("type", a.type())
                .put("severity", a.severity().configName())
                .put("queue", a.queue())
                .put("team", a.team());
        a.audiences().forEach(node.putArray("audiences")::add);
        node.put("summary", a.summary());
        try {
            node.set("details", a.details() == null ? null : json.readTree(a.details()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("external alert " + a.id() + ": details are not JSON", e);
        }
        return node.put("state", a.state().name().toLowerCase(Locale.ROOT))
                .put("count", a.occurrences())
                .put("raisedBy", a.raisedBy())
                .put("firstSeenAt", text(a.firstSeenAt()))
                .put("lastSeenAt", text(a.lastSeenAt()))
                .put("remindedAt", text(a.remindedAt()))
                .put("resolvedAt", text(a.resolvedAt()))
                .put("resolvedBy", a.resolvedBy());
    }

    private static String notFound(String key) {
        return "no alert with key '" + key + "' was raised";
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
