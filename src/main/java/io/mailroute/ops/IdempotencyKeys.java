package io.mailroute.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/**
 * The idempotency key of a POST that must not act twice when a client retries it (a timeout, a double tap): the
 * {@code Idempotency-Key} header or the body's {@code idempotencyKey} field, one of them or both the same. The API
 * answers a repeat with what the first request did, and refuses the same key with a different request.
 */
public final class IdempotencyKeys {

    /** The header a client may send it in. */
    public static final String HEADER = "Idempotency-Key";
    /** The body field a client may send it in. */
    public static final String FIELD = "idempotencyKey";
    public static final int MAX_LENGTH = 128;
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1," + MAX_LENGTH + "}");

    private IdempotencyKeys() {
    }

    /**
     * @param field  the body's {@code idempotencyKey}, or null / missing
     * @param header the {@code Idempotency-Key} header, or null
     * @return the key, or null when the request has none
     * @throws IllegalArgumentException when the two differ, or the key is not 1 to 128 visible ASCII characters
     */
    public static String read(JsonNode field, String header) {
        String body = field == null || field.isNull() || field.isMissingNode() ? null : field.asText();
        String headerKey = header == null || header.isBlank() ? null : header.trim();
        if (body != null && headerKey != null && !body.equals(headerKey)) {
            throw new IllegalArgumentException(FIELD + " differs from the " + HEADER + " header; send one of them, or the same");
        }
        String key = body != null ? body : headerKey;
        if (key != null && !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(FIELD + " must be 1 to " + MAX_LENGTH + " visible ASCII characters, no spaces");
        }
        return key;
    }
}
