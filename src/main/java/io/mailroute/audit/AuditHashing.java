package io.mailroute.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.TreeMap;

/**
 * The chain's hash function, kept small so that it can be re-implemented elsewhere to check an
 * export independently.
 *
 * <p>hash = lowercase hex SHA-256 of the UTF-8 bytes of
 * <pre>
 * "mailroute-audit-v1\n" + field(seq) + field(occurredAt) + field(action) + field(mailbox)
 *                        + field(subjectRef) + field(details) + field(prevHash)
 * </pre>
 * where {@code field(v)} is {@code <UTF-8 byte length of v>:<v>\n}, or {@code -\n} for null;
 * {@code seq} is decimal, {@code occurredAt} ISO-8601 UTC with exactly three fraction digits
 * ({@code 2026-03-01T09:15:00.000Z}), {@code details} the stored canonical JSON text. Length
 * prefixes make the encoding unambiguous whatever the fields contain.
 */
final class AuditHashing {

    static final String GENESIS_HASH = "0".repeat(64);

    private static final String DOMAIN = "mailroute-audit-v1\n";
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private AuditHashing() {
    }

    static String hash(long seq, Instant occurredAt, String action, String mailbox, String subjectRef,
            String details, String prevHash) {
        StringBuilder encoded = new StringBuilder(DOMAIN);
        field(encoded, Long.toString(seq));
        field(encoded, isoMillis(occurredAt));
        field(encoded, action);
        field(encoded, mailbox);
        field(encoded, subjectRef);
        field(encoded, details);
        field(encoded, prevHash);
        return HexFormat.of().formatHex(sha256().digest(encoded.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** ISO-8601 UTC with exactly three fraction digits; {@link Instant#toString()} drops zero millis. */
    static String isoMillis(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    /** Details as JSON text with object keys sorted at every depth and no whitespace; null is {}. */
    static String canonicalJson(ObjectMapper json, JsonNode details) {
        JsonNode node = details == null || details.isNull() || details.isMissingNode()
                ? json.createObjectNode() : sorted(json, details);
        try {
            return json.writer().without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Audit details cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode sorted(ObjectMapper json, JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                fields.put(name, sorted(json, node.get(name)));
            }
            ObjectNode copy = json.createObjectNode();
            fields.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = json.createArrayNode();
            node.forEach(element -> copy.add(sorted(json, element)));
            return copy;
        }
        return node;
    }

    private static void field(StringBuilder encoded, String value) {
        if (value == null) {
            encoded.append("-\n");
            return;
        }
        encoded.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append('\n');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
