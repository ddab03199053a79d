package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A Google Cloud API error as Pub/Sub answers it: {@code {"error":{"code","message","status"}}}. */
final class PubSubException extends RuntimeException {

    private final int code;
    private final String status;

    PubSubException(int code, String status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    static PubSubException notFound(String resourceName) {
        return new PubSubException(404, "NOT_FOUND", "Resource not found (resource="
                + resourceName.substring(resourceName.lastIndexOf('/') + 1) + ").");
    }

    static PubSubException alreadyExists(String what) {
        return new PubSubException(409, "ALREADY_EXISTS", what + " already exists");
    }

    static PubSubException invalidArgument(String message) {
        return new PubSubException(400, "INVALID_ARGUMENT", message);
    }

    int code() {
        return code;
    }

    ObjectNode body() {
        ObjectNode root = HttpExchanges.JSON.createObjectNode();
        root.putObject("error").put("code", code).put("message", getMessage()).put("status", status);
        return root;
    }
}
