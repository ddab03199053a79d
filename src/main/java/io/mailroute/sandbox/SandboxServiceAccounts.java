package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The sandbox's one Google service account and its token endpoint ({@value #TOKEN_PATH}, the JWT bearer grant),
 * shared by every Google Cloud API the sandbox plays (FCM, Pub/Sub): the RSA key is made when the sandbox starts
 * ({@link #serviceAccountJson}), the endpoint checks the assertion's RS256 signature, {@code iss}, {@code aud},
 * {@code scope} and lifetime, and issues a bearer token carrying the requested scopes; each API then asks
 * {@link #validAccessToken} whether a token may call it.
 */
final class SandboxServiceAccounts implements HttpHandler {

    /** Google's older token endpoint name (still served by Google), so it does not clash with the user OAuth {@code /token}. */
    static final String TOKEN_PATH = "/oauth2/v4/token";
    static final String PROJECT_ID = "mailroute-sandbox";
    static final String CLIENT_EMAIL = "mailroute-push@mailroute-sandbox.iam.gserviceaccount.com";
    static final String CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
    static final int ACCESS_TOKEN_SECONDS = 3599;
    /**
     * The assertion's {@code aud}: Google's token endpoint, whatever host the exchange is posted to (Google's
     * libraries always name it, even when {@code token_uri} points elsewhere); the older names Google still accepts.
     */
    static final List<String> GOOGLE_TOKEN_AUDIENCES = List.of("https://oauth2.googleapis.com/token",
            "https://www.googleapis.com/oauth2/v4/token", "https://accounts.google.com/o/oauth2/token");
    private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private record AccessToken(Instant expiry, Set<String> scopes) {
    }

    private final Clock clock;
    private final Set<String> knownScopes;
    private final KeyPair keys;
    private final String privateKeyId;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, AccessToken> accessTokens = new HashMap<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private int accessTokenSeconds = ACCESS_TOKEN_SECONDS;

    /** @param knownScopes the scopes of the APIs the sandbox plays; an assertion must ask for at least one */
    SandboxServiceAccounts(Clock clock, Set<String> knownScopes) {
        this.clock = clock;
        this.knownScopes = Set.copyOf(knownScopes);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair(); // per sandbox start: nothing secret is ever committed
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is part of every JDK", e);
        }
        this.privateKeyId = randomHex(20);
    }

    /** The JSON key file of the service account, its {@code token_uri} this endpoint under the given root. */
    String serviceAccountJson(String sandboxRootUrl) {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode json = HttpExchanges.JSON.createObjectNode()
                .put("type", "service_account")
                .put("project_id", PROJECT_ID)
                .put("private_key_id", privateKeyId)
                .put("private_key", pem)
                .put("client_email", CLIENT_EMAIL)
                .put("client_id", "100000000000000000001")
                .put("auth_uri", sandboxRootUrl + "o/oauth2/auth")
                .put("token_uri", sandboxRootUrl + TOKEN_PATH.substring(1));
        return json.toPrettyString();
    }

    /** Whether {@code token} was issued here, is unexpired and carries one of {@code allowingScopes}. */
    synchronized boolean validAccessToken(String token, Set<String> allowingScopes) {
        AccessToken issued = accessTokens.get(token);
        return issued != null && clock.instant().isBefore(issued.expiry())
                && issued.scopes().stream().anyMatch(allowingScopes::contains);
    }

    /** Every access token issued so far stops working, as when Google revokes them early. */
    synchronized void revokeAccessTokens() {
        accessTokens.clear();
    }

    /** Lifetime of the access tokens issued from now on. */
    synchronized void setAccessTokenSeconds(int seconds) {
        this.accessTokenSeconds = seconds;
    }

    /** How many token requests arrived (granted or not): a client should make few. */
    int tokenRequests() {
        return tokenRequests.get();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().equals(TOKEN_PATH)) {
            oauthError(exchange, "invalid_request", "Use POST " + TOKEN_PATH);
            return;
        }
        tokenRequests.incrementAndGet();
        Map<String, List<String>> form = HttpExchanges.parseParams(
                new String(HttpExchanges.body(exchange), StandardCharsets.UTF_8));
        String grantType = HttpExchanges.first(form, "grant_type");
        if (!JWT_BEARER.equals(grantType)) {
            oauthError(exchange, "unsupported_grant_type", "Invalid grant_type: " + grantType);
            return;
        }
        String assertion = HttpExchanges.first(form, "assertion");
        String[] parts = assertion == null ? new String[0] : assertion.split("\\.", -1);
        JsonNode claims;
        try {
            if (parts.length != 3) {
                throw new IllegalArgumentException();
            }
            Base64.Decoder base64url = Base64.getUrlDecoder();
            JsonNode header = HttpExchanges.JSON.readTree(base64url.decode(parts[0]));
            claims = HttpExchanges.JSON.readTree(base64url.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText()) || !verifyRs256(parts, base64url.decode(parts[2]))) {
                oauthError(exchange, "invalid_grant", "Invalid JWT Signature.");
                return;
            }
        } catch (IllegalArgumentException | IOException e) {
            oauthError(exchange, "invalid_grant", "Invalid JWT: the assertion is not a signed JWT.");
            return;
        }
        long now = clock.instant().getEpochSecond();
        long iat = claims.path("iat").asLong(-1);
        long exp = claims.path("exp").asLong(-1);
        Set<String> scopes = Arrays.stream(claims.path("scope").asText("").split(" "))
                .filter(knownScopes::contains).collect(Collectors.toUnmodifiableSet());
        if (!CLIENT_EMAIL.equals(claims.path("iss").asText())) {
            oauthError(exchange, "invalid_grant", "Invalid email or User ID");
        } else if (!GOOGLE_TOKEN_AUDIENCES.contains(claims.path("aud").asText())) {
            oauthError(exchange, "invalid_grant", "Invalid JWT: Failed audience check. The expected audience is "
                    + GOOGLE_TOKEN_AUDIENCES.get(0) + ".");
        } else if (iat < 0 || exp <= iat || exp - iat > 3600 || exp <= now || iat > now + 60) {
            oauthError(exchange, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in"
                    + " a reasonable timeframe. Check your iat and exp values in the JWT claim.");
        } else if (scopes.isEmpty()) {
            oauthError(exchange, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        } else {
            String accessToken = "ya29.sandbox-" + randomHex(24);
            int lifetime;
            synchronized (this) {
                lifetime = accessTokenSeconds;
                accessTokens.put(accessToken, new AccessToken(clock.instant().plusSeconds(lifetime), scopes));
            }
            exchange.getResponseHeaders().set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
            HttpExchanges.sendJson(exchange, 200, HttpExchanges.JSON.createObjectNode()
                    .put("access_token", accessToken)
                    .put("expires_in", lifetime)
                    .put("token_type", "Bearer"));
        }
    }

    private boolean verifyRs256(String[] parts, byte[] signature) {
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(keys.getPublic());
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return rs256.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void oauthError(HttpExchange exchange, String error, String description) throws IOException {
        HttpExchanges.sendJson(exchange, 400, HttpExchanges.JSON.createObjectNode()
                .put("error", error)
                .put("error_description", description));
    }

    String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
