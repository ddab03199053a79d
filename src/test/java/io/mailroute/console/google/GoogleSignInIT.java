package io.mailroute.console.google;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mailroute.console.google.GoogleSignInException.Problem;
import io.mailroute.db.Database;
import io.mailroute.json.Json;
import io.mailroute.links.LinkBaseUrl;
import io.mailroute.links.LinkKeys;
import io.mailroute.links.SignedLinks;
import io.mailroute.sandbox.GmailSandbox;
import io.mailroute.sandbox.SandboxCredentials;
import io.mailroute.sandbox.SandboxOptions;
import io.mailroute.testing.TestDatabases;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "Sign in with Google" end to end over HTTP on loopback: the service's {@link GoogleSignIn} reads the sandbox's
 * discovery document, sends the browser (here: an HTTP client that follows nothing) to its authorization endpoint,
 * exchanges the code at its token endpoint and verifies the RS256 id_token against its JWKS.
 */
class GoogleSignInIT {

    /** Nothing listens here: the sandbox only redirects to it, and the test reads the Location. */
    private static final String CALLBACK = "http://127.0.0.1:53682/console/sign-in/google/callback";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final ObjectMapper JSON = Json.newMapper();

    private static GmailSandbox sandbox;
    private static Database db;
    private static GoogleSignIn google;

    @BeforeAll
    static void start() throws IOException {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
        sandbox.admin().addUser("mei@acme.example", "refresh-mei");
        sandbox.admin().addUser("m.chen@globex.example", "refresh-chen");
        db = TestDatabases.h2("google-sign-in");
        SandboxCredentials client = sandbox.admin().client();
        google = new GoogleSignIn(new GoogleSignInSettings(sandbox.openIdIssuer(), client.clientId(),
                client.clientSecret(), CALLBACK, Set.of("acme.example")),
                new SignedLinks(LinkKeys.of(LinkKeys.generate()), LinkBaseUrl.loopback(8080), db, Clock.systemUTC()),
                HttpClient.newHttpClient(), JSON, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        sandbox.close();
        db.close();
    }

    /** The browser's trip: the authorization URL with a login_hint, and the callback's query the sandbox redirects to. */
    private static Map<String, String> consent(GoogleSignIn.Start start, String loginHint) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(start.authorizationUrl()
                + "&login_hint=" + loginHint)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, answer.statusCode(), answer.body());
        String location = answer.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(CALLBACK + "?"), location);
        return query(location.substring(location.indexOf('?') + 1));
    }

    @Test
    void aWorkspaceAccountSignsInWithItsVerifiedAddress() throws Exception {
        GoogleSignIn.Start start = google.start("/console/items?queue=finance");
        Map<String, String> callback = consent(start, "mei@acme.example");

        GoogleSignIn.SignedIn signedIn = google.finish(callback.get("code"), callback.get("state"), null,
                start.cookieValue());

        assertEquals("mei@acme.example", signedIn.identity().email());
        assertEquals("acme.example", signedIn.identity().hostedDomain());
        assertEquals("/console/items?queue=finance", signedIn.next());
    }

    @Test
    void theAuthorizationRequestIsGooglesWithPkceAndNonce() throws Exception {
        Map<String, String> request = query(URI.create(google.start(null).authorizationUrl()).getRawQuery());
        assertEquals(sandbox.openIdIssuer() + "/o/oauth2/v2/auth",
                google.start(null).authorizationUrl().substring(0, google.start(null).authorizationUrl().indexOf('?')));
        assertEquals("openid email profile", request.get("scope"));
        assertEquals("S256", request.get("code_challenge_method"));
        assertEquals(43, request.get("code_challenge").length());
        assertEquals(43, request.get("nonce").length());
        assertEquals("acme.example", request.get("hd"));
        assertEquals(CALLBACK, request.get("redirect_uri"));
    }

    @Test
    void anAccountOfAnotherDomainIsRefusedThoughGoogleVouchesForIt() throws Exception {
        GoogleSignIn.Start start = google.start(null);
        Map<String, String> callback = consent(start, "m.chen@globex.example");
        GoogleSignInException e = assertThrows(GoogleSignInException.class,
                () -> google.finish(callback.get("code"), callback.get("state"), null, start.cookieValue()));
        assertEquals(Problem.NOT_ALLOWED, e.problem(), e.getMessage());
    }

    @Test
    void aCodeWorksOnce() throws Exception {
        GoogleSignIn.Start start = google.start(null);
        Map<String, String> callback = consent(start, "mei@acme.example");
        google.finish(callback.get("code"), callback.get("state"), null, start.cookieValue());
        GoogleSignInException e = assertThrows(GoogleSignInException.class,
                () -> google.finish(callback.get("code"), callback.get("state"), null, start.cookieValue()));
        assertEquals(Problem.STALE, e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains("invalid_grant"), e.getMessage());
    }

    @Test
    void aCallbackFromAnotherBrowsersSignInIsRefused() throws Exception {
        GoogleSignIn.Start mine = google.start(null);
        GoogleSignIn.Start theAttackers = google.start(null);
        Map<String, String> attackersCallback = consent(theAttackers, "mei@acme.example");
        GoogleSignInException e = assertThrows(GoogleSignInException.class, () -> google.finish(
                attackersCallback.get("code"), attackersCallback.get("state"), null, mine.cookieValue()));
        assertEquals(Problem.STALE, e.problem(), e.getMessage());
        GoogleSignInException noCookie = assertThrows(GoogleSignInException.class, () -> google.finish(
                attackersCallback.get("code"), attackersCallback.get("state"), null, null));
        assertEquals(Problem.STALE, noCookie.problem(), noCookie.getMessage());
    }

    @Test
    void aChangedCookieIsRefused() throws Exception {
        GoogleSignIn.Start start = google.start("/console/");
        Map<String, String> callback = consent(start, "mei@acme.example");
        String cookie = start.cookieValue();
        String changed = cookie.substring(0, 40) + (cookie.charAt(40) == 'A' ? 'B' : 'A') + cookie.substring(41);
        GoogleSignInException e = assertThrows(GoogleSignInException.class,
                () -> google.finish(callback.get("code"), callback.get("state"), null, changed));
        assertEquals(Problem.STALE, e.problem(), e.getMessage());
    }

    @Test
    void aDeclinedConsentSaysSo() throws Exception {
        GoogleSignIn.Start start = google.start(null);
        String state = query(URI.create(start.authorizationUrl()).getRawQuery()).get("state");
        GoogleSignInException e = assertThrows(GoogleSignInException.class,
                () -> google.finish(null, state, "access_denied", start.cookieValue()));
        assertEquals(Problem.CANCELLED, e.problem(), e.getMessage());
    }

    @Test
    void nextGoesOnlyToLocalPaths() throws Exception {
        for (String elsewhere : new String[] {"https://evil.example/", "//evil.example/console/", "/\\evil.example",
                "/console/\r\nSet-Cookie: x=y", null}) {
            GoogleSignIn.Start start = google.start(elsewhere);
            Map<String, String> callback = consent(start, "mei@acme.example");
            assertEquals(io.mailroute.console.NextPath.DEFAULT, google.finish(callback.get("code"), callback.get("state"), null,
                    start.cookieValue()).next(), String.valueOf(elsewhere));
        }
    }

    @Test
    void theSandboxPublishesGooglesDiscoveryAndKeys() throws Exception {
        JsonNode discovery = get(sandbox.openIdIssuer() + "/.well-known/openid-configuration");
        assertEquals(sandbox.openIdIssuer(), discovery.path("issuer").asText());
        assertEquals("RS256", discovery.path("id_token_signing_alg_values_supported").path(0).asText());
        JWKSet keys = JWKSet.parse(get(discovery.path("jwks_uri").asText()).toString());
        assertEquals(1, keys.getKeys().size());
        assertEquals("RSA", keys.getKeys().get(0).getKeyType().getValue());
        assertFalse(keys.getKeys().get(0).isPrivate(), "the JWKS shows the public half only");
    }

    @Test
    void theTokenEndpointAnswersASignInWithGooglesIdTokenAndNoRefreshToken() throws Exception {
        SandboxCredentials client = sandbox.admin().client();
        String verifier = "v".repeat(43);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String authorize = sandbox.authorizationUrl() + "?response_type=code&client_id=" + client.clientId()
                + "&redirect_uri=" + URLEncoder.encode(CALLBACK, StandardCharsets.UTF_8)
                + "&scope=openid%20email%20profile&nonce=n-42&state=s-42&code_challenge=" + challenge
                + "&code_challenge_method=S256&login_hint=mei%40acme.example";
        HttpResponse<String> consented = HTTP.send(HttpRequest.newBuilder(URI.create(authorize)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        String location = consented.headers().firstValue("Location").orElseThrow();
        Map<String, String> callback = query(location.substring(location.indexOf('?') + 1));
        assertEquals("s-42", callback.get("state"));

        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id=" + client.clientId()
                        + "&client_secret=" + client.clientSecret() + "&code=" + URLEncoder.encode(callback.get("code"),
                        StandardCharsets.UTF_8) + "&code_verifier=" + verifier + "&redirect_uri="
                        + URLEncoder.encode(CALLBACK, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode token = JSON.readTree(answer.body());
        assertFalse(token.has("refresh_token"), answer.body());
        assertEquals("openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
                token.path("scope").asText());
        SignedJWT idToken = SignedJWT.parse(token.path("id_token").asText());
        assertEquals(JWSAlgorithm.RS256, idToken.getHeader().getAlgorithm());
        JWKSet keys = JWKSet.parse(get(sandbox.openIdIssuer() + "/oauth2/v3/certs").toString());
        assertTrue(idToken.verify(new RSASSAVerifier(keys.getKeyByKeyId(idToken.getHeader().getKeyID()).toRSAKey())));
        JWTClaimsSet claims = idToken.getJWTClaimsSet();
        assertEquals(sandbox.openIdIssuer(), claims.getIssuer());
        assertEquals(java.util.List.of(client.clientId()), claims.getAudience());
        assertEquals("mei@acme.example", claims.getStringClaim("email"));
        assertEquals(Boolean.TRUE, claims.getBooleanClaim("email_verified"));
        assertEquals("acme.example", claims.getStringClaim("hd"));
        assertEquals("n-42", claims.getStringClaim("nonce"));
        assertTrue(claims.getSubject().matches("[0-9]{1,21}"), claims.getSubject());
        assertEquals(3600, (claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()) / 1000);

        HttpResponse<String> wrongSecret = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id=" + client.clientId()
                        + "&client_secret=wrong&code=x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrongSecret.statusCode(), wrongSecret.body());
        assertEquals("invalid_client", JSON.readTree(wrongSecret.body()).path("error").asText());
    }

    @Test
    void withoutLoginHintThePersonChoosesAnAccount() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(google.start(null).authorizationUrl()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("login_hint=mei%40acme.example"), page.body());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), url);
        return JSON.readTree(answer.body());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
