package io.mailroute.console.google;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import io.mailroute.oidc.IdTokenCheck;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a Google id_token with nimbus-jose-jwt, as Google's "Authenticate with a backend server" asks: signed
 * with RS256 by a key of the provider's JWKS (no other algorithm, no unsigned token), {@code iss} the provider
 * (Google's also as {@code accounts.google.com}), {@code aud} this client (and {@code azp} too when there are several
 * audiences), {@code exp} not passed and {@code iat} not in the future (each with {@link #CLOCK_SKEW}), {@code nonce}
 * the one this sign-in sent, {@code email_verified} true (the common checks are {@link IdTokenCheck}'s); then the
 * Workspace rule: the {@code hd} claim and the
 * email's domain both among the allowed domains.
 */
final class IdTokenVerifier {

    /** How far the provider's clock may be off ours. */
    static final Duration CLOCK_SKEW = IdTokenCheck.CLOCK_SKEW;

    private final String issuer;
    private final String clientId;
    private final Set<String> domains;
    private final IdTokenCheck check;

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
        this.check = new IdTokenCheck(IdTokenCheck.issuers(issuer), clientId, Set.of("sub", "nonce", "email"), keys, clock);
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
            claims = check.verify(idToken, c -> signInClaims(c, expectedNonce));
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new GoogleSignInException(GoogleSignInException.Problem.INVALID_TOKEN,
                    "The id_token from " + issuer + " was refused: " + e.getMessage(), e);
        }
        return allowed(claims);
    }

    /** azp when there are several audiences, and the nonce of this sign-in. */
    private void signInClaims(JWTClaimsSet claims, String expectedNonce) throws BadJWTException {
        List<String> audience = claims.getAudience();
        Object azp = claims.getClaim("azp");
        if (audience.size() > 1 && !clientId.equals(azp)) {
            throw new BadJWTException("several audiences, and azp is not this client");
        }
        if (!IdTokenCheck.constantTimeEquals(claims.getClaim("nonce"), expectedNonce)) {
            throw new BadJWTException("nonce is not the one this sign-in sent");
        }
    }

    /** The account, once its email is verified and its domain allowed. */
    private GoogleIdentity allowed(JWTClaimsSet claims) throws GoogleSignInException {
        String email = claims.getClaim("email") instanceof String e ? e : "";
        if (!IdTokenCheck.emailVerified(claims)) {
            throw new GoogleSignInException(GoogleSignInException.Problem.NOT_ALLOWED, "Google says the address of"
                    + " account " + claims.getSubject() + " is not verified (email_verified "
                    + claims.getClaim("email_verified") + "), so it cannot sign in: the person verifies it at Google first");
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
}
