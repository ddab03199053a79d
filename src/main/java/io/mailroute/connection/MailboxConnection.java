package io.mailroute.connection;

import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpTransport;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.UserCredentials;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.NoGrantException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live OAuth grant of one mailbox, behind the Gmail client its camel-google-mail component
 * caches: every request is authorized with whichever grant is current, so a new grant (connect)
 * takes effect on the next call, with no restart and no new client. Each grant is google-auth-library's
 * {@link UserCredentials}, applied by its {@link HttpCredentialsAdapter} (which refreshes once on a 401).
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

    /**
     * Told when the token endpoint hands out an access token with the grant of a given version. A refresh token the
     * endpoint might rotate is not reported: {@link UserCredentials} reads only the access token, its expiry and
     * scopes from the answer (Google does not rotate refresh tokens on a refresh).
     */
    @FunctionalInterface
    public interface RefreshObserver {
        void refreshed(String mailboxId, long version);
    }

    private static final Logger LOG = LoggerFactory.getLogger(MailboxConnection.class);

    /**
     * Google's adapter logs every refused refresh after a 401 at SEVERE, stack trace included, on each poll. The
     * poll records the failure and the mailbox reports it once ({@code connection.broken}); held
     * here so the JUL logger (weakly referenced) keeps its level.
     */
    private static final java.util.logging.Logger GOOGLE_ADAPTER_LOG = quiet(HttpCredentialsAdapter.class.getName());

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.OFF);
        return logger;
    }

    /** The grant in use; its credentials hold the tokens, so it is never logged. */
    private record Current(UserCredentials credentials, HttpCredentialsAdapter adapter, String refreshToken, long version,
            Source source) {
        @Override
        public String toString() {
            return source + " v" + version;
        }
    }

    private final String mailboxId;
    private final OAuthCredentials client;
    private final String tokenUrl;
    private final HttpTransport transport;
    private final RefreshObserver observer;
    private volatile Current current = new Current(null, null, null, 0, Source.NONE);

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
        HttpCredentialsAdapter adapter = current.adapter();
        if (adapter == null) {
            throw new NoGrantException(mailboxId);
        }
        adapter.initialize(request);
    }

    /** Makes {@code refreshToken} the grant in use; {@code version} is the store's (0 for other sources). */
    public void use(String refreshToken, long version, Source source) {
        UserCredentials credentials = GmailClientFactory.credentials(transport, client.clientId(), client.clientSecret(),
                tokenUrl, refreshToken).build();
        // called after each access token the endpoint hands out (under the library's lock; a refusal reaches the
        // caller as the library's exception instead, and the poll records it)
        credentials.addChangeListener(changed -> {
            try {
                observer.refreshed(mailboxId, version);
            } catch (RuntimeException e) {
                LOG.warn("Mailbox {}: its token refresh could not be recorded ({})", mailboxId, e.getClass().getSimpleName());
            }
        });
        current = new Current(credentials, new HttpCredentialsAdapter(credentials), refreshToken, version, source);
    }

    /**
     * Trades the grant for an access token once, which proves it works without touching the mailbox.
     *
     * @throws NoGrantException without a grant; google-auth-library's {@code GoogleAuthException} caused by the
     *     token endpoint's answer when it refuses the grant or answers a server error (see
     *     {@link io.mailroute.gmail.TokenRefusal}), or caused by the network failure when it cannot be reached
     */
    public void refresh() throws IOException {
        UserCredentials credentials = current.credentials();
        if (credentials == null) {
            throw new NoGrantException(mailboxId);
        }
        credentials.refresh();
    }

    /** Forgets the grant: calls fail with {@link NoGrantException} until a new one is used. */
    public void clear() {
        current = new Current(null, null, null, 0, Source.NONE);
    }

    public boolean hasGrant() {
        return current.credentials() != null;
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
