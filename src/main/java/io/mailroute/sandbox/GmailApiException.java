package io.mailroute.sandbox;

import java.util.Map;

/** A failure answered to the client as a Gmail-shaped JSON error; built by {@link GmailErrors}. */
final class GmailApiException extends RuntimeException {

    private final int status;
    private final String reason;
    private final String domain;
    private final Map<String, String> headers;

    GmailApiException(int status, String reason, String domain, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.domain = domain;
        this.headers = headers;
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }

    String domain() {
        return domain;
    }

    Map<String, String> headers() {
        return headers;
    }
}
