package io.mailroute.gmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GmailFailureTest {

    @Test
    void aRateLimitWithRetryAfterWaitsWhatItSaysOtherFailuresBackOffWithRetryAfterAsAFloor() {
        io.mailroute.retry.Backoff middle = new io.mailroute.retry.Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), () -> 0.5);
        assertEquals(Duration.ofMillis(1100), new GmailFailure(GmailFailure.Kind.RATE_LIMITED, 429, Duration.ofSeconds(1), "429")
                .waitAfter(9, middle), "Retry-After plus a tenth (jitter 0.5 of a fifth), not 2^8 s after nine in a row");
        assertEquals(Duration.ofSeconds(8), new GmailFailure(GmailFailure.Kind.RATE_LIMITED, 403, null, "403").waitAfter(4, middle));
        assertEquals(Duration.ofSeconds(30), new GmailFailure(GmailFailure.Kind.TRANSIENT, 503, Duration.ofSeconds(30), "503")
                .waitAfter(1, middle), "a 5xx's Retry-After is a floor, not a rate limit's wait");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "429, rateLimitExceeded,     RATE_LIMITED",
        "403, userRateLimitExceeded, RATE_LIMITED",
        "403, rateLimitExceeded,     RATE_LIMITED",
        "403, insufficientPermissions, NOT_CONNECTED",
        "401, authError,             NOT_CONNECTED",
        "500, backendError,          TRANSIENT",
        "503, backendError,          TRANSIENT",
        "404, notFound,              NOT_FOUND",
        "400, invalidArgument,       OTHER",
    })
    void classifiesGmailErrorsEvenWhenCamelWrapsThem(int status, String reason, GmailFailure.Kind kind) {
        Exception wrapped = new RuntimeCamelException("Error invoking get", gmailError(status, reason, null));
        GmailFailure failure = GmailFailure.of(wrapped);
        assertEquals(kind, failure.kind());
        assertEquals(status, failure.status());
        assertEquals(kind == GmailFailure.Kind.RATE_LIMITED || kind == GmailFailure.Kind.TRANSIENT, failure.isRetryable());
    }

    @Test
    void readsRetryAfterSeconds() {
        GmailFailure failure = GmailFailure.of(gmailError(429, "rateLimitExceeded", "7"));
        assertEquals(Duration.ofSeconds(7), failure.retryAfter());
        assertNull(GmailFailure.retryAfter("Wed, 21 Oct 2026 07:28:00 GMT"));
        assertNull(GmailFailure.retryAfter("-3"));
    }

    @Test
    void networkTroubleIsTransientAndABugIsNot() {
        assertEquals(GmailFailure.Kind.TRANSIENT, GmailFailure.of(new RuntimeException(new SocketTimeoutException("read timed out"))).kind());
        GmailFailure bug = GmailFailure.of(new NullPointerException("oops"));
        assertEquals(GmailFailure.Kind.OTHER, bug.kind());
        assertFalse(bug.isRetryable());
        assertTrue(bug.message().contains("NullPointerException"));
    }

    static GoogleJsonResponseException gmailError(int status, String reason, String retryAfter) {
        GoogleJsonError details = new GoogleJsonError();
        details.setCode(status);
        details.setMessage("message for " + reason);
        GoogleJsonError.ErrorInfo info = new GoogleJsonError.ErrorInfo();
        info.setReason(reason);
        info.setDomain("global");
        details.setErrors(List.of(info));
        HttpHeaders headers = new HttpHeaders();
        if (retryAfter != null) {
            headers.setRetryAfter(retryAfter);
        }
        return new GoogleJsonResponseException(new HttpResponseException.Builder(status, "status " + status, headers), details);
    }
}
