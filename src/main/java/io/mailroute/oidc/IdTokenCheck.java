package io.mailroute.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.Set;

/**
 * The one check of an OpenID Connect ID token, with nimbus-jose-jwt, for Sign in with Google (the console) and for
 * Pub/Sub's push tokens: signed with RS256 by a key of the issuer's JWKS (no other algorithm, no unsigned token),
 * {@code aud} the expected audience, {@code exp} not passed and {@code iat} not in the future (each with
 * {@link #CLOCK_SKEW}, on the given clock), the required claims present, {@code iss} one of the issuers; then the
 * caller's own checks ({@link ClaimsCheck}: nonce, azp, the sender's email ...).
 */
public final class IdTokenCheck {

    /** How far the issuer's clock may be off ours. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    /** Google's issuer; its ID tokens say {@code iss} with or without the scheme. */
    public static final String GOOGLE_ISSUER = "https://accounts.google.com";
    public static final Set<String> GOOGLE_ISSUERS = Set.of(GOOGLE_ISSUER, "accounts.google.com");

    /**
     * A token that is genuine (signed by the issuer, current) but not for us: {@code aud} another audience, or (a
     * caller's check) another sender. An endpoint answers it 403 where a token that is not genuine is a 401.
     */
    public static final class NotForUsException extends BadJWTException {
        public NotForUsException(String message) {
            super(message);
        }
    }

    /** A caller's checks after the common ones; a refusal says which claim and why. */
    @FunctionalInterface
    public interface ClaimsCheck {
        void check(JWTClaimsSet claims) throws BadJWTException;
    }

    private final Set<String> issuers;
    private final String audience;
    private final Set<String> requiredClaims;
    private final JWKSource<SecurityContext> keys;
    private final Clock clock;

    /**
     * @param issuers        the acceptable {@code iss} values ({@link #issuers(String)} for one configured issuer)
     * @param requiredClaims claims that must be present ({@code iss}, {@code aud}, {@code exp} and {@code iat} always are)
     * @param keys           the issuer's signing keys (its JWKS, fetched and cached)
     */
    public IdTokenCheck(Set<String> issuers, String audience, Set<String> requiredClaims, JWKSource<SecurityContext> keys,
            Clock clock) {
        this.issuers = Set.copyOf(issuers);
        this.audience = Objects.requireNonNull(audience, "audience");
        this.requiredClaims = union(Set.of("iss", "aud", "exp", "iat"), requiredClaims);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The {@code iss} values one configured issuer stands for: Google's also without its scheme. */
    public static Set<String> issuers(String issuer) {
        return GOOGLE_ISSUER.equals(issuer) ? GOOGLE_ISSUERS : Set.of(issuer);
    }

    /**
     * @param token untrusted
     * @return the token's claims, once every check passed
     */
    public JWTClaimsSet verify(String token, ClaimsCheck more) throws ParseException, BadJOSEException, JOSEException {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        processor.setJWTClaimsSetVerifier(new Verifier(more));
        return processor.process(token, null);
    }

    /**
     * exp and the required claims by nimbus, with our clock (after the signature: nimbus checks claims only of a token
     * it has verified); then iss, iat, aud and the caller's checks.
     */
    private final class Verifier extends DefaultJWTClaimsVerifier<SecurityContext> {

        private final ClaimsCheck more;

        Verifier(ClaimsCheck more) {
            super(null, null, requiredClaims, null);
            this.more = more;
            setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            super.verify(claims, context);
            if (!issuers.contains(claims.getIssuer())) {
                throw new BadJWTException("iss is " + claims.getIssuer() + ", not "
                        + (issuers.size() == 1 ? issuers.iterator().next() : "one of " + issuers));
            }
            if (claims.getIssueTime().toInstant().isAfter(clock.instant().plus(CLOCK_SKEW))) {
                throw new BadJWTException("iat is in the future: " + claims.getIssueTime().toInstant());
            }
            if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
                throw new NotForUsException("aud is " + claims.getAudience() + ", not " + audience);
            }
            more.check(claims);
        }
    }

    /** {@code email_verified} is true (Google writes a boolean; some issuers the string "true"). */
    public static boolean emailVerified(JWTClaimsSet claims) {
        Object verified = claims.getClaim("email_verified");
        return Boolean.TRUE.equals(verified) || "true".equals(verified);
    }

    /** A claim compared with what was expected, in constant time; false when either is missing. */
    public static boolean constantTimeEquals(Object presented, String expected) {
        return presented instanceof String p && expected != null
                && MessageDigest.isEqual(p.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
