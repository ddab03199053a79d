package io.mailroute.approvals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.delivery.PushTargetRules;
import io.mailroute.ops.IdempotencyKeys;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a request for approval as the API ({@code POST /api/approvals}) and routes ({@code direct:approval-request})
 * send it: every field checked, and the first that is wrong refused with an {@link IllegalArgumentException} whose
 * message names it (the API answers 400 with it). Nothing that can reach a mail header (title, names, addresses)
 * may carry a line break or other control character.
 */
public final class ApprovalRequestReader {

    static final int MAX_TITLE = 200;
    static final int MAX_APPROVERS = 50;
    static final int MAX_FIELDS = 50;
    static final int MAX_FIELD_VALUE = 2000;
    static final int MAX_ATTACHMENTS = 20;
    private static final List<String> KNOWN = List.of("title", "requester", "approvers", "policy", "fields", "attachments",
            "callbackUrl", "idempotencyKey", "mailbox", "priority");
    private static final List<String> PRIORITIES = List.of("LOW", "NORMAL", "HIGH", "URGENT");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private final ObjectMapper json;

    public ApprovalRequestReader(ObjectMapper json) {
        this.json = json;
    }

    /**
     * @param body      the request as JSON
     * @param headerKey the {@code Idempotency-Key} header, or null
     * @param source    API or ROUTE
     * @param actor     who asks ("token:erp", "route:po-intake")
     */
    public ApprovalRequest read(JsonNode body, String headerKey, ApprovalRequest.Source source, String actor) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object such as {\"title\":\"PO-4471\",\"requester\":"
                    + "\"j.smith@acme.example\",\"approvers\":[\"finance\"]}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "'; a request has " + String.join(", ", KNOWN));
            }
        }
        String title = oneLine(body, "title", MAX_TITLE, true);
        String requester = address(body.get("requester"), "requester", true);
        List<String> approvers = approvers(body.get("approvers"));
        String policy = name(body, "policy", "a policy of approvals.yaml, e.g. purchase-order");
        ObjectNode fields = fields(body.get("fields"));
        List<ApprovalRequest.Attachment> attachments = attachments(body.get("attachments"));
        String callbackUrl = callbackUrl(body.get("callbackUrl"));
        String key = IdempotencyKeys.read(body.get(IdempotencyKeys.FIELD), headerKey);
        String mailbox = name(body, "mailbox", "a mailbox id of mailboxes.yaml, e.g. accounts");
        String priority = "NORMAL";
        if (present(body.get("priority"))) {
            priority = oneLine(body, "priority", 16, true).toUpperCase(Locale.ROOT);
            if (!PRIORITIES.contains(priority)) {
                throw new IllegalArgumentException("priority must be one of " + PRIORITIES + ", got '" + body.get("priority").asText() + "'");
            }
        }
        return new ApprovalRequest(title, requester, approvers, policy, fields, attachments, callbackUrl, key, mailbox, priority,
                null, null, null, source, actor);
    }

    /** A route's body: JSON text, or a map a flow built. */
    public JsonNode body(Object body) {
        return io.mailroute.json.Json.body(json, body, null);
    }

    /** The amount of a request's fields, when it has one (a number, or a number as text). */
    static BigDecimal amount(JsonNode fields) {
        JsonNode amount = fields == null ? null : fields.get("amount");
        if (amount == null || amount.isNull()) {
            return null;
        }
        try {
            return new BigDecimal(amount.asText().trim().replace(",", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- fields -----------------------------------------------------------------------------------------

    private static List<String> approvers(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("approvers is required: a list of email addresses, groups of approvals.yaml and queue:<name>");
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.isTextual()) {
            items.add(node);
        } else if (node.isArray()) {
            node.forEach(items::add);
        } else {
            throw new IllegalArgumentException("approvers must be a list of email addresses and groups of approvals.yaml");
        }
        if (items.isEmpty() || items.size() > MAX_APPROVERS) {
            throw new IllegalArgumentException("approvers must name 1 to " + MAX_APPROVERS + " approvers, got " + items.size());
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String field = "approvers[" + i + "]";
            JsonNode item = items.get(i);
            String text = item.isTextual() ? item.asText().trim() : null;
            if (text != null && NAME.matcher(text.startsWith(ApprovalsConfig.QUEUE_PREFIX)
                    ? text.substring(ApprovalsConfig.QUEUE_PREFIX.length()) : text).matches()) {
                out.add(text); // a group or queue:<name>: approvals.yaml must define it (Approvals checks)
            } else {
                out.add(address(item, field, true));
            }
        }
        return out;
    }

    private ObjectNode fields(JsonNode node) {
        ObjectNode out = json.createObjectNode();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("fields must be a JSON object of scalar values, e.g. {\"amount\":12480,\"currency\":\"EUR\"}");
        }
        if (node.size() > MAX_FIELDS) {
            throw new IllegalArgumentException("fields may have at most " + MAX_FIELDS + " entries, got " + node.size());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "fields." + entry.getKey();
            if (!FIELD_NAME.matcher(entry.getKey()).matches()) {
                throw new IllegalArgumentException("fields: '" + oneLineForMessage(entry.getKey()) + "' is not a field name; use "
                        + "letters, digits, '_', '.' and '-', starting with a letter, at most 64");
            }
            JsonNode value = entry.getValue();
            if (value.isTextual()) {
                String text = value.asText();
                if (text.length() > MAX_FIELD_VALUE) {
                    throw new IllegalArgumentException(field + " is longer than " + MAX_FIELD_VALUE + " characters");
                }
                if (text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t' || c == '\u2028' || c == '\u2029')) {
                    throw new IllegalArgumentException(field + " must not contain control characters");
                }
                out.put(entry.getKey(), text.replace("\r", ""));
            } else if (value.isNumber() || value.isBoolean() || value.isNull()) {
                out.set(entry.getKey(), value);
            } else {
                throw new IllegalArgumentException(field + " must be a scalar value (text, number, true/false), not a list or object");
            }
        }
        if (out.has("amount") && amount(out) == null) {
            throw new IllegalArgumentException("fields.amount must be a number, e.g. 12480.00, got '" + out.get("amount").asText() + "'");
        }
        if (out.has("currency") && !CURRENCY.matcher(out.get("currency").asText("")).matches()) {
            throw new IllegalArgumentException("fields.currency must be an ISO 4217 code such as EUR, got '"
                    + oneLineForMessage(out.get("currency").asText()) + "'");
        }
        return out;
    }

    private static List<ApprovalRequest.Attachment> attachments(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > MAX_ATTACHMENTS) {
            throw new IllegalArgumentException("attachments must be a list of at most " + MAX_ATTACHMENTS
                    + " {\"name\":\"quote.pdf\",\"ref\":\"https://...\"} (names and references only, never the content)");
        }
        List<ApprovalRequest.Attachment> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "attachments[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                throw new IllegalArgumentException(field + " must be an object with name and ref");
            }
            for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!List.of("name", "ref").contains(name)) {
                    throw new IllegalArgumentException(field + " has unknown field '" + name + "'; an attachment has name and ref");
                }
            }
            String name = oneLine(item, "name", 255, true, field + ".name");
            if (name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException(field + ".name must be a file name, without '/' or '\\'");
            }
            String ref = null;
            if (present(item.get("ref"))) {
                ref = oneLine(item, "ref", 2048, true, field + ".ref");
                if (!SHA256.matcher(ref).matches()) {
                    String problem = PushTargetRules.publicUrlProblem(ref, "an attachment's ref", "name its host").orElse(null);
                    if (problem != null) {
                        throw new IllegalArgumentException(field + ".ref is the sha256 of a stored attachment or a URL: " + problem);
                    }
                }
            }
            out.add(new ApprovalRequest.Attachment(name, ref));
        }
        return out;
    }

    private static String callbackUrl(JsonNode node) {
        if (!present(node)) {
            return null;
        }
        if (!node.isTextual() || node.asText().length() > 2048) {
            throw new IllegalArgumentException("callbackUrl must be a URL of at most 2048 characters");
        }
        String url = node.asText();
        if (url.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("callbackUrl must not contain spaces, line breaks or control characters");
        }
        PushTargetRules.publicUrlProblem(url, "a callback URL", "name its host").ifPresent(problem -> {
            throw new IllegalArgumentException("callbackUrl: " + problem);
        });
        return url;
    }

    private static String name(JsonNode body, String field, String expected) {
        if (!present(body.get(field))) {
            return null;
        }
        String value = oneLine(body, field, 63, true);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be " + expected + ", got '" + value + "'");
        }
        return value;
    }

    static String address(JsonNode node, String field, boolean required) {
        if (!present(node)) {
            if (required) {
                throw new IllegalArgumentException(field + " is required: an email address such as j.smith@acme.example");
            }
            return null;
        }
        String text = node.isTextual() ? node.asText().trim() : null;
        if (text != null && text.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            throw new IllegalArgumentException(field + " must not contain line breaks or control characters");
        }
        if (!Addresses.isAddress(text)) {
            throw new IllegalArgumentException(field + " must be one plain email address such as j.smith@acme.example (no name, "
                    + "no list), got '" + oneLineForMessage(node.asText()) + "'");
        }
        return Addresses.normalize(text);
    }

    private static String oneLine(JsonNode body, String field, int max, boolean required) {
        return oneLine(body, field, max, required, field);
    }

    private static String oneLine(JsonNode body, String key, int max, boolean required, String field) {
        JsonNode node = body.get(key);
        if (!present(node)) {
            if (required) {
                throw new IllegalArgumentException(field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException(field + " must be text");
        }
        String text = node.asText();
        if (text.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            throw new IllegalArgumentException(field + " must not contain line breaks or control characters (it can reach a mail header)");
        }
        text = text.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        if (text.length() > max) {
            throw new IllegalArgumentException(field + " is longer than " + max + " characters");
        }
        return text;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** A value quoted in an error message: one line, bounded. */
    private static String oneLineForMessage(String text) {
        String flat = text.replaceAll("\\p{Cntrl}", " ");
        return flat.length() > 80 ? flat.substring(0, 80) + "..." : flat;
    }
}
