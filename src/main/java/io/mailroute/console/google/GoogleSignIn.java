package io.mailroute.console.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import io.mailroute.links.LinkCheck;
import io.mailroute.links.SignedLink;
import io.mailroute.links.SignedLinks;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * "Sign in with Google" for the console: OpenID Connect's authorization-code flow with PKCE (S256) and a nonce,
 * against Google or the sandbox playing it.
 *
 * <pre>{@code
 * // GET /console/sign-in/google?next=/console/items
 * GoogleSignIn.Start start = google.start(next);
 * // 303 to start.authorizationUrl(), Set-Cookie: google.cookie(start)
 *
 * // GET /console/sign-in/google/callback?code=...&state=...   (or ?error=access_denied&state=...)
 * GoogleSignIn.SignedIn done = google.finish(code, state, error, cookieValue);
 * // done.identity().email() is verified and of an allowed domain: sign that user in, 303 to done.next()
 * }</pre>
 *
 * What must survive the trip to Google (state, nonce, PKCE verifier, where to go next) is kept in a short-lived
 * cookie signed by {@link SignedLinks} (one mechanism for signed things), not on the server: any instance can finish
 * what another started, and the cookie binds the callback to the browser that started it, so a code and state
 * from someone else's sign-in cannot sign this browser in (login CSRF). The cookie is signed, not encrypted: the
 * verifier in it is the browser's own, and it is HttpOnly, bound to the sign-in paths and gone in ten minutes.
 */
public final class GoogleSignIn {

    /** The cookie that carries a sign-in from {@link #start} to {@link #finish}. */
    public static final String COOKIE = "mailroute_google_signin";
    /** Where the cookie is sent: the start page and the callback below it. */
    public static final String COOKIE_PATH = "/console/sign-in/google";
    /** How long a person has at Google before the sign-in must start again (Google's codes live as long). */
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    static final String PURPOSE = "console.google-sign-in";
    static final String SCOPE = "openid email profile";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final int JWKS_SIZE_LIMIT = 64 * 1024;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** Where to send the browser, and the value of the {@link #COOKIE} to set on the way. */
    public record Start(String authorizationUrl, String cookieValue) {
        @Override
        public String toString() {
            return "Start[" + authorizationUrl.substring(0, authorizationUrl.indexOf('?')) + "]";
        }
    }

    /** A verified, allowed Google account, and the local path the person asked to go to. */
    public record SignedIn(GoogleIdentity identity, String next) {
    }

    /** The provider's endpoints and the verifier with its cached keys, read from the discovery document once. */
    private record Provider(OpenIdConfiguration config, IdTokenVerifier verifier) {
    }

    private final GoogleSignInSettings settings;
    private final SignedLinks links;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile Provider provider;

    public GoogleSignIn(GoogleSignInSettings settings, SignedLinks links, HttpClient http, ObjectMapper json,
            Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.links = Objects.requireNonNull(links, "links");
        this.http = Objects.requireNonNull(http, "http");
        this.json = Objects.requireNonNull(json, "json");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public GoogleSignInSettings settings() {
        return settings;
    }

    /**
     * A new sign-in: the provider's authorization URL (state, nonce, PKCE S256 challenge, scope
     * {@value #SCOPE}, and {@code hd} to show only the allowed domain's accounts) and the cookie that remembers it.
     *
     * @param next where to go after signing in, untrusted: anything but a local path becomes {@link io.mailroute.console.NextPath#DEFAULT}
     * @throws GoogleSignInException {@code PROVIDER_FAILED} when the discovery document cannot be read
     */
    public Start start(String next) throws GoogleSignInException {
        OpenIdConfiguration config = provider().config();
        String state = randomToken();
        String nonce = randomToken();
        String verifier = randomToken();
        String cookie = links.issue(PURPOSE, state + "." + nonce + "." + verifier, io.mailroute.console.NextPath.orDefault(next),
                clock.instant().plus(LIFETIME), false);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", settings.redirectUri());
        query.put("scope", SCOPE);
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", BASE64URL.encodeToString(sha256(verifier)));
        query.put("code_challenge_method", "S256");
        query.put("hd", settings.domains().size() == 1 ? settings.domains().iterator().next() : "*");
        query.put("prompt", "select_account");
        return new Start(config.authorizationEndpoint() + (config.authorizationEndpoint().contains("?") ? "&" : "?")
                + form(query), cookie);
    }

    /**
     * The callback: checks the cookie and state, exchanges the code at the token endpoint (with the PKCE verifier
     * and the client secret) and verifies the id_token ({@link IdTokenVerifier}).
     *
     * @param code        the callback's {@code code}, untrusted
     * @param state       its {@code state}, untrusted
     * @param error       its {@code error} (the person declined, or the provider refused), or null
     * @param cookieValue the {@link #COOKIE} the browser sent, or null
     */
    public SignedIn finish(String code, String state, String error, String cookieValue) throws GoogleSignInException {
        LinkCheck check = links.verify(cookieValue, PURPOSE);
        if (!(check instanceof LinkCheck.Valid valid)) {
            throw new GoogleSignInException(GoogleSignInException.Problem.STALE, "Google sign-in callback without a"
                    + " valid " + COOKIE + " cookie (" + ((LinkCheck.Refused) check).reason() + "): the sign-in took"
                    + " longer than " + LIFETIME.toMinutes() + " minutes, or did not start in this browser");
        }
        SignedLink link = valid.link();
        String[] kept = link.subjectId().split("\\.", -1);
        if (kept.length != 3 || state == null || !MessageDigest.isEqual(kept[0].getBytes(StandardCharsets.US_ASCII),
                state.getBytes(StandardCharsets.UTF_8))) {
            throw new GoogleSignInException(GoogleSignInException.Problem.STALE, "Google sign-in callback whose state"
                    + " is not the one this browser's sign-in sent: another sign-in in this browser, or a forged"
                    + " callback");
        }
        if (error != null) {
            throw new GoogleSignInException(GoogleSignInException.Problem.CANCELLED, "Google sign-in came back with"
                    + " error=" + error.replaceAll("[^A-Za-z0-9_.-]", "?") + " (access_denied: the person declined)");
        }
        if (code == null || code.isEmpty()) {
            throw new GoogleSignInException(GoogleSignInException.Problem.STALE, "Google sign-in callback without"
                    + " a code");
        }
        Provider current = provider();
        String idToken = exchange(current.config(), code, kept[2]);
        return new SignedIn(current.verifier().verify(idToken, kept[1]), link.recipient());
    }

    /** The {@code Set-Cookie} value that carries {@link Start#cookieValue()} to the callback. */
    public String cookie(Start start) {
        return COOKIE + "=" + start.cookieValue() + "; Path=" + COOKIE_PATH + "; Max-Age=" + LIFETIME.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (settings.secureCookies() ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that removes the sign-in's cookie once it is finished, either way. */
    public String clearCookie() {
        return COOKIE + "=; Path=" + COOKIE_PATH + "; Max-Age=0; HttpOnly; SameSite=Lax"
                + (settings.secureCookies() ? "; Secure" : "");
    }

    // ---- the provider

    private Provider provider() throws GoogleSignInException {
        Provider known = provider;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (provider == null) {
                OpenIdConfiguration config = OpenIdConfiguration.fetch(http, json, settings.issuer(), HTTP_TIMEOUT);
                provider = new Provider(config, new IdTokenVerifier(config.issuer(), settings.clientId(),
                        settings.domains(), keys(config), clock));
            }
            return provider;
        }
    }

    /** The provider's JWKS, cached (five minutes, refreshed ahead, and at once for an unknown key id), retried once. */
    private static JWKSource<SecurityContext> keys(OpenIdConfiguration config) throws GoogleSignInException {
        int millis = (int) HTTP_TIMEOUT.toMillis();
        try {
            return JWKSourceBuilder.<SecurityContext>create(URI.create(config.jwksUri()).toURL(),
                    new DefaultResourceRetriever(millis, millis, JWKS_SIZE_LIMIT)).retrying(true).build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new GoogleSignInException(GoogleSignInException.Problem.PROVIDER_FAILED, "The discovery document"
                    + " of " + config.issuer() + " names jwks_uri " + config.jwksUri() + ", which is no URL", e);
        }
    }

    /** The code for the id_token at the token endpoint (client_secret_post, with the PKCE verifier). */
    private String exchange(OpenIdConfiguration config, String code, String verifier) throws GoogleSignInException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", settings.redirectUri());
        form.put("client_id", settings.clientId());
        form.put("client_secret", settings.clientSecret());
        form.put("code_verifier", verifier);
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(config.tokenEndpoint())).timeout(HTTP_TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form(form))).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new GoogleSignInException(GoogleSignInException.Problem.PROVIDER_FAILED, "Cannot reach the token"
                    + " endpoint " + config.tokenEndpoint() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GoogleSignInException(GoogleSignInException.Problem.PROVIDER_FAILED, "Interrupted", e);
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        String error = body != null && body.path("error").isTextual() ? body.path("error").asText() : null;
        if (response.statusCode() != 200 || error != null || body == null) {
            String description = body == null ? "" : body.path("error_description").asText("");
            if ("invalid_grant".equals(error)) {
                throw new GoogleSignInException(GoogleSignInException.Problem.STALE, "The token endpoint "
                        + config.tokenEndpoint() + " refused the code: invalid_grant (" + description + "): used"
                        + " already, too old, or not this sign-in's");
            }
            throw new GoogleSignInException(GoogleSignInException.Problem.PROVIDER_FAILED, "The token endpoint "
                    + config.tokenEndpoint() + " answered HTTP " + response.statusCode() + " " + error + " ("
                    + description + ")" + ("invalid_client".equals(error) ? ": check " + GoogleSignInSettings.CLIENT_ID_ENV
                    + " and " + GoogleSignInSettings.CLIENT_SECRET_ENV + " against the OAuth client at Google" : ""));
        }
        JsonNode idToken = body.path("id_token");
        if (!idToken.isTextual()) {
            throw new GoogleSignInException(GoogleSignInException.Problem.INVALID_TOKEN, "The token endpoint "
                    + config.tokenEndpoint() + " answered without an id_token: is scope openid granted?");
        }
        return idToken.asText();
    }

    // ---- small helpers

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return BASE64URL.encodeToString(bytes); // 43 characters: also a valid PKCE verifier (RFC 7636)
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
