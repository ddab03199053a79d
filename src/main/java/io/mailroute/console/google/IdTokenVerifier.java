package io.mailroute.console.google;

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
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a Google id_token with nimbus-jose-jwt, as Google's "Authenticate with a backend server" asks: signed
 * with RS256 by a key of the provider's JWKS (no other algorithm, no unsigned token), {@code iss} the provider
 * (Google's also as {@code accounts.google.com}), {@code aud} this client (and {@code azp} too when there are several
 * audiences), {@code exp} not passed and {@code iat} not in the future (each with {@link #CLOCK_SKEW}), {@code nonce}
 * the one this sign-in sent, {@code email_verified} true; then the Workspace rule: the {@code hd} claim and the
 * email's domain both among the allowed domains.
 */
final class IdTokenVerifier {

    /** How far the provider's clock may be off ours. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    /** Google's id_tokens say {@code iss} with or without the scheme. */
    private static final String GOOGLE_ISSUER = "https://accounts.google.com";
    private static final String GOOGLE_ISSUER_WITHOUT_SCHEME = "accounts.google.com";

    private final String issuer;
    private final String clientId;
    private final Set<String> domains;
    private final JWKSource<SecurityContext> keys;
    private final Clock clock;

    /**
     * @param issuer   the provider's issuer, from the configuration and its discovery document
     * @param clientId this service's OAuth client id: the audience
     * @param domains  the allowed Workspace domains, lower case, at least one
     * @param keys     the provider's signing keys (its JWKS, fetched and cached)
     */
    IdTokenVerifier(String issuer, String clientId, Set<String> domains, JWKSource<SecurityContext> keys, Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.domains = Set.copyOf(domains);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (this.domains.isEmpty()) {
            throw new IllegalArgumentException("at least one allowed domain");
        }
    }

    /**
     * @param idToken       the token endpoint's {@code id_token}, untrusted
     * @param expectedNonce the nonce this sign-in sent in its authorization request
     */
    GoogleIdentity verify(String idToken, String expectedNonce) throws GoogleSignInException {
        JWTClaimsSet claims;
        try {
            claims = processor(expectedNonce).process(idToken, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new GoogleSignInException(GoogleSignInException.Problem.INVALID_TOKEN,
                    "The id_token from " + issuer + " was refused: " + e.getMessage(), e);
        }
        return allowed(claims);
    }

    private DefaultJWTProcessor<SecurityContext> processor(String expectedNonce) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(expectedNonce));
        return processor;
    }

    /** iss, aud/azp, times and nonce; nimbus's verifier checks aud, exp and the required claims, with our clock. */
    private final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {

        private final String expectedNonce;

        ClaimsVerifier(String expectedNonce) {
            super(Set.of(clientId), null, Set.of("iss", "sub", "aud", "exp", "iat", "nonce", "email"), null);
            this.expectedNonce = expectedNonce;
            setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        }

        @Override
        protected Date currentTime() {
            return Date.from(clock.instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            super.verify(claims, context);
            String iss = claims.getIssuer();
            boolean googleAlias = GOOGLE_ISSUER.equals(issuer) && GOOGLE_ISSUER_WITHOUT_SCHEME.equals(iss);
            if (!issuer.equals(iss) && !googleAlias) {
                throw new BadJWTException("iss is " + iss + ", not " + issuer);
            }
            List<String> audience = claims.getAudience();
            Object azp = claims.getClaim("azp");
            if (audience.size() > 1 && !clientId.equals(azp)) {
                throw new BadJWTException("several audiences, and azp is not this client");
            }
            if (claims.getIssueTime().toInstant().isAfter(clock.instant().plus(CLOCK_SKEW))) {
                throw new BadJWTException("iat is in the future: " + claims.getIssueTime().toInstant());
            }
            if (!(claims.getClaim("nonce") instanceof String nonce) || !constantTimeEquals(nonce, expectedNonce)) {
                throw new BadJWTException("nonce is not the one this sign-in sent");
            }
        }
    }

    /** The account, once its email is verified and its domain allowed. */
    private GoogleIdentity allowed(JWTClaimsSet claims) throws GoogleSignInException {
        String email = claims.getClaim("email") instanceof String e ? e : "";
        Object verified = claims.getClaim("email_verified");
        if (!Boolean.TRUE.equals(verified) && !"true".equals(verified)) {
            throw new GoogleSignInException(GoogleSignInException.Problem.NOT_ALLOWED, "Google says the address of"
                    + " account " + claims.getSubject() + " is not verified (email_verified " + verified
                    + "), so it cannot sign in: the person verifies it at Google first");
        }
        String emailDomain = email.substring(email.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        String hd = claims.getClaim("hd") instanceof String h ? h.toLowerCase(Locale.ROOT) : null;
        if (hd == null || !domains.contains(hd) || !email.contains("@") || !domains.contains(emailDomain)) {
            throw new GoogleSignInException(GoogleSignInException.Problem.NOT_ALLOWED, "Google account "
                    + claims.getSubject() + " (hd " + (hd == null ? "none: not a Workspace account" : hd)
                    + ", address at " + emailDomain + ") is not of a domain in mailroute.console.google.domains "
                    + domains + ": it signs in only when both are listed there");
        }
        String name = claims.getClaim("name") instanceof String n && !n.isBlank() ? n : email;
        return new GoogleIdentity(claims.getSubject(), email, name, hd);
    }

    private static boolean constantTimeEquals(String a, String b) {
        return b != null && java.security.MessageDigest.isEqual(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
