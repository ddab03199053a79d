package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gmail's error answers, body and status text as Gmail sends them, so that the Google client's
 * {@code GoogleJsonResponseException.getDetails()} is populated exactly as in production.
 */
final class GmailErrors {

    static final String NOT_FOUND_MESSAGE = "Requested entity was not found.";
    private static final String BEARER_REALM = "Bearer realm=\"https://accounts.google.com/\"";

    private GmailErrors() {
    }

    static GmailApiException invalidArgument(String message) {
        return new GmailApiException(400, "invalidArgument", "global", message, Map.of());
    }

    static GmailApiException badRequest(String message) {
        return new GmailApiException(400, "badRequest", "global", message, Map.of());
    }

    /** No or unknown credentials. {@code invalidToken} adds the hint that makes the client refresh and retry. */
    static GmailApiException unauthenticated(boolean invalidToken) {
        String challenge = BEARER_REALM
                + (invalidToken ? ", error=\"invalid_token\"" : "");
        return new GmailApiException(401, "authError", "global",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie"
                        + " or other valid authentication credential."
                        + " See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                Map.of("WWW-Authenticate", challenge));
    }

    /**
     * A valid token whose scopes do not allow {@code method}. The challenge names the scopes that would, and
     * carries no {@code invalid_token}, so the client does not refresh: a new token would have the same scopes.
     */
    static GmailApiException insufficientScope(GmailMethod method) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("service", "gmail.googleapis.com");
        metadata.put("method", method.rpcName());
        GmailApiException.ErrorInfo info = new GmailApiException.ErrorInfo("ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "googleapis.com", metadata);
        return new GmailApiException(403, "insufficientPermissions", "global",
                "Request had insufficient authentication scopes.", "Insufficient Permission", info,
                Map.of("WWW-Authenticate", BEARER_REALM + ", error=\"insufficient_scope\", scope=\""
                        + GmailScope.join(method.scopes()) + "\""));
    }

    static GmailApiException delegationDenied(String requestedUser) {
        return new GmailApiException(403, "forbidden", "global", "Delegation denied for " + requestedUser, Map.of());
    }

    static GmailApiException notFound() {
        return new GmailApiException(404, "notFound", "global", NOT_FOUND_MESSAGE, Map.of());
    }

    static GmailApiException duplicateLabel() {
        return new GmailApiException(409, "duplicate", "global", "Label name exists or conflicts", Map.of());
    }

    static GmailApiException rateLimited(int retryAfterSeconds) {
        return new GmailApiException(429, "rateLimitExceeded", "usageLimits",
                "User-rate limit exceeded.  Retry after " + java.time.Instant.now().plusSeconds(retryAfterSeconds),
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    /** An injected fault or an unexpected sandbox failure. */
    static GmailApiException backend(int status) {
        return new GmailApiException(status, "backendError", "global", "Backend Error", Map.of());
    }

    /** The error an injected fault answers, shaped like Gmail's own answer with that status. */
    static GmailApiException injected(int status) {
        return switch (status) {
            case 429 -> rateLimited(1);
            // Gmail's older per-user limit answers 403 with this reason; clients must back off on it too.
            case 403 -> new GmailApiException(403, "userRateLimitExceeded", "usageLimits",
                    "User Rate Limit Exceeded", Map.of());
            case 400 -> badRequest("Bad Request");
            case 404 -> notFound();
            default -> backend(status);
        };
    }

    static ObjectNode body(GmailApiException e) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode detail = json.objectNode()
                .put("message", e.itemMessage())
                .put("domain", e.domain())
                .put("reason", e.reason());
        if (e.status() == 401) {
            detail.put("location", "Authorization").put("locationType", "header");
        }
        ObjectNode error = json.objectNode().put("code", e.status()).put("message", e.getMessage());
        error.putArray("errors").add(detail);
        error.put("status", statusText(e.status()));
        if (e.errorInfo() != null) {
            ObjectNode info = error.putArray("details").addObject()
                    .put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                    .put("reason", e.errorInfo().reason())
                    .put("domain", e.errorInfo().domain());
            e.errorInfo().metadata().forEach(info.putObject("metadata")::put);
        }
        ObjectNode root = json.objectNode();
        root.set("error", error);
        return root;
    }

    /** google.rpc.Code names, as Gmail puts them in {@code error.status}. */
    static String statusText(int status) {
        return switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> "ALREADY_EXISTS";
            case 412 -> "FAILED_PRECONDITION";
            case 429 -> "RESOURCE_EXHAUSTED";
            case 501 -> "UNIMPLEMENTED";
            case 503 -> "UNAVAILABLE";
            case 504 -> "DEADLINE_EXCEEDED";
            default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }
}
