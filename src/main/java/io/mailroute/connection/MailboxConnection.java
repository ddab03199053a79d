package io.mailroute.connection;

import com.google.api.client.auth.oauth2.Credential;
import com.google.api.client.auth.oauth2.CredentialRefreshListener;
import com.google.api.client.auth.oauth2.TokenErrorResponse;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpTransport;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.NoGrantException;
import java.io.IOException;

/**
 * The live OAuth grant of one mailbox, behind the Gmail client its camel-google-mail component
 * caches: every request is authorized with whichever grant is current, so a new grant (connect)
 * takes effect on the next call, with no restart and no new client.
 */
public final class MailboxConnection implements HttpRequestInitializer {

    /** Where the grant in use came from. */
    public enum Source {
        /** The encrypted token store (put there by {@code connect}). */
        STORE,
        /** {@code PREFIX_REFRESH_TOKEN} in the environment. */
        ENVIRONMENT,
        /** The built-in sandbox's demo grant. */
        SANDBOX,
        /** None: never connected, or disconnected. */
        NONE
    }

    /** Told when the token endpoint hands out an access token with the grant of a given version. */
    @FunctionalInterface
    public interface RefreshObserver {
        void refreshed(String mailboxId, long version, String newRefreshToken);
    }

    /**
     * Google's client logs every refused refresh at SEVERE, stack trace included, on each poll. The
     * poll records the failure and the mailbox reports it once ({@code connection.broken}); held
     * here so the JUL logger (weakly referenced) keeps its level.
     */
    private static final java.util.logging.Logger GOOGLE_CREDENTIAL_LOG = quiet(Credential.class.getName());

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.OFF);
        return logger;
    }

    private record Current(Credential credential, String refreshToken, long version, Source source) {
    }

    private final String mailboxId;
    private final OAuthCredentials client;
    private final String tokenUrl;
    private final HttpTransport transport;
    private final RefreshObserver observer;
    private volatile Current current = new Current(null, null, 0, Source.NONE);

    public MailboxConnection(String mailboxId, OAuthCredentials client, String tokenUrl, HttpTransport transport,
            RefreshObserver observer) {
        this.mailboxId = mailboxId;
        this.client = client;
        this.tokenUrl = tokenUrl;
        this.transport = transport;
        this.observer = observer;
    }

    @Override
    public void initialize(HttpRequest request) throws IOException {
        Credential credential = current.credential();
        if (credential == null) {
            throw new NoGrantException(mailboxId);
        }
        credential.initialize(request);
    }

    /** Makes {@code refreshToken} the grant in use; {@code version} is the store's (0 for other sources). */
    public void use(String refreshToken, long version, Source source) {
        long grantVersion = version;
        Credential credential = GmailClientFactory.credential(transport, client.clientId(), client.clientSecret(), tokenUrl)
                .addRefreshListener(new CredentialRefreshListener() {
                    @Override
                    public void onTokenResponse(Credential c, TokenResponse response) {
                        String rotated = response.getRefreshToken();
                        observer.refreshed(mailboxId, grantVersion,
                                rotated != null && !rotated.equals(refreshToken) ? rotated : null);
                    }

                    @Override
                    public void onTokenErrorResponse(Credential c, TokenErrorResponse response) {
                        // the failure reaches the caller as a TokenResponseException: the poll records it
                    }
                })
                .build()
                .setRefreshToken(refreshToken);
        current = new Current(credential, refreshToken, version, source);
    }

    /**
     * Trades the grant for an access token once, which proves it works without touching the mailbox.
     *
     * @throws NoGrantException without a grant; Google's {@code TokenResponseException} when it refuses the grant;
     *     an {@link IOException} when the token endpoint cannot be reached or answers a server error
     */
    public void refresh() throws IOException {
        Credential credential = current.credential();
        if (credential == null) {
            throw new NoGrantException(mailboxId);
        }
        if (!credential.refreshToken()) {
            throw new IOException("the token endpoint " + tokenUrl + " gave no access token (a server error)");
        }
    }

    /** Forgets the grant: calls fail with {@link NoGrantException} until a new one is used. */
    public void clear() {
        current = new Current(null, null, 0, Source.NONE);
    }

    public boolean hasGrant() {
        return current.credential() != null;
    }

    public long version() {
        return current.version();
    }

    public Source source() {
        return current.source();
    }

    public String mailboxId() {
        return mailboxId;
    }

    public OAuthCredentials client() {
        return client;
    }

    /** The refresh token in use, for revoking it; never logged. */
    String refreshToken() {
        return current.refreshToken();
    }

    @Override
    public String toString() {
        return "MailboxConnection[" + mailboxId + ", " + current.source() + " v" + current.version() + "]";
    }
}
