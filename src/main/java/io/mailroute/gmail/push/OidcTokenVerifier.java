package io.mailroute.gmail.push;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import io.mailroute.oidc.IdTokenCheck;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies the OIDC ID token Pub/Sub puts on a push request ({@code Authorization: Bearer <token>}) with
 * nimbus-jose-jwt: RS256 signature by a key of the issuer's JWKS (fetched, cached, refetched for an unknown key
 * id), {@code iss} one of the expected issuers, {@code aud} the configured audience, {@code exp} not passed and
 * {@code iat} not in the future (each with {@link #CLOCK_SKEW}; the common checks are {@link IdTokenCheck}'s), and, when configured, {@code email} the expected
 * service account with {@code email_verified} true. A refusal says which check failed, never the token.
 */
public final class OidcTokenVerifier {

    /** Google's signing keys for the ID tokens it issues. */
    public static final String GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
    /** Google writes {@code iss} with or without the scheme. */
    public static final Set<String> GOOGLE_ISSUERS = IdTokenCheck.GOOGLE_ISSUERS;
    /** How far the issuer's clock may be off ours. */
    public static final Duration CLOCK_SKEW = IdTokenCheck.CLOCK_SKEW;
    private static final int JWKS_TIMEOUT_MILLIS = 5_000;
    private static final int JWKS_SIZE_LIMIT = 64 * 1024;

    /** Who the token says sent the push. */
    public record Verified(String email, String subject, Instant expiresAt) {
    }

    /** The token is not acceptable; {@link #getMessage()} says why. */
    public static final class RefusedException extends Exception {
        RefusedException(String reason, Throwable cause) {
            super(reason, cause);
        }

        /**
         * Whether the token is genuine but for another audience or from another sender (an endpoint's 403), rather than
         * missing, forged, expired or not ours to trust (a 401).
         */
        public boolean notForUs() {
            return getCause() instanceof IdTokenCheck.NotForUsException;
        }
    }

    private final String expectedEmail;
    private final IdTokenCheck check;

    /**
     * @param issuers       the acceptable {@code iss} values
     * @param audience      the {@code aud} the subscription's {@code oidcToken.audience} names
     * @param expectedEmail the service account the subscription pushes as; null accepts any
     * @param keys          the issuer's signing keys
     */
    public OidcTokenVerifier(Set<String> issuers, String audience, String expectedEmail, JWKSource<SecurityContext> keys,
            Clock clock) {
        Objects.requireNonNull(audience, "audience");
        if (issuers.isEmpty() || audience.isBlank()) {
            throw new IllegalArgumentException("a push token verifier needs at least one issuer and an audience");
        }
        this.expectedEmail = expectedEmail == null || expectedEmail.isBlank() ? null : expectedEmail;
        this.check = new IdTokenCheck(issuers, audience, Set.of(), keys, clock);
    }

    /** Verifies against the keys at {@code jwksUrl}, cached (five minutes, refreshed ahead, retried once). */
    public static OidcTokenVerifier fromJwksUrl(String jwksUrl, Set<String> issuers, String audience,
            String expectedEmail, Clock clock) {
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUrl).toURL(),
                    new DefaultResourceRetriever(JWKS_TIMEOUT_MILLIS, JWKS_TIMEOUT_MILLIS, JWKS_SIZE_LIMIT))
                    .retrying(true).build();
            return new OidcTokenVerifier(issuers, audience, expectedEmail, keys, clock);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWKS URL for push tokens '" + jwksUrl + "' is no URL", e);
        }
    }

    /** Google's own push tokens: Google's JWKS and issuers. */
    public static OidcTokenVerifier google(String audience, String expectedEmail, Clock clock) {
        return fromJwksUrl(GOOGLE_JWKS_URL, GOOGLE_ISSUERS, audience, expectedEmail, clock);
    }

    /** @param authorization the request's {@code Authorization} header (untrusted; may be null) */
    public Verified verifyAuthorization(String authorization) throws RefusedException {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new RefusedException("no bearer token in the Authorization header", null);
        }
        return verify(authorization.substring(7).trim());
    }

    /** @param idToken the bearer token of a push request, untrusted */
    public Verified verify(String idToken) throws RefusedException {
        JWTClaimsSet claims;
        try {
            claims = check.verify(idToken, this::sender);
        } catch (ParseException e) {
            throw new RefusedException("push token refused: not a signed JWT", e);
        } catch (BadJOSEException e) {
            throw new RefusedException("push token refused: " + e.getMessage(), e);
        } catch (JOSEException e) {
            throw new RefusedException("push token refused: its signing keys could not be checked (" + e.getMessage()
                    + ")", e);
        }
        String email = claims.getClaim("email") instanceof String e ? e : null;
        return new Verified(email, claims.getSubject(), claims.getExpirationTime().toInstant());
    }

    /** When configured: the push service account, with its address verified. */
    private void sender(JWTClaimsSet claims) throws BadJWTException {
        if (expectedEmail == null) {
            return;
        }
        Object email = claims.getClaim("email");
        if (!IdTokenCheck.constantTimeEquals(email, expectedEmail)) {
            throw new IdTokenCheck.NotForUsException("email is " + email + ", not the push service account " + expectedEmail);
        }
        if (!IdTokenCheck.emailVerified(claims)) {
            throw new IdTokenCheck.NotForUsException("email_verified is " + claims.getClaim("email_verified") + ", not true");
        }
    }
}
