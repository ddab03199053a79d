package io.mailroute.gmail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads back the JSON array columns {@link MessageStore} writes into mail_message: address lists
 * ({@code to_addresses}, {@code cc_addresses}, {@code from_others}: {@code [{address, name}]}) and string lists
 * ({@code label_ids}, {@code dkim_pass_domains}, {@code dmarc_pass_domains}). NULL or blank is an empty list.
 */
public final class StoredJson {

    private StoredJson() {
    }

    /** The addresses of an address-list column, in order. */
    public static List<String> addresses(ObjectMapper json, String jsonArray) {
        List<String> out = new ArrayList<>();
        read(json, jsonArray).forEach(node -> out.add(node.path("address").asText()));
        return out;
    }

    /** The values of a string-list column, in order. */
    public static List<String> strings(ObjectMapper json, String jsonArray) {
        List<String> out = new ArrayList<>();
        read(json, jsonArray).forEach(node -> out.add(node.asText()));
        return out;
    }

    private static JsonNode read(ObjectMapper json, String text) {
        try {
            return text == null || text.isBlank() ? json.createArrayNode() : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
