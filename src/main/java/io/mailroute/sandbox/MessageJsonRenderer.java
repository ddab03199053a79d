package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Gmail's JSON for messages and threads in the formats {@code full}, {@code raw}, {@code metadata} and
 * {@code minimal}. 64-bit numbers (historyId, internalDate) are strings, as in Gmail's JSON.
 */
final class MessageJsonRenderer {

    enum Format {
        FULL, RAW, METADATA, MINIMAL;

        static Format fromApi(String value) {
            if (value == null || value.isEmpty()) {
                return FULL;
            }
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw GmailErrors.invalidArgument("Invalid format: " + value);
            }
        }
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder();
    private static final String ATTACHMENT_ID_PREFIX = "sbx-att-";

    private MessageJsonRenderer() {
    }

    /** What insert, import, send and list answer: only the ids (and labels where Gmail gives them). */
    static ObjectNode reference(MessageSnapshot m, boolean withLabels) {
        ObjectNode node = JSON.objectNode().put("id", m.id()).put("threadId", m.threadId());
        if (withLabels && !m.labelIds().isEmpty()) {
            ArrayNode labels = node.putArray("labelIds");
            m.labelIds().forEach(labels::add);
        }
        return node;
    }

    static ObjectNode message(MessageSnapshot m, Format format, List<String> metadataHeaders) {
        ObjectNode node = reference(m, true);
        node.put("snippet", m.parsed().snippet());
        node.put("sizeEstimate", m.raw().length);
        node.put("historyId", Long.toString(m.historyId()));
        node.put("internalDate", Long.toString(m.internalDate()));
        switch (format) {
            case FULL -> node.set("payload", part(m.id(), m.parsed().root()));
            case METADATA -> node.set("payload", metadataPayload(m.parsed(), metadataHeaders));
            case RAW -> node.put("raw", BASE64URL.encodeToString(m.raw()));
            case MINIMAL -> { }
        }
        return node;
    }

    static ObjectNode thread(String threadId, List<MessageSnapshot> messages, Format format,
            List<String> metadataHeaders) {
        ObjectNode node = JSON.objectNode().put("id", threadId);
        long historyId = messages.stream().mapToLong(MessageSnapshot::historyId).max().orElse(0);
        node.put("historyId", Long.toString(historyId));
        ArrayNode array = node.putArray("messages");
        Format perMessage = format == Format.RAW ? Format.FULL : format;
        messages.forEach(m -> array.add(message(m, perMessage, metadataHeaders)));
        return node;
    }

    static ObjectNode attachment(String attachmentId, byte[] data) {
        return JSON.objectNode().put("attachmentId", attachmentId).put("size", data.length)
                .put("data", BASE64URL.encodeToString(data));
    }

    /** Attachment ids name the message and part, so they stay valid for the message's lifetime. */
    static String attachmentId(String messageId, String partId) {
        return ATTACHMENT_ID_PREFIX + Base64.getUrlEncoder().withoutPadding()
                .encodeToString((messageId + "/" + partId).getBytes(StandardCharsets.UTF_8));
    }

    /** The part id named by an attachment id of this message, if it is one of ours. */
    static Optional<String> partIdOf(String attachmentId, String messageId) {
        if (attachmentId == null || !attachmentId.startsWith(ATTACHMENT_ID_PREFIX)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(attachmentId.substring(ATTACHMENT_ID_PREFIX.length())),
                    StandardCharsets.UTF_8);
            int slash = decoded.indexOf('/');
            return slash > 0 && decoded.substring(0, slash).equals(messageId)
                    ? Optional.of(decoded.substring(slash + 1)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static ObjectNode part(String messageId, ParsedMessage.PartNode p) {
        ObjectNode node = JSON.objectNode()
                .put("partId", p.partId())
                .put("mimeType", p.mimeType())
                .put("filename", p.filename());
        node.set("headers", headers(p.headers(), null));
        ObjectNode body = node.putObject("body");
        if (p.body() == null) {
            body.put("size", 0);
            ArrayNode parts = node.putArray("parts");
            p.parts().forEach(child -> parts.add(part(messageId, child)));
        } else if (p.isAttachment()) {
            body.put("attachmentId", attachmentId(messageId, p.partId())).put("size", p.body().length);
        } else {
            body.put("size", p.body().length);
            if (p.body().length > 0) {
                body.put("data", BASE64URL.encodeToString(p.body()));
            }
        }
        return node;
    }

    private static ObjectNode metadataPayload(ParsedMessage parsed, List<String> wanted) {
        ObjectNode node = JSON.objectNode()
                .put("partId", "")
                .put("mimeType", parsed.root().mimeType())
                .put("filename", "");
        node.set("headers", headers(parsed.headers(), wanted));
        return node;
    }

    private static ArrayNode headers(List<ParsedMessage.HeaderField> headers, List<String> wanted) {
        ArrayNode array = JSON.arrayNode();
        for (ParsedMessage.HeaderField h : headers) {
            if (wanted == null || wanted.isEmpty() || wanted.stream().anyMatch(w -> w.equalsIgnoreCase(h.name()))) {
                array.addObject().put("name", h.name()).put("value", h.value());
            }
        }
        return array;
    }
}
