package io.mailroute.connection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.audit.AuditTrail;
import io.mailroute.config.ConfigException;
import io.mailroute.config.MailboxSettings;
import io.mailroute.db.Database;
import io.mailroute.gmail.GmailFailure;
import io.mailroute.gmail.MailboxState;
import io.mailroute.gmail.MailboxStates;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection lifecycle of every mailbox: which OAuth grant each uses, connecting a new one,
 * disconnecting (revoke, delete, REVOKED), pausing and resuming. States and their events live in
 * {@link MailboxStates}; grants at rest in {@link TokenStore}; the grant in use in each mailbox's
 * {@link MailboxConnection}.
 */
public final class Connections {

    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

    /** A mailbox id nobody configured, or a grant that cannot be used: the caller's mistake, said plainly. */
    public static final class ConnectionException extends RuntimeException {
        public ConnectionException(String message) {
            super(message);
        }
    }

    /**
     * The address of the Gmail account a refresh token belongs to (Gmail's users.getProfile): for a
     * monitored mailbox, a grant must be the mailbox's own.
     */
    @FunctionalInterface
    public interface AccountLookup {
        String address(MailboxSettings mailbox, String clientId, String clientSecret, String refreshToken) throws java.io.IOException;
    }

    /** Told of operator actions on a mailbox (Gmail push stops and makes its watch); each call in the acting thread. */
    public interface Lifecycle {
        default void paused(String mailboxId) {
        }

        default void resumed(String mailboxId) {
        }

        /** Before the grant is revoked: the last moment it can still be used. */
        default void disconnecting(String mailboxId) {
        }

        default void connected(String mailboxId) {
        }
    }

    private final Map<String, MailboxSettings> mailboxes;
    private volatile Lifecycle lifecycle = new Lifecycle() {
    };
    private final Map<String, MailboxConnection> connections;
    private final Map<String, OAuthEndpoints> endpoints;
    private final TokenStore tokens;
    private final MailboxStates states;
    private final Database db;
    private final AuditTrail audit;
    private final ObjectMapper json;
    private final HttpClient http;
    private final Clock clock;
    private final AccountLookup accounts;

    public Connections(Map<String, MailboxSettings> mailboxes, Map<String, MailboxConnection> connections,
            Map<String, OAuthEndpoints> endpoints, TokenStore tokens, MailboxStates states, Database db, AuditTrail audit,
            ObjectMapper json, HttpClient http, Clock clock, AccountLookup accounts) {
        this.accounts = accounts;
        this.mailboxes = mailboxes;
        this.connections = connections;
        this.endpoints = endpoints;
        this.tokens = tokens;
        this.states = states;
        this.db = db;
        this.audit = audit;
        this.json = json;
        this.http = http;
        this.clock = clock;
    }

    /** Who is told of pauses, resumes, disconnects and connects (one listener). */
    public Connections notifying(Lifecycle listener) {
        this.lifecycle = listener;
        return this;
    }

    /**
     * At start: each mailbox uses its stored grant, else the one its {@code credentials:} give
     * (environment or sandbox), else none (NOT_CONNECTED). A stored grant that cannot be decrypted
     * stops the start with a {@link ConfigException} saying which key and what to do.
     *
     * @param initialToken the refresh token from the environment or the sandbox, or null
     */
    public void start(Function<MailboxSettings, String> initialToken, Function<MailboxSettings, MailboxConnection.Source> initialSource) {
        for (MailboxSettings mailbox : mailboxes.values()) {
            MailboxConnection connection = connections.get(mailbox.id());
            MailboxState state = states.state(mailbox.id());
            Optional<TokenStore.Grant> stored = tokens.find(mailbox.id());
            if (stored.isPresent()) {
                use(connection, stored.get());
            } else if (state != MailboxState.REVOKED && initialToken.apply(mailbox) != null) {
                connection.use(initialToken.apply(mailbox), 0, initialSource.apply(mailbox));
            }
            if (!connection.hasGrant() && state != MailboxState.REVOKED && state != MailboxState.PAUSED) {
                states.failed(mailbox.id(), new GmailFailure(GmailFailure.Kind.NOT_CONNECTED, 0, null,
                        "no OAuth grant: run 'java -jar target/mailroute.jar connect " + mailbox.id() + "'"));
            }
            LOG.info("Mailbox {}: OAuth grant from {}{}", mailbox.id(), describe(connection.source()),
                    state.isDisconnected() ? ", state " + state : "");
        }
    }

    /**
     * A send-only mailbox is never polled, so at start its grant is tried with one token refresh: ACTIVE when it
     * works, NOT_CONNECTED (its owners told once, {@code connection.broken}) when Google refuses it. When the token
     * endpoint cannot be reached its state stays as it is until it sends.
     */
    public void checkSendOnlyGrants() {
        for (MailboxSettings mailbox : mailboxes.values()) {
            if (mailbox.isMonitored() || !connections.get(mailbox.id()).hasGrant()
                    || Set.of(MailboxState.REVOKED, MailboxState.PAUSED).contains(states.state(mailbox.id()))) {
                continue;
            }
            try {
                connections.get(mailbox.id()).refresh();
                states.grantWorks(mailbox.id());
                LOG.info("Mailbox {} ({}, send-only): its OAuth grant works (token refreshed)", mailbox.id(), mailbox.address());
            } catch (java.io.IOException | RuntimeException e) {
                GmailFailure failure = GmailFailure.of(e);
                if (failure.kind() == GmailFailure.Kind.NOT_CONNECTED) {
                    states.failed(mailbox.id(), failure);
                    LOG.warn("Mailbox {} ({}, send-only): Google refused its OAuth grant ({}); reconnect it with "
                            + "'java -jar target/mailroute.jar connect {}'", mailbox.id(), mailbox.address(), failure.message(),
                            mailbox.id());
                } else {
                    LOG.warn("Mailbox {} ({}, send-only): its OAuth grant could not be checked ({}); its state shows with its "
                            + "first send", mailbox.id(), mailbox.address(), failure.message());
                }
            }
        }
    }

    /**
     * Before each poll: false while the mailbox is REVOKED, PAUSED or has no grant. Picks up a grant
     * another process stored (a {@code connect} against the shared database) and polls it at once.
     */
    public boolean mayPoll(String mailboxId) {
        MailboxState state = states.state(mailboxId);
        if (state == MailboxState.REVOKED || state == MailboxState.PAUSED) {
            return false;
        }
        MailboxConnection connection = connection(mailboxId);
        long stored = tokens.version(mailboxId);
        if (stored > 0 && stored != connection.version()) {
            tokens.find(mailboxId).ifPresent(grant -> use(connection, grant));
            LOG.info("Mailbox {}: a new OAuth grant (version {}) was stored; polling with it now", mailboxId, stored);
            states.pollNow(mailboxId);
        } else if (stored == 0 && connection.source() == MailboxConnection.Source.STORE) {
            connection.clear(); // disconnected by another process
        }
        return connection.hasGrant();
    }

    /** Whether mail can be sent from this mailbox now (else it goes from the fallback sender). */
    public boolean maySend(String mailboxId) {
        MailboxConnection connection = connections.get(mailboxId);
        return connection != null && connection.hasGrant() && !states.state(mailboxId).isDisconnected();
    }

    /**
     * Stores a new grant and uses it at once: the mailbox is ACTIVE again and intake resumes from its
     * kept cursor. The grant must carry the scope the mailbox's role needs, and for a monitored
     * mailbox belong to the mailbox's own account: another account's grant is revoked, not stored.
     */
    public void connect(String mailboxId, String refreshToken, String grantedScopes) {
        connect(mailboxId, refreshToken, grantedScopes, null);
    }

    /** As {@link #connect(String, String, String)}, recording who connected it ({@code by}, e.g. a console user) in the audit trail. */
    public void connect(String mailboxId, String refreshToken, String grantedScopes, String by) {
        MailboxSettings mailbox = mailbox(mailboxId);
        if (refreshToken == null || refreshToken.isBlank()) {
            throw new ConnectionException("no refresh token given for mailbox " + mailboxId);
        }
        Set<String> scopes = scopes(grantedScopes);
        if (!scopes.isEmpty() && !scopes.contains(mailbox.role().scope()) && !scopes.contains("https://mail.google.com/")) {
            throw new ConnectionException("the grant for mailbox " + mailboxId + " has scopes " + scopes + " but its role "
                    + mailbox.role().configName() + " needs " + mailbox.role().scope()
                    + ": connect again and allow it on the consent screen");
        }
        MailboxConnection connection = connection(mailboxId);
        checkAccount(mailbox, connection, refreshToken);
        long version = tokens.save(mailboxId, connection.client().clientId(), refreshToken, String.join(" ", scopes),
                clock.instant());
        // The grant is in use before the state says so: a poll that starts after that instant has the new grant,
        // and a failure of one that started before is the old grant's (MailboxStates ignores it).
        connection.use(refreshToken, version, MailboxConnection.Source.STORE);
        db.transactions().executeWithoutResult(tx -> {
            states.connected(mailboxId);
            audit.record("connection.connected", mailboxId, "mailbox:" + mailboxId, by(by)
                    .put("scopes", String.join(" ", scopes)).put("version", version));
        });
        LOG.info("Mailbox {} ({}): connected with a new OAuth grant (version {}, scopes {})", mailboxId, mailbox.address(),
                version, scopes.isEmpty() ? "not reported" : String.join(" ", scopes));
        lifecycle.connected(mailboxId);
    }

    /**
     * A person may sign in with another account than the mailbox's; a send-only grant (gmail.send)
     * cannot read the address, and Gmail sends as whoever signed in.
     */
    private void checkAccount(MailboxSettings mailbox, MailboxConnection connection, String refreshToken) {
        if (!mailbox.isMonitored()) {
            return;
        }
        String address;
        try {
            address = accounts.address(mailbox, connection.client().clientId(), connection.client().clientSecret(), refreshToken);
        } catch (java.io.IOException | RuntimeException e) {
            throw new ConnectionException("cannot tell which account the grant for mailbox " + mailbox.id() + " belongs to ("
                    + e.getMessage() + "); nothing was stored: try again");
        }
        if (address == null || !address.equalsIgnoreCase(mailbox.address())) {
            OAuthEndpoints.Revocation revocation = endpoints.get(mailbox.id()).revoke(http, refreshToken);
            LOG.warn("Mailbox {} ({}): refused a grant of another account, {} (revocation {})", mailbox.id(), mailbox.address(),
                    address, revocation);
            throw new ConnectionException("the grant belongs to " + address + ", but mailbox " + mailbox.id() + " is "
                    + mailbox.address() + ": the grant was revoked and nothing was stored (sign in as " + mailbox.address() + ")");
        }
    }

    /**
     * Revokes the grant at the provider, deletes it here and marks the mailbox REVOKED. Mail that was
     * to go from it goes from the fallback sender. The cursor is kept for a later connect.
     */
    public OAuthEndpoints.Revocation disconnect(String mailboxId) {
        return disconnect(mailboxId, null);
    }

    /** As {@link #disconnect(String)}, recording who disconnected it in the audit trail. */
    public OAuthEndpoints.Revocation disconnect(String mailboxId, String by) {
        MailboxSettings mailbox = mailbox(mailboxId);
        MailboxConnection connection = connection(mailboxId);
        String refreshToken = tokens.find(mailboxId).map(TokenStore.Grant::refreshToken).orElse(connection.refreshToken());
        lifecycle.disconnecting(mailboxId);
        OAuthEndpoints.Revocation revocation = refreshToken == null ? OAuthEndpoints.Revocation.ALREADY_INVALID
                : endpoints.get(mailboxId).revoke(http, refreshToken);
        db.transactions().executeWithoutResult(tx -> {
            tokens.delete(mailboxId);
            states.revoked(mailboxId);
            audit.record("connection.revoked", mailboxId, "mailbox:" + mailboxId,
                    by(by).put("revocation", revocation.name()));
        });
        connection.clear();
        if (revocation == OAuthEndpoints.Revocation.UNREACHABLE) {
            LOG.warn("Mailbox {} ({}): disconnected here, but the revoke endpoint {} could not be reached; revoke the "
                    + "access in the Google account (https://myaccount.google.com/permissions)", mailboxId, mailbox.address(),
                    endpoints.get(mailboxId).revoke());
        } else {
            LOG.info("Mailbox {} ({}): disconnected (grant {})", mailboxId, mailbox.address(),
                    revocation == OAuthEndpoints.Revocation.REVOKED ? "revoked" : "was already invalid");
        }
        return revocation;
    }

    public void pause(String mailboxId) {
        pause(mailboxId, null);
    }

    public void resume(String mailboxId) {
        resume(mailboxId, null);
    }

    /** Pauses it, recording who did ({@code by}, or null) in the audit trail. */
    public void pause(String mailboxId, String by) {
        operatorAction(mailboxId, "mailbox.paused", states::paused, by);
        lifecycle.paused(mailboxId);
    }

    /** Resumes it, recording who did ({@code by}, or null) in the audit trail. */
    public void resume(String mailboxId, String by) {
        operatorAction(mailboxId, "mailbox.resumed", states::resumed, by);
        lifecycle.resumed(mailboxId);
    }

    private void operatorAction(String mailboxId, String action, java.util.function.Consumer<String> transition, String by) {
        mailbox(mailboxId);
        db.transactions().executeWithoutResult(tx -> {
            transition.accept(mailboxId);
            audit.record(action, mailboxId, "mailbox:" + mailboxId, by(by));
        });
        LOG.info("Mailbox {}: {}", mailboxId, action.substring(action.indexOf('.') + 1));
    }

    /** The audit details of an action, with who took it when known. */
    private com.fasterxml.jackson.databind.node.ObjectNode by(String by) {
        com.fasterxml.jackson.databind.node.ObjectNode details = json.createObjectNode();
        return by == null ? details : details.put("by", by);
    }

    public MailboxConnection connection(String mailboxId) {
        MailboxConnection connection = connections.get(mailboxId);
        if (connection == null) {
            throw new ConnectionException("no mailbox '" + mailboxId + "' is configured (config/mailboxes.yaml has "
                    + String.join(", ", mailboxes.keySet()) + ")");
        }
        return connection;
    }

    /** Where each mailbox's grant comes from, for the API and {@code status}. */
    public Map<String, MailboxConnection.Source> sources() {
        Map<String, MailboxConnection.Source> sources = new LinkedHashMap<>();
        connections.forEach((id, c) -> sources.put(id, c.source()));
        return sources;
    }

    private void use(MailboxConnection connection, TokenStore.Grant grant) {
        if (!grant.clientId().equals(connection.client().clientId())) {
            LOG.warn("Mailbox {}: its stored grant belongs to OAuth client {}, but the configured client is {}; "
                    + "run 'java -jar target/mailroute.jar connect {}'", grant.mailboxId(), grant.clientId(),
                    connection.client().clientId(), grant.mailboxId());
        }
        connection.use(grant.refreshToken(), grant.version(), MailboxConnection.Source.STORE);
    }

    private MailboxSettings mailbox(String mailboxId) {
        MailboxSettings mailbox = mailboxes.get(mailboxId);
        if (mailbox == null) {
            connection(mailboxId); // throws, naming the configured mailboxes
        }
        return mailbox;
    }

    static Set<String> scopes(String granted) {
        return granted == null ? Set.of() : Arrays.stream(granted.trim().split("\\s+")).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static String describe(MailboxConnection.Source source) {
        return switch (source) {
            case STORE -> "the encrypted token store";
            case ENVIRONMENT -> "the environment";
            case SANDBOX -> "the sandbox (demo)";
            case NONE -> "nowhere: not connected";
        };
    }
}
