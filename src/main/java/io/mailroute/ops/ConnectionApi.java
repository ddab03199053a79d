package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.connection.Connections;
import io.mailroute.gmail.MailboxStates;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code PUT/DELETE /api/mailboxes/{id}/connection} and {@code POST /api/mailboxes/{id}/pause|resume}:
 * what the {@code connect} and {@code disconnect} commands call when the service is running, so a
 * new grant takes effect without a restart.
 */
public final class ConnectionApi {

    private final Connections connections;
    private final MailboxStates states;
    private final ObjectMapper json;

    public ConnectionApi(Connections connections, MailboxStates states, ObjectMapper json) {
        this.connections = connections;
        this.states = states;
        this.json = json;
    }

    /** Body: {@code {"refreshToken":"...","scopes":"https://www.googleapis.com/auth/gmail.modify"}}. */
    public ObjectNode connect(@Header("id") String id, @Body String body, Exchange exchange) {
        JsonNode request;
        try {
            request = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            return ApiErrors.error(json, exchange, 400, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (request == null || !request.path("refreshToken").isTextual()) {
            return ApiErrors.error(json, exchange, 400, "the body needs refreshToken (and scopes, as the token endpoint granted them)");
        }
        return act(id, exchange, answer -> connections.connect(id, request.get("refreshToken").asText(),
                request.path("scopes").asText(null)));
    }

    public ObjectNode disconnect(@Header("id") String id, Exchange exchange) {
        return act(id, exchange, answer -> answer.put("revocation", connections.disconnect(id).name()));
    }

    public ObjectNode pause(@Header("id") String id, Exchange exchange) {
        return act(id, exchange, answer -> connections.pause(id));
    }

    public ObjectNode resume(@Header("id") String id, Exchange exchange) {
        return act(id, exchange, answer -> connections.resume(id));
    }

    /** Runs the action (which may add to the answer) and answers the mailbox's state after it. */
    private ObjectNode act(String id, Exchange exchange, java.util.function.Consumer<ObjectNode> action) {
        try {
            connections.connection(id);
        } catch (Connections.ConnectionException e) {
            return ApiErrors.error(json, exchange, 404, e.getMessage());
        }
        ObjectNode answer = json.createObjectNode().put("id", id);
        try {
            action.accept(answer);
        } catch (Connections.ConnectionException e) {
            return ApiErrors.error(json, exchange, 422, e.getMessage());
        }
        return answer.put("state", states.state(id).name());
    }
}
