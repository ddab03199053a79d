package io.mailroute.sandbox;

import java.util.Map;

/** A failure answered to the client as a Gmail-shaped JSON error; built by {@link GmailErrors}. */
final class GmailApiException extends RuntimeException {

    /**
     * The {@code google.rpc.ErrorInfo} entry of {@code error.details}, which Gmail adds to some errors.
     *
     * @param metadata e.g. {@code service} and {@code method}
     */
    record ErrorInfo(String reason, String domain, Map<String, String> metadata) {
    }

    private final int status;
    private final String reason;
    private final String domain;
    private final String itemMessage;
    private final ErrorInfo errorInfo;
    private final Map<String, String> headers;

    GmailApiException(int status, String reason, String domain, String message, Map<String, String> headers) {
        this(status, reason, domain, message, message, null, headers);
    }

    /** @param itemMessage the message of {@code error.errors[0]}, which Gmail sometimes words apart from the top one */
    GmailApiException(int status, String reason, String domain, String message, String itemMessage,
            ErrorInfo errorInfo, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.domain = domain;
        this.itemMessage = itemMessage;
        this.errorInfo = errorInfo;
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

    String itemMessage() {
        return itemMessage;
    }

    /** null unless Gmail sends {@code error.details} with this error */
    ErrorInfo errorInfo() {
        return errorInfo;
    }

    Map<String, String> headers() {
        return headers;
    }
}
