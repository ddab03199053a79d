package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.events.Event;
import io.mailroute.workflow.ItemState;
import io.mailroute.workflow.Workflow;
import io.mailroute.workflow.WorkflowItem;
import io.mailroute.workflow.WorkflowStore;
import java.util.List;
import java.util.Locale;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code /api/items}: list with filters, one item with its messages, and {@code PATCH} to change
 * state or assignee. A PATCH names the version it was based on (body {@code version} or header
 * {@code If-Match}); a stale one is a 409, an impossible transition a 422.
 */
public final class ItemApi {

    private final Workflow workflow;
    private final ObjectMapper json;

    public ItemApi(Workflow workflow, ObjectMapper json) {
        this.workflow = workflow;
        this.json = json;
    }

    public ObjectNode list(@Header("queue") String queue, @Header("state") String state, @Header("category") String category,
            @Header("assignee") String assignee, @Header("mailbox") String mailbox, @Header("after") String after,
            @Header("limit") String limit) {
        int max = ApiQueries.limit(limit);
        long from = ApiQueries.after(after);
        String wantedState = blank(state) ? null : state(state).name();
        List<WorkflowItem> items = workflow.store().items(new WorkflowStore.ItemFilter(trim(queue), wantedState,
                trim(category), trim(assignee), trim(mailbox)), from, max);
        ArrayNode array = json.createArrayNode();
        items.forEach(item -> array.add(workflow.itemData(item)));
        ObjectNode answer = json.createObjectNode();
        answer.set("items", array);
        answer.put("next", items.size() == max ? items.get(items.size() - 1).id() : null);
        return answer;
    }

    public ObjectNode get(@Header("id") String id, Exchange exchange) {
        long key = id(id);
        return workflow.store().item(key).map(item -> {
            ObjectNode node = workflow.itemData(item);
            node.put("mailbox", item.mailbox())
                    .put("createdAt", item.createdAt().toString())
                    .put("updatedAt", item.updatedAt().toString());
            ArrayNode messages = node.putArray("messages");
            for (WorkflowStore.ItemMessage message : workflow.store().itemMessages(key)) {
                messages.addObject()
                        .put("messageId", message.messageId())
                        .put("relation", message.relation())
                        .put("subject", message.subject())
                        .put("from", message.from())
                        .put("ingestedAt", message.ingestedAt() == null ? null : message.ingestedAt().toString());
            }
            return node;
        }).orElseGet(() -> error(exchange, 404, "no item with id " + key));
    }

    /** Changes state and/or assignee; answers the item after the change, with the events raised. */
    public ObjectNode patch(@Header("id") String id, @Header("If-Match") String ifMatch, @Header(io.mailroute.access.ApiGuard.PRINCIPAL_HEADER) String principal,
            @Body String body, Exchange exchange) {
        long key = id(id);
        JsonNode request;
        try {
            request = json.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body must be JSON such as {\"state\":\"IN_PROGRESS\",\"assignee\":"
                    + "\"mei@acme.example\",\"version\":3}: " + e.getOriginalMessage());
        }
        if (!request.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object with state, assignee and/or version");
        }
        request.fieldNames().forEachRemaining(field -> {
            if (!List.of("state", "assignee", "version").contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'; a PATCH may set state, assignee, version");
            }
        });
        Integer version = request.has("version") ? Integer.valueOf(request.get("version").asInt())
                : blank(ifMatch) ? null : Integer.valueOf(ifMatch.replace("\"", "").trim());
        ItemState state = request.hasNonNull("state") ? state(request.get("state").asText()) : null;
        boolean assigneeGiven = request.has("assignee");
        String assignee = assigneeGiven && !request.get("assignee").isNull() ? request.get("assignee").asText() : null;
        Workflow.ChangeResult result = workflow.change(key, version, state, assignee, assigneeGiven,
                "token:" + principal); // who the API token says, never a header the client sets
        return switch (result.outcome()) {
            case NOT_FOUND -> error(exchange, 404, result.message());
            case CONFLICT -> error(exchange, 409, result.message());
            case INVALID -> error(exchange, 422, result.message());
            case OK -> {
                ObjectNode node = workflow.itemData(result.item());
                ArrayNode raised = node.putArray("events");
                for (Event event : result.events()) {
                    raised.addObject().put("id", event.id()).put("type", event.type()).put("seq", event.seq());
                }
                exchange.setProperty(io.mailroute.events.EventLog.COMMITTED, result.events());
                yield node;
            }
        };
    }

    private static ItemState state(String text) {
        try {
            return ItemState.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a state; states are "
                    + java.util.Arrays.toString(ItemState.values()));
        }
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("item id must be a number, got '" + text + "'");
        }
    }

    private ObjectNode error(Exchange exchange, int status, String message) {
        return ApiErrors.error(json, exchange, status, message);
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static String trim(String text) {
        return blank(text) ? null : text.trim();
    }
}
