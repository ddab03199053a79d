package io.mailroute.delivery.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.delivery.BoundedBody;
import io.mailroute.delivery.SendResult;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * What FCM answered to {@code messages:send}: the Google JSON error's HTTP status, {@code error.status}, the
 * {@code FcmError} detail's {@code errorCode} and {@code error.message}; and the mapping to an outcome
 * (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode). The two codes are kept only when they look
 * like codes ({@link #CODE}); the message is the provider's free text and goes to the log only.
 */
record FcmAnswer(int status, String googleStatus, String errorCode, String message, String name) {

    /** What Google's status and FCM's error codes look like ({@code UNREGISTERED}, {@code RESOURCE_EXHAUSTED}). */
    static final Pattern CODE = Pattern.compile("[A-Z_]{1,40}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError";

    static FcmAnswer parse(int status, String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null) {
            return new FcmAnswer(status, "", "", "", null);
        }
        JsonNode error = json.path("error");
        String errorCode = "";
        for (JsonNode detail : error.path("details")) {
            if (FCM_ERROR_TYPE.equals(detail.path("@type").asText()) && detail.hasNonNull("errorCode")) {
                errorCode = detail.get("errorCode").asText();
            }
        }
        String name = json.hasNonNull("name") ? json.get("name").asText() : null;
        return new FcmAnswer(status, code(error.path("status").asText("")), code(errorCode), error.path("message").asText(""),
                name);
    }

    /**
     * Our OAuth token was refused (expired or revoked early): worth one fresh token. A 401 that carries an FCM
     * error code is about the app's APNs/web credentials instead, which a new token will not fix.
     */
    boolean isStaleAccessToken() {
        return status == 401 && errorCode.isEmpty();
    }

    SendResult outcome(Duration retryAfter) {
        if (status >= 200 && status < 300) {
            return SendResult.delivered(name);
        }
        return decide(retryAfter).withProviderSaid(BoundedBody.forLog(message));
    }

    private SendResult decide(Duration retryAfter) {
        String detail = "fcm " + status + (errorCode.isEmpty() ? googleStatusSuffix() : " " + errorCode);
        switch (errorCode) {
            case "UNREGISTERED":
                return SendResult.targetGone(detail + " (the app was uninstalled or the token expired)");
            case "QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL":
                return SendResult.retry(detail, retryAfter);
            case "INVALID_ARGUMENT", "SENDER_ID_MISMATCH":
                return SendResult.failed(detail);
            case "THIRD_PARTY_AUTH_ERROR":
                return SendResult.failed(detail + " (the APNs certificate or web push key in the Firebase project"
                        + " was refused)");
            default:
                break; // UNSPECIFIED_ERROR, a code newer than this class, or none: go by the HTTP status
        }
        if (status == 429 || status >= 500) {
            return SendResult.retry(detail, retryAfter);
        }
        if (status == 401 || status == 403) {
            return SendResult.failed(detail + " (check that the service account may send for this Firebase project)");
        }
        return SendResult.failed(detail);
    }

    private String googleStatusSuffix() {
        return googleStatus.isEmpty() ? "" : " " + googleStatus;
    }

    /** A provider's code as it is, or nothing when it does not look like one (then it is not ours to show). */
    private static String code(String value) {
        return CODE.matcher(value).matches() ? value : "";
    }
}
