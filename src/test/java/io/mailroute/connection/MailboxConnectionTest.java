package io.mailroute.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.gmail.Gmail;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.NoGrantException;
import io.mailroute.testing.GoogleOAuthStub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A mailbox's live grant through google-auth-library's UserCredentials, against a token endpoint and Gmail on
 * 127.0.0.1: a new grant is used on the next call, each refresh is reported, and a refused or failed refresh is
 * classified as the poll and the send-only check need it.
 */
class MailboxConnectionTest {

    private static final String INVALID_GRANT =
            "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}";

    private final List<String> refreshes = new CopyOnWriteArrayList<>();
    private GoogleOAuthStub google;
    private MailboxConnection connection;
    private Gmail gmail;

    @BeforeEach
    void start() throws IOException {
        google = GoogleOAuthStub.start();
        connection = connection(google.tokenUrl());
        gmail = new GmailClientFactory(google.root(), 5_000, connection)
                .makeClient("client-1", "secret-1", List.of(), "mailroute-test", null, null);
    }

    @AfterEach
    void stop() {
        google.close();
    }

    private MailboxConnection connection(String tokenUrl) {
        return new MailboxConnection("hr", new OAuthCredentials("client-1", "secret-1", null), tokenUrl,
                new NetHttpTransport(), (mailboxId, version) -> refreshes.add(mailboxId + " v" + version));
    }

    private String profile() throws IOException {
        return gmail.users().getProfile("me").execute().getEmailAddress();
    }

    @Test
    void aNewGrantIsUsedOnTheNextCallByTheSameClientAndEachRefreshIsReported() throws IOException {
        connection.use("refresh-1", 1, MailboxConnection.Source.STORE);
        assertEquals("hr@acme.example", profile());
        assertEquals("hr@acme.example", profile());
        assertEquals(List.of("refresh-1"), google.refreshTokensSeen(), "one refresh, then the cached access token");
        assertEquals(List.of("hr v1"), refreshes);

        connection.use("refresh-2", 2, MailboxConnection.Source.STORE);
        assertEquals("hr@acme.example", profile());
        assertEquals(List.of("refresh-1", "refresh-2"), google.refreshTokensSeen());
        assertEquals(List.of("access-for-refresh-1", "access-for-refresh-1", "access-for-refresh-2"), google.bearersSeen());
        assertEquals(List.of("hr v1", "hr v2"), refreshes);
        assertEquals(2, connection.version());

        connection.refresh();
        assertEquals(List.of("refresh-1", "refresh-2", "refresh-2"), google.refreshTokensSeen(), "refresh asks every time");
        assertEquals(List.of("hr v1", "hr v2", "hr v2"), refreshes);

        connection.clear();
        assertFalse(connection.hasGrant());
        NoGrantException none = assertThrows(NoGrantException.class, this::profile);
        assertEquals(GmailFailure.Kind.NOT_CONNECTED, GmailFailure.of(none).kind());
        assertEquals(3, google.bearersSeen().size(), "without a grant nothing is sent");
    }

    /** Google answers a wrong client secret 401 invalid_client; the JDK transport drops 401 bodies of POSTs. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "400 | " + INVALID_GRANT + "                      | NOT_CONNECTED | OAuth token refresh failed: invalid_grant",
        "400 | {\"error\":\"invalid_client\"}             | NOT_CONNECTED | OAuth token refresh failed: invalid_client",
        "401 | {\"error\":\"invalid_client\"}             | NOT_CONNECTED | OAuth token refresh failed: Unauthorized",
        "503 | <html>Service Unavailable</html>          | TRANSIENT     | OAuth token refresh failed: Service Unavailable",
        "500 | {\"error\":\"internal_failure\"}           | TRANSIENT     | OAuth token refresh failed: internal_failure",
    })
    void aRefreshTheTokenEndpointRefusesIsClassifiedForThePollAndTheSendOnlyCheck(int status, String body,
            GmailFailure.Kind kind, String message) {
        connection.use("refresh-1", 1, MailboxConnection.Source.STORE);
        google.refuse(status, body);

        IOException poll = assertThrows(IOException.class, this::profile);
        IOException check = assertThrows(IOException.class, connection::refresh);
        for (IOException refused : List.of(poll, check)) {
            GmailFailure failure = GmailFailure.of(new RuntimeException("camel wraps it", refused));
            assertEquals(kind, failure.kind());
            assertEquals(status, failure.status());
            assertEquals(message, failure.message());
            assertSecretFree(refused);
        }
        assertEquals(List.of(), google.bearersSeen(), "Gmail was not asked without an access token");
        assertEquals(List.of(), refreshes, "a refused refresh is not reported as one");
    }

    @Test
    void aTokenEndpointNobodyAnswersIsNetworkTrouble() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        MailboxConnection unreachable = connection("http://127.0.0.1:" + closedPort + "/token");
        unreachable.use("refresh-1", 1, MailboxConnection.Source.STORE);

        IOException e = assertThrows(IOException.class, unreachable::refresh);
        GmailFailure failure = GmailFailure.of(e);
        assertEquals(GmailFailure.Kind.TRANSIENT, failure.kind());
        assertEquals(0, failure.status());
        assertTrue(failure.message().startsWith("ConnectException"), failure.message());
    }

    @Test
    void aGrantRevokedWhileItsAccessTokenIsCachedFailsQuietlyAsNotConnected() throws IOException {
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger googleAuth = Logger.getLogger("com.google.auth");
        googleAuth.addHandler(capture);
        try {
            connection.use("refresh-1", 1, MailboxConnection.Source.STORE);
            assertEquals("hr@acme.example", profile());
            google.rejectIssuedAccessTokens();
            google.refuse(400, INVALID_GRANT);

            IOException refused = assertThrows(IOException.class, this::profile);
            GmailFailure failure = GmailFailure.of(refused);
            assertEquals(GmailFailure.Kind.NOT_CONNECTED, failure.kind());
            assertEquals(401, failure.status(), "Gmail's 401 after the adapter's refresh was refused");
            assertEquals(List.of("refresh-1", "refresh-1"), google.refreshTokensSeen(), "one refresh tried on the 401");
            assertEquals(List.of(), logged, "Google's adapter logs a refused refresh at SEVERE with a stack trace");
        } finally {
            googleAuth.removeHandler(capture);
        }
    }

    private static void assertSecretFree(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("refresh-1"), t.toString());
            assertFalse(String.valueOf(t.getMessage()).contains("secret-1"), t.toString());
        }
    }
}
