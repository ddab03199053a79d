package io.mailroute.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox's OAuth 2.0 state: registered clients, refresh-token grants and issued access tokens.
 *
 * <p>Grants are kept apart from the ways of obtaining them so the authorization-code flow can slot in.
 * TODO(connect flow issue): authorization_code with PKCE: store pending codes as
 * (code, clientId, user, redirectUri, codeChallenge S256, scope, expiry) and let
 * {@code exchangeAuthorizationCode} mint a {@link RefreshGrant} plus an access token via {@link #issue}.
 */
final class OAuthTokenStore {

    /** The built-in sandbox OAuth client, used unless the seed names another. Sandbox-only, not a secret. */
    static final String DEFAULT_CLIENT_ID = "mailroute-sandbox";
    static final String DEFAULT_CLIENT_SECRET = "sandbox-not-a-secret";

    static final int ACCESS_TOKEN_SECONDS = 3599;
    /** What seeded users and {@code addUser} grant: everything the sandbox serves. */
    static final Set<GmailScope> SEEDED_SCOPES = Collections.unmodifiableSet(EnumSet.of(GmailScope.GMAIL_MODIFY));

    record RefreshGrant(String refreshToken, String address, String clientId, Set<GmailScope> scopes,
            boolean revoked) {

        RefreshGrant revoke() {
            return new RefreshGrant(refreshToken, address, clientId, scopes, true);
        }
    }

    /** An access token carries its grant's scopes, as Google's do. */
    record AccessGrant(String accessToken, String address, String refreshToken, Set<GmailScope> scopes,
            Instant expiresAt) {
    }

    /** A token-endpoint failure with the OAuth error code and HTTP status Google uses for it. */
    static final class OAuthError extends Exception {
        final int status;
        final String error;

        OAuthError(int status, String error, String description) {
            super(description);
            this.status = status;
            this.error = error;
        }
    }

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> clientSecrets = new ConcurrentHashMap<>();
    private final Map<String, RefreshGrant> refreshGrants = new ConcurrentHashMap<>();
    private final Map<String, AccessGrant> accessGrants = new ConcurrentHashMap<>();
    private volatile String primaryClientId = DEFAULT_CLIENT_ID;

    OAuthTokenStore(Clock clock) {
        this.clock = clock;
        clientSecrets.put(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    }

    /** Makes {@code clientId} the client that seeded users' grants belong to. */
    void usePrimaryClient(String clientId, String clientSecret) {
        clientSecrets.clear();
        clientSecrets.put(clientId, clientSecret);
        primaryClientId = clientId;
    }

    void addRefreshToken(String address, String refreshToken) {
        RefreshGrant existing = refreshGrants.get(refreshToken);
        if (existing != null && !existing.address().equals(address)) {
            throw new IllegalArgumentException("refresh token already belongs to " + existing.address());
        }
        refreshGrants.put(refreshToken,
                new RefreshGrant(refreshToken, address, primaryClientId, SEEDED_SCOPES, false));
    }

    Optional<SandboxCredentials> credentials(String address) {
        return refreshGrants.values().stream()
                .filter(g -> g.address().equals(address) && !g.revoked())
                .findFirst()
                .map(g -> new SandboxCredentials(g.clientId(), clientSecrets.get(g.clientId()), g.refreshToken()));
    }

    void authenticateClient(String clientId, String clientSecret) throws OAuthError {
        if (clientId == null || clientId.isEmpty()) {
            throw new OAuthError(401, "invalid_client", "The OAuth client was not found.");
        }
        String expected = clientSecrets.get(clientId);
        if (expected == null) {
            throw new OAuthError(401, "invalid_client", "The OAuth client was not found.");
        }
        if (!expected.equals(clientSecret)) {
            throw new OAuthError(401, "invalid_client", "Unauthorized");
        }
    }

    AccessGrant refresh(String clientId, String refreshToken) throws OAuthError {
        if (refreshToken == null || refreshToken.isEmpty()) {
            throw new OAuthError(400, "invalid_request", "Missing required parameter: refresh_token");
        }
        RefreshGrant grant = refreshGrants.get(refreshToken);
        if (grant == null || grant.revoked() || !grant.clientId().equals(clientId)) {
            throw new OAuthError(400, "invalid_grant", "Token has been expired or revoked.");
        }
        return issue(grant);
    }

    private AccessGrant issue(RefreshGrant grant) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = "ya29.sandbox-" + HexFormat.of().formatHex(bytes);
        AccessGrant access = new AccessGrant(token, grant.address(), grant.refreshToken(), grant.scopes(),
                clock.instant().plusSeconds(ACCESS_TOKEN_SECONDS));
        accessGrants.put(token, access);
        return access;
    }

    /** The user and scopes an access token acts with, if it is known, unexpired and its grant not revoked. */
    Optional<AccessGrant> accessGrant(String accessToken) {
        AccessGrant access = accessGrants.get(accessToken);
        if (access == null || !clock.instant().isBefore(access.expiresAt())) {
            return Optional.empty();
        }
        RefreshGrant grant = refreshGrants.get(access.refreshToken());
        return grant == null || grant.revoked() ? Optional.empty() : Optional.of(access);
    }

    /** Revokes a refresh token (and with it its access tokens, as Google does) or a single access token. */
    boolean revokeToken(String token) {
        RefreshGrant grant = refreshGrants.get(token);
        if (grant != null) {
            revokeGrant(grant);
            return true;
        }
        return accessGrants.remove(token) != null;
    }

    /** Revokes every refresh token of the user; returns how many were live. */
    int revokeUser(String address) {
        int revoked = 0;
        for (RefreshGrant grant : refreshGrants.values()) {
            if (grant.address().equals(address) && !grant.revoked()) {
                revokeGrant(grant);
                revoked++;
            }
        }
        return revoked;
    }

    private void revokeGrant(RefreshGrant grant) {
        refreshGrants.put(grant.refreshToken(), grant.revoke());
        accessGrants.values().removeIf(a -> a.refreshToken().equals(grant.refreshToken()));
    }
}
