package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.delivery.ChannelsConfig;
import io.mailroute.delivery.Delivery;
import io.mailroute.delivery.DeliveryStore;
import io.mailroute.delivery.PushTargetRules;
import io.mailroute.engagement.DeliveryEngagement;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code GET /api/deliveries?event=&status=&engagement=} and {@code POST /api/recipients/{id}/targets}. Each delivery
 * shows its engagement ({@link DeliveryEngagement}) once {@link #showingEngagement} gave it.
 */
public final class DeliveryApi {

    private final DeliveryStore store;
    private final ChannelsConfig config;
    private static final List<String> ENGAGEMENT_STATES = List.of("OPENED", "ACTED", "IGNORED");

    private final ObjectMapper json;
    private final Clock clock;
    private DeliveryEngagement engagement;

    public DeliveryApi(DeliveryStore store, ChannelsConfig config, ObjectMapper json, Clock clock) {
        this.store = store;
        this.config = config;
        this.json = json;
        this.clock = clock;
    }

    /** Each delivery's engagement (state and times) in the list, and the list's {@code engagement} filter. */
    public DeliveryApi showingEngagement(DeliveryEngagement engagement) {
        this.engagement = engagement;
        return this;
    }

    public ObjectNode list(@Header("event") String event, @Header("status") String status,
            @Header("engagement") String engaged, @Header("after") String after, @Header("limit") String limit) {
        int max = ApiQueries.limit(limit);
        List<Delivery> rows = store.list(blank(event) ? null : event.trim(),
                blank(status) ? null : status.trim().toUpperCase(Locale.ROOT).replace('-', '_'), null,
                engagementState(engaged), ApiQueries.after(after), max);
        Map<Long, DeliveryEngagement.Engagement> engagements = engagement == null ? Map.of()
                : engagement.find(rows.stream().map(Delivery::id).toList());
        ArrayNode items = json.createArrayNode();
        for (Delivery d : rows) {
            ObjectNode item = items.addObject()
                    .put("id", d.id())
                    .put("eventId", d.eventId())
                    .put("eventType", d.eventType())
                    .put("itemId", d.itemId())
                    .put("channel", d.channel())
                    .put("channelType", d.channelType())
                    .put("recipient", d.recipient())
                    .put("address", d.channelType().equals("email") ? d.address() : mask(d.address()))
                    .put("status", d.status())
                    .put("attempts", d.attempts())
                    .put("nextAttemptAt", d.nextAttemptAt().toString())
                    .put("lastError", d.lastError())
                    .put("providerId", d.providerId())
                    .put("sentVia", d.sentVia())
                    .put("messageId", d.messageId())
                    .put("fallbackOf", d.fallbackOf())
                    .put("createdAt", d.createdAt().toString());
            engagementOf(item, engagements.get(d.id()));
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("items", items);
        answer.put("next", rows.size() == max ? rows.get(rows.size() - 1).id() : null);
        return answer;
    }

    /** Registers a push target (a device token, a browser subscription) for a person. */
    public ObjectNode addTarget(@Header("id") String recipient, @Body String body, Exchange exchange) {
        if (!config.recipients().containsKey(recipient)) {
            return error(exchange, 404, "no recipient '" + recipient + "' in config/channels.yaml");
        }
        JsonNode request;
        try {
            request = json.readTree(body == null ? "{}" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body must be JSON like {\"channel\":\"mobile\",\"address\":\"<token>\"}");
        }
        String channel = request.path("channel").asText("");
        ChannelsConfig.Channel defined = config.channels().get(channel);
        if (defined == null || defined.isEmail()) {
            throw new IllegalArgumentException("channel must be one of the push channels in config/channels.yaml, not '"
                    + channel + "'");
        }
        String address = request.path("address").asText("");
        Map<String, String> keys = new LinkedHashMap<>();
        request.path("keys").fields().forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
        PushTargetRules.problem(defined.type(), address, keys).ifPresent(problem -> {
            throw new IllegalArgumentException(problem.toString());
        });
        boolean added = store.addTarget(recipient, channel, address, keys, clock.instant());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, added ? 201 : 200);
        return json.createObjectNode().put("recipient", recipient).put("channel", channel).put("added", added);
    }

    /** The filter: one of the states {@code DeliveryEngagement.Engagement.state()} names, or null for any. */
    private String engagementState(String engaged) {
        if (blank(engaged)) {
            return null;
        }
        String state = engaged.strip().toUpperCase(Locale.ROOT);
        if (engagement == null || !ENGAGEMENT_STATES.contains(state)) {
            throw new IllegalArgumentException("engagement must be one of " + String.join(", ", ENGAGEMENT_STATES));
        }
        return state;
    }

    private static void engagementOf(ObjectNode item, DeliveryEngagement.Engagement e) {
        if (e == null) {
            return;
        }
        item.put("engagement", e.state()).put("openedAt", text(e.openedAt())).put("actedAt", text(e.actedAt()))
                .put("action", e.action()).put("dismissedAt", text(e.dismissedAt())).put("ignoredAt", text(e.ignoredAt()));
    }

    private static String text(java.time.Instant at) {
        return at == null ? null : at.toString();
    }

    /** Device tokens are bearer credentials for pushing to a person: show only their ends. */
    private static String mask(String address) {
        return address.length() <= 12 ? "…" : address.substring(0, 6) + "…" + address.substring(address.length() - 4);
    }

    private ObjectNode error(Exchange exchange, int status, String message) {
        return ApiErrors.error(json, exchange, status, message);
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
