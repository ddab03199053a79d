package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Locale;
import java.util.Set;

/**
 * Google's OpenID Connect provider as "Sign in with Google" uses it: the discovery document
 * ({@value #DISCOVERY_PATH}), the keys that sign id_tokens ({@value #JWKS_PATH}: an RSA key made when the sandbox
 * starts, with its key id) and the id_token itself, which the token endpoint adds when the authorization asked for
 * scope {@code openid}. The claims are Google's: iss, azp, aud, sub, hd, email, email_verified, at_hash, name, nonce,
 * iat, exp. Every sandbox user is a verified account of a Workspace domain (its address's domain, the hd claim),
 * except addresses at Google's consumer domains, which carry no hd, as at Google.
 */
final class OpenIdProvider implements HttpHandler {

    static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    /** Google's {@code https://www.googleapis.com/oauth2/v3/certs}. */
    static final String JWKS_PATH = "/oauth2/v3/certs";
    /** Google's id_tokens live an hour. */
    static final Duration ID_TOKEN_LIFETIME = Duration.ofHours(1);
    private static final Set<String> CONSUMER_DOMAINS = Set.of("gmail.com", "googlemail.com");

    private final String issuer;
    private final RSAKey key;
    private final RSASSASigner signer;
    private final Clock clock;

    /** @param issuer the sandbox's root URL without the trailing slash, e.g. {@code http://127.0.0.1:8025} */
    OpenIdProvider(String issuer, Clock clock) {
        this.issuer = issuer;
        this.clock = clock;
        try {
            this.key = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                    .keyIDFromThumbprint(true).generate();
            this.signer = new RSASSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make the sandbox's id_token signing key: " + e.getMessage(), e);
        }
    }

    String issuer() {
        return issuer;
    }

    /** The id of the key id_tokens are signed with (the {@code kid} in their header and in the JWKS). */
    String keyId() {
        return key.getKeyID();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            HttpExchanges.send(exchange, 405, "text/plain; charset=UTF-8", "Use GET.".getBytes(StandardCharsets.UTF_8));
        } else if (path.equals(DISCOVERY_PATH)) {
            exchange.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
            HttpExchanges.sendJson(exchange, 200, discovery());
        } else if (path.equals(JWKS_PATH)) {
            exchange.getResponseHeaders().set("Cache-Control", "public, max-age=3600");
            HttpExchanges.send(exchange, 200, "application/json; charset=UTF-8",
                    new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8));
        } else {
            HttpExchanges.sendError(exchange, GmailErrors.notFound());
        }
    }

    /** What Google's discovery document says, for what the sandbox serves. */
    ObjectNode discovery() {
        ObjectNode doc = HttpExchanges.JSON.createObjectNode()
                .put("issuer", issuer)
                .put("authorization_endpoint", issuer + OAuthAuthorizationHandler.PATH)
                .put("token_endpoint", issuer + "/token")
                .put("revocation_endpoint", issuer + "/revoke")
                .put("jwks_uri", issuer + JWKS_PATH);
        doc.putArray("response_types_supported").add("code");
        doc.putArray("subject_types_supported").add("public");
        doc.putArray("id_token_signing_alg_values_supported").add("RS256");
        doc.putArray("scopes_supported").add("openid").add("email").add("profile");
        doc.putArray("token_endpoint_auth_methods_supported").add("client_secret_post").add("client_secret_basic");
        Arrays.asList("aud", "email", "email_verified", "exp", "hd", "iat", "iss", "name", "nonce", "sub")
                .forEach(doc.withArray("claims_supported")::add);
        doc.putArray("code_challenge_methods_supported").add("plain").add("S256");
        doc.putArray("grant_types_supported").add("authorization_code").add("refresh_token");
        return doc;
    }

    /** The id_token for a code exchanged by {@code clientId}, for the user at {@code address}. */
    String idToken(String address, String clientId, OAuthTokenStore.SignIn signIn, String accessToken) {
        Instant now = clock.instant();
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .claim("azp", clientId)
                .audience(clientId)
                .subject(subject(address))
                .claim("at_hash", accessTokenHash(accessToken))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ID_TOKEN_LIFETIME)));
        if (!CONSUMER_DOMAINS.contains(domain)) {
            claims.claim("hd", domain);
        }
        if (signIn.scopes().contains(OpenIdScope.EMAIL)) {
            claims.claim("email", address).claim("email_verified", true);
        }
        if (signIn.scopes().contains(OpenIdScope.PROFILE)) {
            claims.claim("name", address.substring(0, address.lastIndexOf('@')));
        }
        if (signIn.nonce() != null) {
            claims.claim("nonce", signIn.nonce());
        }
        return sign(claims.build());
    }

    /**
     * The ID token Pub/Sub puts on a push request ({@code pushConfig.oidcToken}): Google's claims for a service
     * account, {@code aud} the configured audience (Google: the push endpoint when none is configured).
     */
    String pushToken(String serviceAccountEmail, String audience) {
        return pushToken(serviceAccountEmail, audience, clock.instant());
    }

    /** A push token issued at {@code now} (in the past: an expired one, for tests of a verifier). */
    String pushToken(String serviceAccountEmail, String audience, Instant now) {
        return sign(new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(subject(serviceAccountEmail))
                .claim("azp", subject(serviceAccountEmail))
                .claim("email", serviceAccountEmail)
                .claim("email_verified", true)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ID_TOKEN_LIFETIME)))
                .build());
    }

    private String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the id_token: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** Google's sub: a stable string of up to 21 digits per account; here from the address, so it survives restarts. */
    static String subject(String address) {
        byte[] digest = sha256(address.toLowerCase(Locale.ROOT));
        return new BigInteger(1, Arrays.copyOf(digest, 8)).toString();
    }

    /** OpenID Connect's at_hash: the left half of the access token's SHA-256, base64url. */
    private static String accessTokenHash(String accessToken) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha256(accessToken), 16));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
