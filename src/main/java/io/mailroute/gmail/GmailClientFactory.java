package io.mailroute.gmail;

import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.gmail.Gmail;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.UserCredentials;
import java.net.URI;
import java.util.Collection;
import java.util.function.IntFunction;
import org.apache.camel.CamelContext;
import org.apache.camel.component.google.mail.GoogleMailClientFactory;

/**
 * Builds the unmodified Google Gmail client for one mailbox, pointed at that mailbox's API root
 * and OAuth token URL: Google's in production, the sandbox's in the demo and in tests.
 * camel-google-mail has no option for either URL, hence this factory (component option
 * {@code clientFactory}).
 */
public final class GmailClientFactory implements GoogleMailClientFactory {

    private static final JsonFactory JSON = GsonFactory.getDefaultInstance();

    private final String rootUrl;
    private final String tokenUrl;
    private final NetHttpTransport transport = new NetHttpTransport();
    private final int timeoutMillis;
    private final HttpRequestInitializer authorizer;
    private IntFunction<QuotaPacer.Spend> quota;

    /** A client whose credential comes from the component's configuration (fixed for the client's life). */
    public GmailClientFactory(String rootUrl, String tokenUrl, int timeoutMillis) {
        this(rootUrl, tokenUrl, timeoutMillis, null);
    }

    /**
     * A client that asks {@code authorizer} to authorize each request, so the grant behind it can
     * change while camel-google-mail keeps its cached client (a re-connected mailbox needs no restart).
     */
    public GmailClientFactory(String rootUrl, int timeoutMillis, HttpRequestInitializer authorizer) {
        this(rootUrl, null, timeoutMillis, authorizer);
    }

    private GmailClientFactory(String rootUrl, String tokenUrl, int timeoutMillis, HttpRequestInitializer authorizer) {
        this.rootUrl = rootUrl;
        this.tokenUrl = tokenUrl;
        this.timeoutMillis = timeoutMillis;
        this.authorizer = authorizer;
    }

    /**
     * Every request of the clients made from here on waits for its units of this quota ({@link PacedRequests}):
     * whatever calls Gmail through the mailbox's client is paced, without pacing of its own.
     */
    public GmailClientFactory pacedBy(IntFunction<QuotaPacer.Spend> mailboxQuota) {
        this.quota = mailboxQuota;
        return this;
    }

    @Override
    public Gmail makeClient(String clientId, String clientSecret, Collection<String> scopes, String applicationName,
            String refreshToken, String accessToken) {
        if (isBlank(clientId) || isBlank(clientSecret)) {
            throw new IllegalArgumentException("clientId and clientSecret are required to create a Gmail client");
        }
        HttpRequestInitializer authorize = authorizer != null ? authorizer : fixedCredential(clientId, clientSecret,
                refreshToken, accessToken);
        IntFunction<QuotaPacer.Spend> paced = quota;
        HttpRequestInitializer initializer = request -> {
            authorize.initialize(request);
            request.setConnectTimeout(timeoutMillis);
            request.setReadTimeout(timeoutMillis);
            if (paced != null) {
                PacedRequests.pace(request, paced);
            }
        };
        return new Gmail.Builder(transport, JSON, initializer)
                .setRootUrl(rootUrl)
                .setApplicationName(applicationName == null ? "mailroute" : applicationName)
                .build();
    }

    private HttpRequestInitializer fixedCredential(String clientId, String clientSecret, String refreshToken,
            String accessToken) {
        if (isBlank(refreshToken)) {
            throw new IllegalArgumentException("a refresh token is required to create a Gmail client (connect the mailbox)");
        }
        UserCredentials.Builder credentials = credentials(transport, clientId, clientSecret, tokenUrl, refreshToken);
        if (!isBlank(accessToken)) {
            credentials.setAccessToken(new AccessToken(accessToken, null)); // used until Gmail answers 401, then refreshed
        }
        return new HttpCredentialsAdapter(credentials.build());
    }

    /**
     * An OAuth client's grant against a token URL, the one way Mailroute builds it: google-auth-library's
     * {@link UserCredentials} (refreshes before expiry, one refresh at a time), over {@code transport}; apply it to
     * requests with an {@link HttpCredentialsAdapter}. A refused refresh throws the library's {@code
     * GoogleAuthException} caused by the token endpoint's answer ({@link TokenRefusal} reads it). The built
     * credentials' {@code toString} shows the tokens: never log them.
     */
    public static UserCredentials.Builder credentials(HttpTransport transport, String clientId, String clientSecret,
            String tokenUrl, String refreshToken) {
        return UserCredentials.newBuilder()
                .setClientId(clientId)
                .setClientSecret(clientSecret)
                .setRefreshToken(refreshToken)
                .setTokenServerUri(URI.create(tokenUrl))
                .setHttpTransportFactory(() -> transport);
    }

    @Override
    public Gmail makeClient(CamelContext camelContext, String serviceAccountKey, Collection<String> scopes,
            String applicationName, String delegate) {
        throw new UnsupportedOperationException("Mailroute mailboxes use OAuth refresh tokens, not service-account keys");
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
