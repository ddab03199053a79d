package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class OAuthTokenStoreTest {

    /** RFC 7636 appendix B (the verifier is the base64url of the 32 octets listed there). */
    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private static final String CLIENT = OAuthTokenStore.DEFAULT_CLIENT_ID;
    private static final String REDIRECT = "http://127.0.0.1:53682/callback";
    private static final String USER = "ann@acme.example";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private final OAuthTokenStore tokens = new OAuthTokenStore(clock);

    private String sendOnlyCode() {
        return tokens.issueCode(CLIENT, USER, REDIRECT, CHALLENGE, CodeChallengeMethod.S256,
                Set.of(GmailScope.GMAIL_SEND));
    }

    private static void assertOAuthError(String error, Executable call) {
        OAuthTokenStore.OAuthError e = assertThrows(OAuthTokenStore.OAuthError.class, call);
        assertEquals(error, e.error, e.getMessage());
        assertEquals(400, e.status);
    }

    @Test
    void s256VerifiesTheRfc7636Example() {
        assertEquals(CHALLENGE, CodeChallengeMethod.S256.challenge(VERIFIER));
        assertTrue(CodeChallengeMethod.S256.verifies(CHALLENGE, VERIFIER));
        assertFalse(CodeChallengeMethod.S256.verifies(CHALLENGE, VERIFIER.replace('d', 'e')));
        assertFalse(CodeChallengeMethod.S256.verifies(CHALLENGE, CHALLENGE), "the challenge is not its own verifier");
    }

    @Test
    void plainComparesAndAbsentMethodMeansPlain() {
        assertTrue(CodeChallengeMethod.PLAIN.verifies(VERIFIER, VERIFIER));
        assertFalse(CodeChallengeMethod.PLAIN.verifies(VERIFIER, CHALLENGE));
        assertEquals(CodeChallengeMethod.PLAIN, CodeChallengeMethod.fromParam(null).orElseThrow());
        assertEquals(CodeChallengeMethod.S256, CodeChallengeMethod.fromParam("S256").orElseThrow());
        assertTrue(CodeChallengeMethod.fromParam("s256").isEmpty(), "method names are case-sensitive");
    }

    @Test
    void verifiersOutsideRfc7636sAlphabetOrLengthNeverVerify() {
        String short42 = VERIFIER.substring(0, 42);
        assertFalse(CodeChallengeMethod.PLAIN.verifies(short42, short42));
        String withSpace = VERIFIER.substring(0, 42) + " ";
        assertFalse(CodeChallengeMethod.PLAIN.verifies(withSpace, withSpace));
        assertFalse(CodeChallengeMethod.isWellFormedChallenge("abc"));
        assertTrue(CodeChallengeMethod.isWellFormedChallenge(CHALLENGE));
    }

    @Test
    void aCodeBuysARefreshGrantWithItsUserClientAndScopes() throws Exception {
        OAuthTokenStore.AccessGrant access = tokens.exchangeCode(CLIENT, sendOnlyCode(), VERIFIER, REDIRECT);

        assertEquals(USER, access.address());
        assertEquals(Set.of(GmailScope.GMAIL_SEND), access.scopes());
        assertEquals(access, tokens.accessGrant(access.accessToken()).orElseThrow());
        OAuthTokenStore.AccessGrant refreshed = tokens.refresh(CLIENT, access.refreshToken());
        assertNotEquals(access.accessToken(), refreshed.accessToken());
        assertEquals(Set.of(GmailScope.GMAIL_SEND), refreshed.scopes());
    }

    @Test
    void aCodeIsSpentByItsFirstExchange() throws Exception {
        String code = sendOnlyCode();
        tokens.exchangeCode(CLIENT, code, VERIFIER, REDIRECT);
        assertOAuthError("invalid_grant", () -> tokens.exchangeCode(CLIENT, code, VERIFIER, REDIRECT));
    }

    @Test
    void aFailedExchangeSpendsTheCodeToo() {
        String code = sendOnlyCode();
        assertOAuthError("invalid_grant", () -> tokens.exchangeCode(CLIENT, code, CHALLENGE, REDIRECT));
        assertOAuthError("invalid_grant", () -> tokens.exchangeCode(CLIENT, code, VERIFIER, REDIRECT));
    }

    @Test
    void aCodeExpiresAfterTenMinutes() throws Exception {
        String early = sendOnlyCode();
        String late = sendOnlyCode();
        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        tokens.exchangeCode(CLIENT, early, VERIFIER, REDIRECT);
        clock.advance(Duration.ofSeconds(1));
        assertOAuthError("invalid_grant", () -> tokens.exchangeCode(CLIENT, late, VERIFIER, REDIRECT));
    }

    @Test
    void theCodeMustComeBackWithItsClientAndRedirectUri() throws Exception {
        tokens.usePrimaryClient(CLIENT, "secret");
        String forOtherRedirect = sendOnlyCode();
        assertOAuthError("invalid_grant",
                () -> tokens.exchangeCode(CLIENT, forOtherRedirect, VERIFIER, "http://127.0.0.1:1/callback"));
        String forOtherClient = sendOnlyCode();
        assertOAuthError("invalid_grant", () -> tokens.exchangeCode("another-client", forOtherClient, VERIFIER,
                REDIRECT));
    }

    @Test
    void aMissingVerifierIsAnInvalidRequestAndLeavesTheCodeUsable() throws Exception {
        String code = sendOnlyCode();
        assertOAuthError("invalid_request", () -> tokens.exchangeCode(CLIENT, code, null, REDIRECT));
        assertEquals(USER, tokens.exchangeCode(CLIENT, code, VERIFIER, REDIRECT).address());
    }

    @Test
    void seededGrantsKeepGmailModifyAndStayTheUsersCredentials() throws Exception {
        tokens.addRefreshToken(USER, "seeded");
        tokens.exchangeCode(CLIENT, sendOnlyCode(), VERIFIER, REDIRECT);

        assertEquals("seeded", tokens.credentials(USER).orElseThrow().refreshToken());
        assertEquals(Set.of(GmailScope.GMAIL_MODIFY), tokens.refresh(CLIENT, "seeded").scopes());
    }

    @Test
    void revokingACodeFlowRefreshTokenEndsItsAccessTokens() throws Exception {
        OAuthTokenStore.AccessGrant access = tokens.exchangeCode(CLIENT, sendOnlyCode(), VERIFIER, REDIRECT);
        assertTrue(tokens.revokeToken(access.refreshToken()));
        assertTrue(tokens.accessGrant(access.accessToken()).isEmpty());
        assertOAuthError("invalid_grant", () -> tokens.refresh(CLIENT, access.refreshToken()));
    }

    @Test
    void theTokenEndpointsWorkIsCountedPerUserOnSuccessOnly() throws Exception {
        OAuthTokenStore.AccessGrant access = tokens.exchangeCode(CLIENT, sendOnlyCode(), VERIFIER, REDIRECT);
        tokens.refresh(CLIENT, access.refreshToken());
        tokens.refresh(CLIENT, access.refreshToken());
        assertOAuthError("invalid_grant", () -> tokens.refresh(CLIENT, "unknown"));

        assertEquals(new TokenRequests(2, 1), tokens.tokenRequests("Ann@ACME.example"));
        assertEquals(new TokenRequests(0, 0), tokens.tokenRequests("bob@acme.example"));
    }

    @Test
    void expiringAUsersAccessTokensLeavesTheirRefreshTokensAndOtherUsersAlone() throws Exception {
        OAuthTokenStore.AccessGrant ann = tokens.exchangeCode(CLIENT, sendOnlyCode(), VERIFIER, REDIRECT);
        tokens.addRefreshToken("bob@acme.example", "bob-refresh");
        OAuthTokenStore.AccessGrant bob = tokens.refresh(CLIENT, "bob-refresh");

        assertEquals(1, tokens.expireAccessTokens(USER));
        assertTrue(tokens.accessGrant(ann.accessToken()).isEmpty());
        assertTrue(tokens.accessGrant(bob.accessToken()).isPresent());
        assertTrue(tokens.accessGrant(tokens.refresh(CLIENT, ann.refreshToken()).accessToken()).isPresent());
    }

    @Test
    void accessTokensExpireWithTheClock() throws Exception {
        tokens.addRefreshToken(USER, "seeded");
        OAuthTokenStore.AccessGrant access = tokens.refresh(CLIENT, "seeded");
        clock.advance(Duration.ofSeconds(OAuthTokenStore.ACCESS_TOKEN_SECONDS - 1));
        assertTrue(tokens.accessGrant(access.accessToken()).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(tokens.accessGrant(access.accessToken()).isEmpty());
    }
}
