package io.mailroute.gmail.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Push tokens signed by a key of the JWKS pass; forged, expired, foreign and malformed ones are refused with a reason. */
class OidcTokenVerifierTest {

    private static final String ISSUER = "https://accounts.google.com";
    private static final String AUDIENCE = "https://mailroute.example/push/gmail";
    private static final String PUSHER = "gmail-push@acme-project.iam.gserviceaccount.com";
    private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");

    private final RSAKey key = generate("k1");
    private final OidcTokenVerifier verifier = new OidcTokenVerifier(OidcTokenVerifier.GOOGLE_ISSUERS, AUDIENCE, PUSHER,
            new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())), Clock.fixed(NOW, ZoneOffset.UTC));

    private static RSAKey generate(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("1234567890")
                .claim("email", PUSHER).claim("email_verified", true)
                .issueTime(Date.from(NOW.minusSeconds(10))).expirationTime(Date.from(NOW.plus(Duration.ofHours(1))));
    }

    private static String sign(RSAKey with, UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).build(),
                change.apply(claims()).build());
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    private String refusal(String token) {
        return assertThrows(OidcTokenVerifier.RefusedException.class, () -> verifier.verify(token)).getMessage();
    }

    @Test
    void aTokenSignedByTheIssuersKeyForThisAudienceAndAccountIsAccepted() throws Exception {
        OidcTokenVerifier.Verified verified = verifier.verifyAuthorization("Bearer " + sign(key, c -> c));
        assertEquals(PUSHER, verified.email());
        assertEquals("1234567890", verified.subject());
        assertEquals(NOW.plus(Duration.ofHours(1)), verified.expiresAt());
        verifier.verify(sign(key, c -> c.issuer("accounts.google.com"))); // Google's issuer without the scheme
    }

    @Test
    void aForgedTokenIsRefused() throws Exception {
        String reason = refusal(sign(generate("k1"), c -> c)); // same key id, another key
        assertTrue(reason.contains("signature"), reason);
        assertTrue(refusal(sign(generate("other"), c -> c)).contains("no matching key"));
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
        hmac.sign(new MACSigner(new byte[32]));
        assertTrue(refusal(hmac.serialize()).startsWith("push token refused"));
        assertTrue(refusal(new PlainJWT(claims().build()).serialize()).startsWith("push token refused"));
        assertTrue(refusal("not.a.jwt").contains("not a signed JWT"));
    }

    @Test
    void expiredWrongAudienceWrongIssuerOrWrongAccountAreRefusedWithTheReason() throws Exception {
        assertTrue(refusal(sign(key, c -> c.expirationTime(Date.from(NOW.minusSeconds(61))))).contains("Expired"));
        verifier.verify(sign(key, c -> c.expirationTime(Date.from(NOW.minusSeconds(30))))); // within the clock skew
        assertTrue(refusal(sign(key, c -> c.audience("https://elsewhere.example/push"))).contains("aud"));
        assertTrue(refusal(sign(key, c -> c.issuer("https://evil.example"))).contains("iss is https://evil.example"));
        assertTrue(refusal(sign(key, c -> c.issueTime(Date.from(NOW.plusSeconds(600))))).contains("iat"));
        assertTrue(refusal(sign(key, c -> c.claim("email", "someone@else.example"))).contains("email is"));
        assertTrue(refusal(sign(key, c -> c.claim("email_verified", false))).contains("email_verified"));
        assertTrue(assertThrows(OidcTokenVerifier.RefusedException.class, () -> verifier.verifyAuthorization(null))
                .getMessage().contains("no bearer token"));
    }

    /** What the push endpoint answers: 403 only for a genuine token meant for another audience or from another sender. */
    @Test
    void onlyAGenuineTokenForAnotherAudienceOrSenderIsNotForUsTheRestIsUnauthenticated() throws Exception {
        assertTrue(refused(sign(key, c -> c.audience("https://elsewhere.example/push"))).notForUs());
        assertTrue(refused(sign(key, c -> c.claim("email", "someone@else.example"))).notForUs());
        assertTrue(refused(sign(key, c -> c.claim("email_verified", false))).notForUs());
        assertFalse(refused(sign(generate("k1"), c -> c.audience("https://elsewhere.example/push"))).notForUs(),
                "a forged token is refused for its signature before its audience is read");
        assertFalse(refused(sign(key, c -> c.expirationTime(Date.from(NOW.minusSeconds(61))))).notForUs());
        assertFalse(refused(sign(key, c -> c.issuer("https://evil.example"))).notForUs());
        assertFalse(refused("not.a.jwt").notForUs());
    }

    private OidcTokenVerifier.RefusedException refused(String token) {
        return assertThrows(OidcTokenVerifier.RefusedException.class, () -> verifier.verify(token));
    }

    @Test
    void withoutAnExpectedAccountAnyVerifiedSenderIsAccepted() throws Exception {
        OidcTokenVerifier any = new OidcTokenVerifier(Set.of(ISSUER), AUDIENCE, null,
                new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())), Clock.fixed(NOW, ZoneOffset.UTC));
        assertEquals("x@y.example", any.verify(sign(key, c -> c.claim("email", "x@y.example"))).email());
    }
}
