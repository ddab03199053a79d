package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.access.ApiGuard;
import io.mailroute.access.ApiTokens;
import io.mailroute.access.Role;
import java.time.Instant;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code GET/POST /api/tokens} and {@code DELETE /api/tokens/{name}} (admin): what the {@code token}
 * command calls when the service is running. A created token is in the answer once and never again.
 */
public final class TokenApi {

    private final ApiTokens tokens;
    private final ObjectMapper json;

    public TokenApi(ApiTokens tokens, ObjectMapper json) {
        this.tokens = tokens;
        this.json = json;
    }

    public ObjectNode list() {
        ArrayNode items = json.createArrayNode();
        for (ApiTokens.Info info : tokens.list()) {
            items.addObject()
                    .put("name", info.name())
                    .put("role", info.role().configName())
                    .put("hint", info.hint() + "…")
                    .put("createdAt", text(info.createdAt()))
                    .put("createdBy", info.createdBy())
                    .put("lastUsedAt", text(info.lastUsedAt()));
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("items", items);
        return answer;
    }

    /** Body: {@code {"name":"ci-reporting","role":"viewer"}}; answers 201 with the token. */
    public ObjectNode create(@Body String body, @Header(ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        JsonNode request;
        try {
            request = json.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (JsonProcessingException e) {
            return ApiErrors.error(json, exchange, 400, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (!request.path("name").isTextual() || !request.path("role").isTextual()) {
            return ApiErrors.error(json, exchange, 400, "the body needs name and role, e.g. {\"name\":\"ci-reporting\",\"role\":\""
                    + "viewer\"}; roles: " + Role.names());
        }
        Role role;
        try {
            role = Role.parse(request.get("role").asText());
        } catch (IllegalArgumentException e) {
            return ApiErrors.error(json, exchange, 400, "role: " + e.getMessage());
        }
        ApiTokens.Created created;
        try {
            created = tokens.create(request.get("name").asText(), role, "token:" + principal);
        } catch (ApiTokens.TokenException e) {
            return ApiErrors.error(json, exchange, 422, e.getMessage());
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        return json.createObjectNode().put("name", created.name()).put("role", created.role().configName())
                .put("token", created.token());
    }

    public ObjectNode revoke(@Header("name") String name, @Header(ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        if (!tokens.revoke(name, "token:" + principal)) {
            return ApiErrors.error(json, exchange, 404, "no token named '" + name + "' is in use");
        }
        return json.createObjectNode().put("name", name).put("revoked", true);
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
