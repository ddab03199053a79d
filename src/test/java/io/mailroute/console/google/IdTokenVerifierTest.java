package io.mailroute.console.google;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.mailroute.console.google.GoogleSignInException.Problem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every check of an id_token, each shown to refuse a token that is right but for that one thing. */
class IdTokenVerifierTest {

    private static final String ISSUER = "http://127.0.0.1:8025";
    private static final String CLIENT = "mailroute-console.apps.example";
    private static final String NONCE = "n-0S6_WzA2Mj";
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static RSAKey key;
    private static RSAKey otherKeySameId;

    @BeforeAll
    static void keys() throws JOSEException {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        otherKeySameId = new RSAKeyGenerator(2048).keyID("k1").generate();
    }

    private static IdTokenVerifier verifier(String issuer) {
        return new IdTokenVerifier(issuer, CLIENT, Set.of("acme.example"),
                new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())), CLOCK);
    }

    /** Google's claims for mei@acme.example, issued a minute ago. */
    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(CLIENT).claim("azp", CLIENT).subject("1122334455")
                .claim("email", "mei@acme.example").claim("email_verified", true).claim("hd", "acme.example")
                .claim("name", "Mei Chen").claim("nonce", NONCE)
                .issueTime(Date.from(NOW.minusSeconds(60))).expirationTime(Date.from(NOW.plusSeconds(3540)));
    }

    private static String signed(JWTClaimsSet claims, RSAKey with) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    private static String token(UnaryOperator<JWTClaimsSet.Builder> change) throws JOSEException {
        return signed(change.apply(claims()).build(), key);
    }

    private static void assertRefused(Problem problem, String because, String token) {
        GoogleSignInException e = assertThrows(GoogleSignInException.class, () -> verifier(ISSUER).verify(token, NONCE));
        assertEquals(problem, e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(because), e.getMessage());
    }

    @Test
    void aRightTokenGivesTheVerifiedAccount() throws Exception {
        GoogleIdentity identity = verifier(ISSUER).verify(token(c -> c), NONCE);
        assertEquals(new GoogleIdentity("1122334455", "mei@acme.example", "Mei Chen", "acme.example"), identity);
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "signature", signed(claims().build(), otherKeySameId));
    }

    @Test
    void aChangedPayloadBreaksTheSignature() throws Exception {
        String[] parts = token(c -> c).split("\\.");
        String otherPayload = token(c -> c.claim("email", "boss@acme.example")).split("\\.")[1];
        assertRefused(Problem.INVALID_TOKEN, "signature", parts[0] + "." + otherPayload + "." + parts[2]);
    }

    @Test
    void anUnsignedTokenIsRefused() {
        assertRefused(Problem.INVALID_TOKEN, "nsecured", new PlainJWT(claims().build()).serialize());
    }

    @Test
    void anHs256TokenKeyedWithThePublicKeyIsRefused() throws Exception {
        // the classic confusion: an HMAC whose "secret" is the public key everyone can fetch
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
        JWSSigner hmac = new MACSigner(key.toRSAPublicKey().getEncoded());
        jwt.sign(hmac);
        assertRefused(Problem.INVALID_TOKEN, "Another algorithm expected", jwt.serialize());
    }

    @Test
    void anotherAudienceIsRefused() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "aud", token(c -> c.audience("someone-else.apps.example")));
    }

    @Test
    void severalAudiencesNeedThisClientAsAzp() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "azp",
                token(c -> c.audience(List.of(CLIENT, "other.apps.example")).claim("azp", "other.apps.example")));
    }

    @Test
    void anotherIssuerIsRefused() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "iss is https://evil.example", token(c -> c.issuer("https://evil.example")));
    }

    @Test
    void googlesIssuerWithoutSchemeIsGooglesOnly() throws Exception {
        String withoutScheme = token(c -> c.issuer("accounts.google.com"));
        GoogleIdentity identity = verifier(GoogleSignInSettings.GOOGLE_ISSUER).verify(withoutScheme, NONCE);
        assertEquals("mei@acme.example", identity.email());
        assertRefused(Problem.INVALID_TOKEN, "iss is accounts.google.com", withoutScheme);
    }

    @Test
    void anExpiredTokenIsRefusedPastTheSmallSkew() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "xpired", token(c -> c.issueTime(Date.from(NOW.minus(Duration.ofHours(2))))
                .expirationTime(Date.from(NOW.minus(IdTokenVerifier.CLOCK_SKEW).minusSeconds(1)))));
        GoogleIdentity withinSkew = verifier(ISSUER).verify(token(c -> c.issueTime(Date.from(NOW.minus(Duration.ofHours(1))))
                .expirationTime(Date.from(NOW.minusSeconds(30)))), NONCE);
        assertEquals("mei@acme.example", withinSkew.email());
    }

    @Test
    void aTokenIssuedInTheFutureIsRefused() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "iat is in the future",
                token(c -> c.issueTime(Date.from(NOW.plus(IdTokenVerifier.CLOCK_SKEW).plusSeconds(1)))));
    }

    @Test
    void aTokenWithoutExpiryIsRefused() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "exp", token(c -> c.expirationTime(null)));
    }

    @Test
    void anotherSignInsNonceIsRefused() throws Exception {
        assertRefused(Problem.INVALID_TOKEN, "nonce", token(c -> c.claim("nonce", "the-attackers-nonce")));
        assertRefused(Problem.INVALID_TOKEN, "nonce", token(c -> c.claim("nonce", null)));
    }

    @Test
    void anUnverifiedAddressMayNotSignIn() throws Exception {
        assertRefused(Problem.NOT_ALLOWED, "not verified", token(c -> c.claim("email_verified", false)));
        assertRefused(Problem.NOT_ALLOWED, "not verified", token(c -> c.claim("email_verified", null)));
    }

    @Test
    void anotherWorkspaceDomainMayNotSignIn() throws Exception {
        assertRefused(Problem.NOT_ALLOWED, "hd globex.example",
                token(c -> c.claim("hd", "globex.example").claim("email", "m.chen@globex.example")));
    }

    @Test
    void aConsumerAccountWithoutHdMayNotSignIn() throws Exception {
        assertRefused(Problem.NOT_ALLOWED, "not a Workspace account",
                token(c -> c.claim("hd", null).claim("email", "mei@acme.example")));
    }

    @Test
    void theHdAndTheAddressMustBothBeAllowed() throws Exception {
        assertRefused(Problem.NOT_ALLOWED, "address at gmail.com", token(c -> c.claim("email", "mei@gmail.com")));
        assertRefused(Problem.NOT_ALLOWED, "hd globex.example", token(c -> c.claim("hd", "globex.example")));
    }

    @Test
    void domainsCompareWithoutCase() throws Exception {
        GoogleIdentity identity = verifier(ISSUER).verify(token(c -> c.claim("hd", "ACME.example")
                .claim("email", "Mei@Acme.Example")), NONCE);
        assertEquals("acme.example", identity.hostedDomain());
    }
}
