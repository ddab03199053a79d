package io.mailroute.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sandbox's OAuth 2.0 state: registered clients, pending authorization codes, refresh-token grants and
 * issued access tokens. A grant is made by the seed or {@code addUser}, or by exchanging an authorization code
 * (with PKCE); either way it is then refreshed and revoked alike.
 */
final class OAuthTokenStore {

    /** The built-in sandbox OAuth client, used unless the seed names another. Sandbox-only, not a secret. */
    static final String DEFAULT_CLIENT_ID = "mailroute-sandbox";
    static final String DEFAULT_CLIENT_SECRET = "sandbox-not-a-secret";

    static final int ACCESS_TOKEN_SECONDS = 3599;
    /** What seeded users and {@code addUser} grant: everything the sandbox serves. */
    static final Set<GmailScope> SEEDED_SCOPES = Collections.unmodifiableSet(EnumSet.of(GmailScope.GMAIL_MODIFY));
    /** Google's authorization codes live ten minutes. */
    static final Duration CODE_LIFETIME = Duration.ofMinutes(10);

    /** @param fromAuthorizationCode minted by the code flow rather than registered by the seed or addUser */
    record RefreshGrant(String refreshToken, String address, String clientId, Set<GmailScope> scopes,
            boolean fromAuthorizationCode, boolean revoked) {

        RefreshGrant revoke() {
            return new RefreshGrant(refreshToken, address, clientId, scopes, fromAuthorizationCode, true);
        }
    }

    /**
     * What is kept across a restart: the clients and every refresh grant, revoked ones included (a revoked token
     * stays refused). Access tokens and pending codes are not kept: clients refresh, and a code is for minutes.
     */
    record Image(String primaryClientId, Map<String, String> clientSecrets, List<RefreshGrant> grants) {
    }

    /** A consented authorization request, waiting for its code to be exchanged once. */
    record AuthorizationCode(String code, String clientId, String address, String redirectUri, String codeChallenge,
            CodeChallengeMethod challengeMethod, Set<GmailScope> scopes, SignIn signIn, Instant expiresAt) {
    }

    /**
     * The identity part of an authorization request ("Sign in with Google"): its identity scopes and the app's
     * {@code nonce} (null when it sent none), which the id_token repeats.
     */
    record SignIn(Set<OpenIdScope> scopes, String nonce) {
        static final SignIn NONE = new SignIn(Set.of(), null);

        /** Whether the token endpoint answers with an id_token: scope {@code openid} was asked for. */
        boolean wantsIdToken() {
            return scopes.contains(OpenIdScope.OPENID);
        }
    }

    /**
     * What an authorization code bought: an access token, a refresh token only when Gmail scopes were granted (a
     * sign-in alone gets none, as at Google without {@code access_type=offline}), and the sign-in it answers.
     */
    record CodeExchange(AccessGrant access, String clientId, SignIn signIn) {
        boolean refreshable() {
            return access.refreshToken() != null;
        }
    }

    /** An access token carries its grant's scopes, as Google's do; a sign-in's has no refresh token, and no Gmail scopes. */
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
    private final Map<String, AuthorizationCode> codes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refreshesByUser = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> codeExchangesByUser = new ConcurrentHashMap<>();
    private volatile String primaryClientId = DEFAULT_CLIENT_ID;
    /** Moves on with every change to clients and grants: what an {@link Image} holds. */
    private final AtomicLong changes = new AtomicLong();

    OAuthTokenStore(Clock clock) {
        this.clock = clock;
        clientSecrets.put(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
    }

    /** Makes {@code clientId} the client that seeded users' grants belong to. */
    void usePrimaryClient(String clientId, String clientSecret) {
        clientSecrets.clear();
        clientSecrets.put(clientId, clientSecret);
        primaryClientId = clientId;
        changes.incrementAndGet();
    }

    Image image() {
        return new Image(primaryClientId, Map.copyOf(clientSecrets), List.copyOf(refreshGrants.values()));
    }

    /** The clients and grants {@link #image()} kept. */
    void restore(Image image) {
        clientSecrets.clear();
        clientSecrets.putAll(image.clientSecrets());
        primaryClientId = image.primaryClientId();
        refreshGrants.clear();
        image.grants().forEach(grant -> refreshGrants.put(grant.refreshToken(), grant));
        changes.incrementAndGet();
    }

    long changeCount() {
        return changes.get();
    }

    void addRefreshToken(String address, String refreshToken) {
        RefreshGrant existing = refreshGrants.get(refreshToken);
        if (existing != null && !existing.address().equals(address)) {
            throw new IllegalArgumentException("refresh token already belongs to " + existing.address());
        }
        refreshGrants.put(refreshToken,
                new RefreshGrant(refreshToken, address, primaryClientId, SEEDED_SCOPES, false, false));
        changes.incrementAndGet();
    }

    /** The client seeded users' grants belong to, with its secret: what an app connecting to the sandbox registers as. */
    SandboxCredentials primaryClient() {
        return new SandboxCredentials(primaryClientId, clientSecrets.get(primaryClientId), null);
    }

    /** How many of the user's refresh grants still work. */
    int liveGrants(String address) {
        return (int) refreshGrants.values().stream().filter(g -> g.address().equals(address) && !g.revoked()).count();
    }

    /**
     * A live refresh token of the user, preferring the one the seed or addUser registered, so that demo mode
     * keeps its full access after someone connects the same user with narrower scopes.
     */
    Optional<SandboxCredentials> credentials(String address) {
        return refreshGrants.values().stream()
                .filter(g -> g.address().equals(address) && !g.revoked())
                .min(Comparator.comparing(RefreshGrant::fromAuthorizationCode))
                .map(g -> new SandboxCredentials(g.clientId(), clientSecrets.get(g.clientId()), g.refreshToken()));
    }

    boolean knowsClient(String clientId) {
        return clientId != null && clientSecrets.containsKey(clientId);
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
        count(refreshesByUser, grant.address());
        return issue(grant);
    }

    /** Records the user's consent and returns the code the authorization endpoint redirects with. */
    String issueCode(String clientId, String address, String redirectUri, String codeChallenge,
            CodeChallengeMethod challengeMethod, Set<GmailScope> scopes) {
        return issueCode(clientId, address, redirectUri, codeChallenge, challengeMethod, scopes, SignIn.NONE);
    }

    /** As {@link #issueCode(String, String, String, String, CodeChallengeMethod, Set)}, with identity scopes too. */
    String issueCode(String clientId, String address, String redirectUri, String codeChallenge,
            CodeChallengeMethod challengeMethod, Set<GmailScope> scopes, SignIn signIn) {
        Instant now = clock.instant();
        codes.values().removeIf(c -> !now.isBefore(c.expiresAt())); // codes nobody exchanged do not pile up
        String code = "4/0sandbox-" + randomHex(); // Google's start "4/0": the slash tests the client's URL decoding
        codes.put(code, new AuthorizationCode(code, clientId, address, redirectUri, codeChallenge, challengeMethod,
                Collections.unmodifiableSet(scopes.isEmpty() ? EnumSet.noneOf(GmailScope.class) : EnumSet.copyOf(scopes)),
                signIn, now.plus(CODE_LIFETIME)));
        return code;
    }

    /**
     * Trades an authorization code for a new refresh grant (the code's user, client and scopes) and its first
     * access token. Any attempt spends the code, so a failed guess at the verifier cannot be retried.
     */
    AccessGrant exchangeCode(String clientId, String code, String codeVerifier, String redirectUri)
            throws OAuthError {
        return redeemCode(clientId, code, codeVerifier, redirectUri).access();
    }

    /**
     * {@link #exchangeCode}, also for a sign-in: a code granting Gmail scopes makes a refresh grant; one granting
     * identity scopes alone makes an access token only.
     */
    CodeExchange redeemCode(String clientId, String code, String codeVerifier, String redirectUri)
            throws OAuthError {
        if (code == null || code.isEmpty()) {
            throw new OAuthError(400, "invalid_request", "Missing required parameter: code");
        }
        if (codeVerifier == null || codeVerifier.isEmpty()) {
            throw new OAuthError(400, "invalid_request", "Missing code verifier.");
        }
        if (redirectUri == null || redirectUri.isEmpty()) {
            throw new OAuthError(400, "invalid_request", "Missing required parameter: redirect_uri");
        }
        AuthorizationCode pending = codes.remove(code);
        if (pending == null || !clock.instant().isBefore(pending.expiresAt())) {
            throw new OAuthError(400, "invalid_grant",
                    "Invalid authorization code: unknown, already used or older than 10 minutes.");
        }
        if (!pending.clientId().equals(clientId)) {
            throw new OAuthError(400, "invalid_grant", "The authorization code was issued to another client.");
        }
        if (!pending.redirectUri().equals(redirectUri)) {
            throw new OAuthError(400, "invalid_grant", "redirect_uri differs from the authorization request's.");
        }
        if (!pending.challengeMethod().verifies(pending.codeChallenge(), codeVerifier)) {
            throw new OAuthError(400, "invalid_grant", "Invalid code verifier.");
        }
        count(codeExchangesByUser, pending.address());
        if (pending.scopes().isEmpty()) {
            String token = "ya29.sandbox-" + randomHex();
            AccessGrant access = new AccessGrant(token, pending.address(), null, pending.scopes(),
                    clock.instant().plusSeconds(ACCESS_TOKEN_SECONDS));
            accessGrants.put(token, access);
            return new CodeExchange(access, clientId, pending.signIn());
        }
        String refreshToken = "1//0sandbox-" + randomHex(); // the shape of Google's refresh tokens
        RefreshGrant grant = new RefreshGrant(refreshToken, pending.address(), clientId, pending.scopes(), true, false);
        refreshGrants.put(refreshToken, grant);
        changes.incrementAndGet();
        return new CodeExchange(issue(grant), clientId, pending.signIn());
    }

    private AccessGrant issue(RefreshGrant grant) {
        String token = "ya29.sandbox-" + randomHex();
        AccessGrant access = new AccessGrant(token, grant.address(), grant.refreshToken(), grant.scopes(),
                clock.instant().plusSeconds(ACCESS_TOKEN_SECONDS));
        accessGrants.put(token, access);
        return access;
    }

    private String randomHex() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The user and scopes an access token acts with, if it is known, unexpired and its grant not revoked. */
    Optional<AccessGrant> accessGrant(String accessToken) {
        AccessGrant access = accessGrants.get(accessToken);
        if (access == null || !clock.instant().isBefore(access.expiresAt())) {
            return Optional.empty();
        }
        if (access.refreshToken() == null) {
            return Optional.of(access); // a sign-in's: nothing to revoke it through
        }
        RefreshGrant grant = refreshGrants.get(access.refreshToken());
        return grant == null || grant.revoked() ? Optional.empty() : Optional.of(access);
    }

    /** Ends every access token of the user as if it had expired; returns how many it ended. */
    int expireAccessTokens(String address) {
        int expired = 0;
        for (AccessGrant access : accessGrants.values()) {
            if (access.address().equals(address) && accessGrants.remove(access.accessToken()) != null) {
                expired++;
            }
        }
        return expired;
    }

    Optional<Set<GmailScope>> grantedScopes(String refreshToken) {
        return Optional.ofNullable(refreshGrants.get(refreshToken)).map(RefreshGrant::scopes);
    }

    TokenRequests tokenRequests(String address) {
        return new TokenRequests(sum(refreshesByUser, address), sum(codeExchangesByUser, address));
    }

    private static void count(Map<String, LongAdder> counter, String address) {
        counter.computeIfAbsent(SandboxMailStore.key(address), a -> new LongAdder()).increment();
    }

    private static long sum(Map<String, LongAdder> counter, String address) {
        LongAdder n = counter.get(SandboxMailStore.key(address));
        return n == null ? 0 : n.sum();
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
        changes.incrementAndGet();
        accessGrants.values().removeIf(a -> grant.refreshToken().equals(a.refreshToken()));
    }
}
