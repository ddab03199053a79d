package io.mailroute.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one JSON mapping the service uses: ISO-8601 instants, no timestamps as numbers. */
public final class Json {

    private Json() {
    }

    /**
     * What an API call or a flow sent, as a JSON tree: a map a flow built, a tree, or JSON text (blank: JSON null).
     *
     * @param example a sample body for the error message, or null
     * @throws IllegalArgumentException "the body must be JSON [such as EXAMPLE]: why", for text that is not JSON
     */
    public static com.fasterxml.jackson.databind.JsonNode body(ObjectMapper json, Object body, String example) {
        if (body instanceof java.util.Map<?, ?> map) {
            return json.valueToTree(map);
        }
        if (body instanceof com.fasterxml.jackson.databind.JsonNode node) {
            return node;
        }
        String text = body == null ? "" : body.toString();
        try {
            return json.readTree(text.isBlank() ? "null" : text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the body must be JSON" + (example == null ? "" : " such as " + example) + ": "
                    + e.getOriginalMessage());
        }
    }

    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }
}
