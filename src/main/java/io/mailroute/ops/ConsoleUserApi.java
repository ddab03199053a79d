package io.mailroute.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.access.ApiGuard;
import io.mailroute.access.Role;
import io.mailroute.console.ConsoleUser;
import io.mailroute.console.ConsoleUsers;
import java.time.Instant;
import java.util.Arrays;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * {@code GET/POST /api/console-users}, {@code POST /api/console-users/{name}/disable} and
 * {@code PUT /api/console-users/{name}/password} (admin): what the {@code user} command calls while the service runs
 * (the default H2 file is open in one process at a time). A password travels in the request body only, is hashed at
 * once and is never answered, logged or audited.
 */
public final class ConsoleUserApi {

    private final ConsoleUsers users;
    private final ObjectMapper json;

    public ConsoleUserApi(ConsoleUsers users, ObjectMapper json) {
        this.users = users;
        this.json = json;
    }

    public ObjectNode list() {
        ArrayNode items = json.createArrayNode();
        for (ConsoleUser user : users.list()) {
            items.addObject().put("name", user.name()).put("role", user.role().configName()).put("signIn", user.signIn())
                    .put("createdAt", text(user.createdAt())).put("createdBy", user.createdBy())
                    .put("disabledAt", text(user.disabledAt()));
        }
        ObjectNode answer = json.createObjectNode();
        answer.set("items", items);
        return answer;
    }

    /** Body: {@code {"name":"mei","role":"operator","password":"..."}} or {@code {"name":"a@acme.example","role":"viewer","google":true}}. */
    public ObjectNode create(@Body String body, @Header(ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        JsonNode request = read(body);
        if (request == null || !request.path("name").isTextual() || !request.path("role").isTextual()) {
            return ApiErrors.error(json, exchange, 400, "the body needs name and role, and a password or \"google\":true, e.g. "
                    + "{\"name\":\"mei\",\"role\":\"operator\",\"password\":\"...\"}; roles: " + Role.names());
        }
        Role role;
        try {
            role = Role.parse(request.get("role").asText());
        } catch (IllegalArgumentException e) {
            return ApiErrors.error(json, exchange, 400, "role: " + e.getMessage());
        }
        boolean google = request.path("google").asBoolean(false);
        if (google == request.path("password").isTextual()) {
            return ApiErrors.error(json, exchange, 400, google ? "a Google user has no password: leave it out"
                    : "password is required for a user who signs in with a password (or say \"google\":true)");
        }
        char[] password = google ? null : request.get("password").asText().toCharArray();
        try {
            ConsoleUser user = users.create(request.get("name").asText(), role, password, "token:" + principal);
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
            return json.createObjectNode().put("name", user.name()).put("role", user.role().configName())
                    .put("signIn", user.signIn());
        } catch (ConsoleUsers.UserException e) {
            return ApiErrors.error(json, exchange, 422, e.getMessage());
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    public ObjectNode disable(@Header("name") String name, @Header(ApiGuard.PRINCIPAL_HEADER) String principal, Exchange exchange) {
        if (!users.disable(name, "token:" + principal)) {
            return ApiErrors.error(json, exchange, 404, "no console user named '" + name + "' is in use");
        }
        return json.createObjectNode().put("name", ConsoleUsers.normalize(name)).put("disabled", true);
    }

    /** Body: {@code {"password":"..."}}. */
    public ObjectNode password(@Header("name") String name, @Body String body, @Header(ApiGuard.PRINCIPAL_HEADER) String principal,
            Exchange exchange) {
        JsonNode request = read(body);
        if (request == null || !request.path("password").isTextual()) {
            return ApiErrors.error(json, exchange, 400, "the body needs the new password: {\"password\":\"...\"}");
        }
        char[] password = request.get("password").asText().toCharArray();
        try {
            if (!users.setPassword(name, password, "token:" + principal)) {
                return ApiErrors.error(json, exchange, 404, "no console user named '" + name + "' signs in with a password");
            }
        } catch (ConsoleUsers.UserException e) {
            return ApiErrors.error(json, exchange, 422, e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
        return json.createObjectNode().put("name", ConsoleUsers.normalize(name)).put("passwordChanged", true);
    }

    private JsonNode read(String body) {
        try {
            return json.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (JsonProcessingException e) {
            return null; // never echo the body back: it may hold a password
        }
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
