package io.mailroute.pages;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of a form a page POSTs ({@code application/x-www-form-urlencoded}, UTF-8), read from the request body
 * alone: a field of the same name in the address does not count, so what a form sends cannot be overridden by a
 * link. A field sent twice counts once, the first time. platform-http hands a route the decoded form as a map body
 * ({@link #of}); {@link #parse} reads the body's text.
 */
public final class FormFields {

    /** Longer bodies are refused unread: a decision form with a 2,000-character comment is far below it. */
    public static final int MAX_BODY_CHARS = 64 * 1024;

    private final Map<String, String> fields;

    private FormFields(Map<String, String> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    /**
     * The fields of a form body; empty for null, too long or undecodable text (such a form is then answered as one that
     * lacks its fields).
     */
    public static FormFields parse(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (body == null || body.isEmpty() || body.length() > MAX_BODY_CHARS) {
            return new FormFields(fields);
        }
        try {
            for (String pair : body.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                fields.putIfAbsent(name, value);
            }
        } catch (IllegalArgumentException e) {
            return new FormFields(new LinkedHashMap<>()); // a broken %-escape: nothing in it is trusted
        }
        return new FormFields(fields);
    }

    /**
     * The fields of a route's body: the map platform-http makes of a form (a field sent twice is a list there, of
     * which the first counts), or the form's text.
     */
    public static FormFields of(Object body) {
        if (!(body instanceof Map<?, ?> map)) {
            return parse(body == null ? null : body.toString());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        map.forEach((name, value) -> {
            Object first = value instanceof java.util.List<?> list ? (list.isEmpty() ? null : list.get(0)) : value;
            if (name != null && first != null) {
                fields.put(name.toString(), first.toString());
            }
        });
        return new FormFields(fields);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** The value, or null when the form did not send it. */
    public String value(String name) {
        return fields.get(name);
    }

    @Override
    public String toString() {
        return "FormFields" + fields.keySet(); // never the values: a token and a CSRF token are among them
    }
}
