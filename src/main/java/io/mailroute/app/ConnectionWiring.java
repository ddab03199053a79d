package io.mailroute.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpTransport;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.MailboxSettings;
import io.mailroute.connection.Connections;
import io.mailroute.connection.CredentialsResolver;
import io.mailroute.connection.MailboxConnection;
import io.mailroute.connection.OAuthCredentials;
import io.mailroute.connection.OAuthEndpoints;
import io.mailroute.connection.TokenStore;
import io.mailroute.db.Database;
import io.mailroute.gmail.GmailClientFactory;
import io.mailroute.gmail.MailboxQuotas;
import io.mailroute.gmail.MailboxStates;
import io.mailroute.secrets.Secrets;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the connection side of every mailbox, the same way for the service and for the
 * {@code connect}, {@code disconnect} and {@code status} commands when no service runs: OAuth
 * client and endpoints, the live grant, the encrypted token store and the lifecycle around them.
 */
final class ConnectionWiring {

    static final String KEY_FILE = "mailroute.tokens.key-file";
    static final String DEFAULT_KEY_FILE = "~/.config/mailroute/token.key";

    final Map<String, MailboxConnection> connections = new LinkedHashMap<>();
    final Map<String, OAuthEndpoints> endpoints = new LinkedHashMap<>();
    final Map<String, OAuthCredentials> initialCredentials = new LinkedHashMap<>();
    /** The token key's lazily loaded cipher, shared with the push target store. */
    final Secrets secrets;
    final TokenStore tokens;
    final Connections lifecycle;
    private final Map<String, MailboxSettings> mailboxes = new LinkedHashMap<>();
    private final HttpTransport transport;

    /**
     * @param sandboxRoot the sandbox's root URL when some mailbox uses it, else null
     */
    ConnectionWiring(Settings settings, List<MailboxSettings> mailboxes, CredentialsResolver credentials, String sandboxRoot,
            Database db, MailboxStates states, MailboxQuotas quotas, AuditTrail audit, ObjectMapper json, HttpTransport transport,
            Clock clock) {
        java.nio.file.Path keyFile = settings.path(KEY_FILE, DEFAULT_KEY_FILE, false);
        secrets = SecretsWiring.secrets(System::getenv, keyFile, db);
        tokens = new TokenStore(db, secrets);
        Map<String, MailboxSettings> byId = new LinkedHashMap<>();
        this.transport = transport;
        for (MailboxSettings mailbox : mailboxes) {
            byId.put(mailbox.id(), mailbox);
            this.mailboxes.put(mailbox.id(), mailbox);
            OAuthCredentials resolved = credentials.resolve(mailbox);
            initialCredentials.put(mailbox.id(), resolved);
            OAuthEndpoints urls = new OAuthEndpoints(
                    url(mailbox.authUrl(), sandboxRoot, MailboxSettings.AUTH_PATH, mailbox),
                    url(mailbox.tokenUrl(), sandboxRoot, MailboxSettings.TOKEN_PATH, mailbox),
                    url(mailbox.revokeUrl(), sandboxRoot, MailboxSettings.REVOKE_PATH, mailbox));
            endpoints.put(mailbox.id(), urls);
            connections.put(mailbox.id(), new MailboxConnection(mailbox.id(), resolved, urls.token(), transport,
                    (id, version) -> {
                        if (version > 0) {
                            tokens.refreshed(id, version, clock.instant());
                        }
                    }));
        }
        lifecycle = new Connections(byId, connections, endpoints, tokens, states, db, audit, json,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), clock,
                (mailbox, clientId, clientSecret, refreshToken) -> new GmailClientFactory(gmailRoot(mailbox, sandboxRoot),
                        endpoints.get(mailbox.id()).token(), 30_000).pacedBy(quotas.of(mailbox.id()))
                        .makeClient(clientId, clientSecret, List.of(), "mailroute", refreshToken, null)
                        .users().getProfile("me").execute().getEmailAddress());
    }

    /**
     * The authorization-code flow for a mailbox as the console runs it in a browser: its OAuth client and endpoints,
     * the scope its role needs and its address as the login hint.
     *
     * @throws Connections.ConnectionException for a mailbox nobody configured
     */
    io.mailroute.connection.ConnectFlow connectFlow(String mailboxId) {
        MailboxSettings mailbox = mailboxes.get(mailboxId);
        if (mailbox == null) {
            lifecycle.connection(mailboxId); // throws, naming the configured mailboxes
        }
        return new io.mailroute.connection.ConnectFlow(endpoints.get(mailboxId), connections.get(mailboxId).client(),
                mailbox.role().scope(), mailbox.address(), transport, Duration.ofMinutes(10));
    }

    /** Each mailbox starts with its stored grant, else its environment or sandbox one; send-only ones have theirs tried. */
    void start() {
        lifecycle.start(m -> initialCredentials.get(m.id()).refreshToken(), this::configuredSource);
        lifecycle.checkSendOnlyGrants();
    }

    /** Where a mailbox's grant comes from when the store has none: its credentials reference, if that gives a token. */
    MailboxConnection.Source configuredSource(MailboxSettings mailbox) {
        return initialCredentials.get(mailbox.id()).refreshToken() == null ? MailboxConnection.Source.NONE
                : mailbox.credentials().isSandbox() ? MailboxConnection.Source.SANDBOX : MailboxConnection.Source.ENVIRONMENT;
    }

    /** The Gmail API root of a mailbox: the sandbox's, or what mailboxes.yaml says. */
    static String gmailRoot(MailboxSettings mailbox, String sandboxRoot) {
        return mailbox.usesSandbox() ? url(MailboxSettings.SANDBOX, sandboxRoot, "", mailbox) : mailbox.gmailRootUrl();
    }

    static String url(String configured, String sandboxRoot, String path, MailboxSettings mailbox) {
        if (!MailboxSettings.SANDBOX.equals(configured)) {
            return configured;
        }
        if (sandboxRoot == null) {
            throw new IllegalStateException("Mailbox '" + mailbox.id() + "' uses gmail: sandbox, but no sandbox runs: "
                    + "set mailroute.sandbox.enabled=true or mailroute.sandbox.url");
        }
        return sandboxRoot + path;
    }
}
