package io.mailroute.engagement;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.pages.FormFields;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an app or service worker POSTs to a delivery's acknowledgement URL: {@code event} = {@code opened},
 * {@code dismissed} or {@code acted}, and for {@code acted} the {@code action} (the notification's button, e.g.
 * {@code approve}). The body is a form ({@code event=acted&action=approve}) or a JSON object
 * ({@code {"event":"acted","action":"approve"}}), whatever its Content-Type says: a service worker's no-cors fetch
 * of a string is sent as {@code text/plain}. The body is untrusted: bounded, and an action is a short name.
 *
 * @param action lower case, {@value #ACTION_PATTERN}; null unless {@link Kind#ACTED}
 */
public record AckSignal(Kind kind, String action) {

    /** What the recipient did with the notification. */
    public enum Kind {
        /** Opened it (tapped the notification, clicked the link). */
        OPENED,
        /** Swiped it away unopened: seen, not opened (it stays unopened for escalation). */
        DISMISSED,
        /** Acted on it, with the action's name: implies opened. */
        ACTED
    }

    /** The action the email's Acknowledge page records. */
    public static final String ACKNOWLEDGED = "acknowledged";
    static final String ACTION_PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";
    /** Longer bodies are refused unread. */
    static final int MAX_BODY_CHARS = 2048;
    private static final Pattern ACTION = Pattern.compile(ACTION_PATTERN);
    private static final ObjectMapper JSON = new ObjectMapper();

    public AckSignal {
        if (kind == null) {
            throw new IllegalArgumentException("an acknowledgement needs its event: opened, dismissed or acted");
        }
        if (kind == Kind.ACTED && (action == null || !ACTION.matcher(action).matches())) {
            throw new IllegalArgumentException("'acted' needs its action: 1 to 64 of a-z 0-9 . _ - (e.g. approve)");
        }
        if (kind != Kind.ACTED) {
            action = null;
        }
    }

    public static AckSignal opened() {
        return new AckSignal(Kind.OPENED, null);
    }

    public static AckSignal acted(String action) {
        return new AckSignal(Kind.ACTED, action);
    }

    /**
     * Reads a POST's body: platform-http's map of a form, or the body's text (a form or a JSON object).
     *
     * @throws IllegalArgumentException for a body that says nothing this accepts; the message says what to send
     */
    public static AckSignal parse(Object body) {
        if (body instanceof Map<?, ?> form) {
            FormFields fields = FormFields.of(form);
            return of(fields.value("event"), fields.value("action"));
        }
        String text = body == null ? "" : body.toString().strip();
        if (text.length() > MAX_BODY_CHARS) {
            throw new IllegalArgumentException("the body is longer than " + MAX_BODY_CHARS + " characters");
        }
        if (!text.startsWith("{")) {
            FormFields fields = FormFields.parse(text);
            return of(fields.value("event"), fields.value("action"));
        }
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not a JSON object: send {\"event\":\"opened\"}");
        }
        return of(textOf(json, "event"), textOf(json, "action"));
    }

    private static AckSignal of(String event, String action) {
        if (event == null || event.isBlank()) {
            throw new IllegalArgumentException("field 'event' is missing: send opened, dismissed or acted");
        }
        Kind kind = switch (event.strip().toLowerCase(Locale.ROOT)) {
            case "opened" -> Kind.OPENED;
            case "dismissed" -> Kind.DISMISSED;
            case "acted" -> Kind.ACTED;
            default -> throw new IllegalArgumentException("field 'event' is not opened, dismissed or acted");
        };
        return new AckSignal(kind, action == null ? null : action.strip().toLowerCase(Locale.ROOT));
    }

    private static String textOf(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return value.asText();
    }
}
