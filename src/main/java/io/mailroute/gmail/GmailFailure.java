package io.mailroute.gmail;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpResponseException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * What a failed Gmail call means for the mailbox, decided from the exception the Google client
 * threw (camel-google-mail wraps it, so the cause chain is searched).
 */
public record GmailFailure(Kind kind, int status, Duration retryAfter, String message) {

    public enum Kind {
        /** 429, or 403 with a rate-limit reason: slow down and honour Retry-After. */
        RATE_LIMITED,
        /** 5xx, timeouts, connection failures: try again later. */
        TRANSIENT,
        /** The refresh token no longer works (invalid_grant) or the access is denied: needs a person. */
        NOT_CONNECTED,
        /** history.list said the start id is too old: resync. */
        HISTORY_EXPIRED,
        /** The message is gone (deleted between history and get). */
        NOT_FOUND,
        /** Anything else: a bug or a misconfiguration. */
        OTHER
    }

    public boolean isRetryable() {
        return kind == Kind.RATE_LIMITED || kind == Kind.TRANSIENT;
    }

    /**
     * How long to wait after this failure, the {@code failures}-th in a row: a rate limit with Retry-After waits
     * that long (plus a little jitter), anything else backs off exponentially, never shorter than Retry-After.
     */
    public Duration waitAfter(int failures, io.mailroute.retry.Backoff backoff) {
        return backoff.after(failures, retryAfter, kind == Kind.RATE_LIMITED);
    }

    public static GmailFailure of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NoGrantException noGrant) {
                return new GmailFailure(Kind.NOT_CONNECTED, 0, null, noGrant.getMessage());
            }
            TokenRefusal refused = TokenRefusal.of(t);
            if (refused != null) {
                Kind kind = refused.status() >= 500 ? Kind.TRANSIENT : Kind.NOT_CONNECTED;
                return new GmailFailure(kind, refused.status(), null, "OAuth token refresh failed: "
                        + (refused.error().isEmpty() ? refused.statusMessage() : refused.error()));
            }
            if (TokenRefusal.isUnanswered(t)) {
                continue; // the token endpoint could not be reached: classified by the cause, as any network trouble
            }
            if (t instanceof HttpResponseException http) {
                return fromHttp(http);
            }
            if (t instanceof IOException io) {
                return new GmailFailure(Kind.TRANSIENT, 0, null, io.getClass().getSimpleName() + ": " + io.getMessage());
            }
        }
        return new GmailFailure(Kind.OTHER, 0, null, error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    private static GmailFailure fromHttp(HttpResponseException http) {
        int status = http.getStatusCode();
        String reason = "";
        String message = http.getStatusMessage();
        if (http instanceof GoogleJsonResponseException json && json.getDetails() != null) {
            GoogleJsonError details = json.getDetails();
            message = details.getMessage();
            if (details.getErrors() != null && !details.getErrors().isEmpty()) {
                reason = String.valueOf(details.getErrors().get(0).getReason()).toLowerCase(Locale.ROOT);
            }
        }
        Duration retryAfter = retryAfter(http.getHeaders() == null ? null : http.getHeaders().getRetryAfter());
        String text = status + " " + message;
        Kind kind;
        if (status == 429 || status == 403 && reason.contains("ratelimit")) {
            kind = Kind.RATE_LIMITED;
        } else if (status >= 500) {
            kind = Kind.TRANSIENT;
        } else if (status == 401 || status == 403) {
            kind = Kind.NOT_CONNECTED;
        } else if (status == 404) {
            kind = Kind.NOT_FOUND;
        } else {
            kind = Kind.OTHER;
        }
        return new GmailFailure(kind, status, retryAfter, text);
    }

    /** Retry-After in seconds (the form Google uses); an HTTP date is treated as absent. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.trim());
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 3600));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
