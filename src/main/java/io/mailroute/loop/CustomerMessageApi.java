package io.mailroute.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.access.ApiGuard;
import io.mailroute.events.EventLog;
import io.mailroute.json.Json;
import io.mailroute.ops.ApiErrors;
import io.mailroute.ops.IdempotencyKeys;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code POST /api/items/{id}/messages} {@code {"template":"request-info","text":"..."}} (routes/customer-messages.camel.yaml):
 * 202 with the item, the customer it goes to and the events committed (left in {@value EventLog#COMMITTED} for the route
 * to publish); with an {@code Idempotency-Key} header or {@code idempotencyKey} field, the same message again answers
 * 200 with the first one's events ({@code "repeated": true}) and sends nothing; 400 a bad body, naming the field;
 * 404, 409 and 422 as {@link CustomerMessages#send} says.
 */
public final class CustomerMessageApi {

    static final String EXAMPLE = "{\"template\":\"request-info\",\"text\":\"Could you send us your order number?\"}";
    private static final Set<String> FIELDS = Set.of("template", "text", IdempotencyKeys.FIELD);

    private final CustomerMessages messages;
    private final ObjectMapper json;

    public CustomerMessageApi(CustomerMessages messages, ObjectMapper json) {
        this.messages = messages;
        this.json = json;
    }

    public ObjectNode send(@Header("id") String id, @Header(ApiGuard.PRINCIPAL_HEADER) String principal,
            @Header(IdempotencyKeys.HEADER) String idempotencyKey, @Body String body, Exchange exchange) {
        long itemId = itemId(id);
        JsonNode request = Json.body(json, body, EXAMPLE);
        if (!request.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object such as " + EXAMPLE);
        }
        request.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw new IllegalArgumentException("unknown field '" + field + "'; a message has template, text and "
                        + "optionally " + IdempotencyKeys.FIELD);
            }
        });
        JsonNode template = request.path("template");
        if (!template.isTextual()) {
            throw new IllegalArgumentException("template is required: one of " + CustomerMessages.Template.names());
        }
        CustomerMessages.Template chosen = CustomerMessages.Template.named(template.asText());
        JsonNode text = request.path("text");
        if (!text.isMissingNode() && !text.isNull() && !text.isTextual()) {
            throw new IllegalArgumentException("text must be a string");
        }
        String key = IdempotencyKeys.read(request.get(IdempotencyKeys.FIELD), idempotencyKey);
        CustomerMessages.Outcome outcome = messages.send(itemId, chosen, CustomerMessages.text(text.asText(null)), key,
                "token:" + principal); // who the API token says, never a header the client sets
        if (outcome instanceof CustomerMessages.Refused refused) {
            return ApiErrors.error(json, exchange, refused.status(), refused.reason());
        }
        CustomerMessages.Sent sent = (CustomerMessages.Sent) outcome;
        exchange.setProperty(EventLog.COMMITTED, sent.committed());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, sent.repeated() ? 200 : 202);
        ObjectNode answer = json.createObjectNode()
                .put("itemId", sent.item().id())
                .put("template", chosen.templateName())
                .put("to", sent.customer())
                .put("state", sent.item().state().name())
                .put("version", sent.item().version())
                .put("repeated", sent.repeated());
        ArrayNode raised = answer.putArray("events");
        for (CustomerMessages.EventRef event : sent.events()) {
            raised.addObject().put("id", event.id()).put("type", event.type()).put("seq", event.seq());
        }
        return answer;
    }

    private static long itemId(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("item id must be a number, got '" + text + "'");
        }
    }
}
