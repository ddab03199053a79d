package io.mailroute.gmail;

import com.google.api.client.auth.oauth2.TokenErrorResponse;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.json.gson.GsonFactory;
import com.google.auth.Retryable;
import java.io.IOException;

/**
 * The OAuth token endpoint answered a refresh with an error (RFC 6749 section 5.2), as google-auth-library's
 * {@code UserCredentials} reports it: its {@code GoogleAuthException} (an {@link IOException}, not public, known by
 * the library's {@link Retryable}) caused by the endpoint's {@link HttpResponseException}, whose body is
 * {@code {"error": "invalid_grant", "error_description": ...}}. The body is untrusted: {@code error} is only what the
 * endpoint said, to be checked before it is shown.
 *
 * @param error the OAuth error code, "" when the answer carried none (the JDK transport drops 401 bodies of POSTs)
 */
public record TokenRefusal(int status, String statusMessage, String error) {

    /** The refusal {@code t} itself is, or null: anything else, including a token endpoint that could not be reached. */
    public static TokenRefusal of(Throwable t) {
        if (t instanceof IOException && t instanceof Retryable && t.getCause() instanceof HttpResponseException answer) {
            return new TokenRefusal(answer.getStatusCode(), String.valueOf(answer.getStatusMessage()), error(answer.getContent()));
        }
        return null;
    }

    /** The first refusal in {@code error}'s cause chain (Camel wraps it), or null. */
    public static TokenRefusal in(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            TokenRefusal refusal = of(t);
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    /**
     * True for the library's wrapper around a token call that got no answer (connection refused, timeout): the
     * cause says what happened.
     */
    public static boolean isUnanswered(Throwable t) {
        return t instanceof Retryable && t.getCause() instanceof IOException && of(t) == null;
    }

    private static String error(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            TokenErrorResponse details = GsonFactory.getDefaultInstance().createJsonParser(body)
                    .parseAndClose(TokenErrorResponse.class);
            return details.getError() == null ? "" : details.getError();
        } catch (IOException | RuntimeException notOAuthJson) {
            return "";
        }
    }
}
