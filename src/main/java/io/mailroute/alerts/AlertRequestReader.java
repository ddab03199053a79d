package io.mailroute.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks what another system sends (the API's body, or a flow's map): everything in it is untrusted, so every field
 * is bounded and checked, and an unknown field is refused by name. A problem is an {@link IllegalArgumentException}
 * naming the field (the API answers 400).
 */
public final class AlertRequestReader {

    static final List<String> KNOWN = List.of("type", "severity", "key", "queue", "team", "summary", "details", "status");
    static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,30}(\\.[a-z][a-z0-9-]{0,30}){1,3}");
    static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final int MAX_SUMMARY = 500;
    static final int MAX_DETAILS = 4096;
    private static final int MAX_DEPTH = 4;
    private static final String EXAMPLE = "{\"type\":\"process.failed\",\"severity\":\"high\",\"key\":\"erp-sync-42\","
            + "\"queue\":\"finance-exceptions\",\"summary\":\"ERP sync failed\",\"details\":{\"run\":42}}";

    private final ObjectMapper json;

    public AlertRequestReader(ObjectMapper json) {
        this.json = json;
    }

    /** A flow's body (JSON text, a map or a JSON tree) or the API's, as a JSON tree. */
    public JsonNode body(Object body) {
        return io.mailroute.json.Json.body(json, body, EXAMPLE);
    }

    public AlertRequest read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object such as " + EXAMPLE);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + clip(name) + "'; an alert has " + String.join(", ", KNOWN));
            }
        }
        boolean resolved = resolved(body.get("status"));
        String key = matching(body, "key", KEY, "1 to 128 letters, digits and . _ : @ - (e.g. erp-sync-42)", true);
        String type = matching(body, "type", TYPE, "a dotted name such as process.failed, document.missing, "
                + "shipment.delayed or integration.error", !resolved);
        String queue = matching(body, "queue", NAME, "a queue name such as finance-exceptions", false);
        String team = matching(body, "team", NAME, "an audience of channels.yaml such as ap-team", false);
        if (!resolved && (queue == null) == (team == null)) {
            throw new IllegalArgumentException("name exactly one of queue (whose owners are told) and team (an audience of "
                    + "channels.yaml), " + (queue == null ? "not neither" : "not both"));
        }
        Severity severity = present(body.get("severity")) ? Severity.parse(text(body.get("severity"), "severity"))
                : Severity.NORMAL;
        String summary = summary(body.get("summary"), !resolved);
        return new AlertRequest(type, severity, key, queue, team, summary, details(body.get("details")), resolved);
    }

    private static boolean resolved(JsonNode status) {
        if (!present(status)) {
            return false;
        }
        String value = text(status, "status").trim();
        return switch (value) {
            case "resolved" -> true;
            case "open" -> false;
            default -> throw new IllegalArgumentException("status must be open (the default) or resolved, got '" + clip(value) + "'");
        };
    }

    private static String matching(JsonNode body, String field, Pattern pattern, String what, boolean required) {
        JsonNode node = body.get(field);
        if (!present(node)) {
            if (required) {
                throw new IllegalArgumentException(field + " is required: " + what);
            }
            return null;
        }
        String value = text(node, field).trim();
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be " + what + ", got '" + clip(value) + "'");
        }
        return value;
    }

    private static String summary(JsonNode node, boolean required) {
        if (!present(node)) {
            if (required) {
                throw new IllegalArgumentException("summary is required: one line for the people told, at most " + MAX_SUMMARY
                        + " characters");
            }
            return null;
        }
        String value = text(node, "summary").strip();
        if (value.isEmpty() || value.length() > MAX_SUMMARY) {
            throw new IllegalArgumentException("summary must be 1 to " + MAX_SUMMARY + " characters, got " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("summary must be one line without control characters");
        }
        return value;
    }

    private ObjectNode details(JsonNode node) {
        if (!present(node)) {
            return null;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("details must be a JSON object, such as {\"run\":42,\"system\":\"erp\"}");
        }
        if (depth(node) > MAX_DEPTH) {
            throw new IllegalArgumentException("details may nest at most " + MAX_DEPTH + " levels deep");
        }
        try {
            int size = json.writeValueAsBytes(node).length;
            if (size > MAX_DETAILS) {
                throw new IllegalArgumentException("details must be at most " + MAX_DETAILS + " bytes of JSON, got " + size
                        + "; keep the rest in the sending system and link to it");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("details are not JSON: " + e.getOriginalMessage());
        }
        return (ObjectNode) node;
    }

    private static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) {
            deepest = Math.max(deepest, depth(child));
        }
        return node.isContainerNode() ? deepest + 1 : 0;
    }

    private static String text(JsonNode node, String field) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " must be text");
        }
        return node.asText();
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** Untrusted text echoed in an error: short, one line. */
    private static String clip(String value) {
        String flat = value.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 80 ? flat : flat.substring(0, 77) + "...";
    }
}
