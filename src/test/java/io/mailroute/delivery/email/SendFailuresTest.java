package io.mailroute.delivery.email;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpHeaders;
import com.google.api.client.http.HttpResponseException;
import com.google.api.client.http.javanet.NetHttpTransport;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.NoGrantException;
import io.mailroute.testing.GoogleOAuthStub;
import java.io.IOException;
import java.util.List;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** lastError of a failed email in our words: status, Gmail's reason when it looks like a code, what it means. */
class SendFailuresTest {

    private static final String HOSTILE = "Quota for <b>you</b>\r\nERROR forged line";

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "429 | rateLimitExceeded       | gmail 429 rateLimitExceeded: Gmail asks mailbox support to slow down; tried again after its wait",
        "503 | backendError            | gmail 503 backendError: Gmail could not take it now; tried again later",
        "403 | insufficientPermissions | gmail 403 insufficientPermissions: Gmail refused mailbox support's grant; reconnect it with 'java -jar target/mailroute.jar connect support' (meanwhile the fallback sender sends, if one is configured)",
        "400 | invalidArgument         | gmail 400 invalidArgument: Gmail refused the message as composed; not tried again",
        "400 | <script>                | gmail 400: Gmail refused the message as composed; not tried again",
    })
    void gmailsAnswerIsExplainedWithoutItsWords(int status, String reason, String lastError) {
        RuntimeCamelException error = new RuntimeCamelException("Error invoking send", gmailError(status, reason, HOSTILE));
        GmailFailure failure = GmailFailure.of(error);
        assertEquals(lastError, SendFailures.gmail(error, failure, "support"));
        assertEquals(status + " Quota for <b>you</b> ERROR forged line", SendFailures.gmailSaid(error, failure),
                "the log gets them, on one line");
    }

    @Test
    void aMailboxWithoutAGrantSaysWhatToRun() {
        NoGrantException error = new NoGrantException("support");
        assertEquals(error.getMessage(), SendFailures.gmail(error, GmailFailure.of(error), "support"));
        assertNull(SendFailures.gmailSaid(error, GmailFailure.of(error)), "our own words, nothing from a provider");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "400 | {\"error\":\"invalid_grant\",\"error_description\":\"<b>revoked</b>\"} | gmail 400 invalid_grant: Gmail refused mailbox support's grant; reconnect it with 'java -jar target/mailroute.jar connect support' (meanwhile the fallback sender sends, if one is configured)",
        "400 | {\"error\":\"invalid_grant <script>\"}                              | gmail 400: Gmail refused mailbox support's grant; reconnect it with 'java -jar target/mailroute.jar connect support' (meanwhile the fallback sender sends, if one is configured)",
        "503 | <html>Service Unavailable</html>                                   | gmail 503: Gmail could not take it now; tried again later",
    })
    void aRefreshTheTokenEndpointRefusesIsExplainedWithItsCode(int status, String body, String lastError) throws IOException {
        try (GoogleOAuthStub google = GoogleOAuthStub.start()) {
            google.refuse(status, body);
            IOException refused = assertThrows(IOException.class, () -> GmailClientFactory.credentials(new NetHttpTransport(),
                    "client-1", "secret-1", google.tokenUrl(), "refresh-1").build().refresh());
            RuntimeCamelException error = new RuntimeCamelException("Error invoking send", refused);
            assertEquals(lastError, SendFailures.gmail(error, GmailFailure.of(error), "support"));
        }
    }

    /** Gmail's JSON error as the Google client throws it. */
    static GoogleJsonResponseException gmailError(int status, String reason, String message) {
        GoogleJsonError details = new GoogleJsonError();
        details.setCode(status);
        details.setMessage(message);
        GoogleJsonError.ErrorInfo info = new GoogleJsonError.ErrorInfo();
        info.setReason(reason);
        details.setErrors(List.of(info));
        return new GoogleJsonResponseException(new HttpResponseException.Builder(status, "Status", new HttpHeaders())
                .setMessage(message), details);
    }
}
