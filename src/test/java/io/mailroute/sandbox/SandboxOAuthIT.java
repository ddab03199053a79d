package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.auth.oauth2.AuthorizationCodeRequestUrl;
import com.google.api.client.auth.oauth2.AuthorizationCodeResponseUrl;
import com.google.api.client.auth.oauth2.AuthorizationCodeTokenRequest;
import com.google.api.client.auth.oauth2.ClientParametersAuthentication;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.services.gmail.Gmail;
import com.google.api.services.gmail.model.Message;
import com.google.api.services.gmail.model.ModifyMessageRequest;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.UserCredentials;
import io.mailroute.gmail.TokenRefusal;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connect flow as an installed app runs it against Google, with Google's own OAuth classes: authorization
 * URL, consent redirect, code exchange with PKCE, then the unmodified Gmail client on the granted scopes.
 */
class SandboxOAuthIT {

    /** Nothing listens here: the sandbox only redirects to it and the test reads the Location. */
    private static final String REDIRECT = "http://127.0.0.1:53682/callback";
    private static final String CLIENT_ID = OAuthTokenStore.DEFAULT_CLIENT_ID;
    private static final String CLIENT_SECRET = OAuthTokenStore.DEFAULT_CLIENT_SECRET;
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static GmailSandbox sandbox;

    @BeforeAll
    static void startSandbox() throws IOException {
        sandbox = GmailSandbox.start(SandboxOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stopSandbox() {
        sandbox.close();
    }

    // ---- the flow, as an app writes it

    private static String newUser(String name) {
        return SandboxTestClients.newUser(sandbox, name).address();
    }

    private static String newVerifier() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String s256(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    private static String authorizationUrl(String user, String state, String verifier, String... scopes)
            throws Exception {
        return new AuthorizationCodeRequestUrl(sandbox.authorizationUrl(), CLIENT_ID)
                .setRedirectUri(REDIRECT)
                .setScopes(List.of(scopes))
                .setState(state)
                .set("code_challenge", s256(verifier))
                .set("code_challenge_method", "S256")
                .set("login_hint", user)
                .set("access_type", "offline")
                .build();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens the URL as the browser would and reads where the sandbox sends it back. */
    private static AuthorizationCodeResponseUrl consent(String url) throws Exception {
        HttpResponse<String> response = get(url);
        assertEquals(302, response.statusCode(), response.body());
        String location = response.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(REDIRECT + "?"), location);
        return new AuthorizationCodeResponseUrl(location);
    }

    private static TokenResponse exchange(String code, String verifier) throws IOException {
        return exchange(code, verifier, REDIRECT);
    }

    private static TokenResponse exchange(String code, String verifier, String redirectUri) throws IOException {
        return new AuthorizationCodeTokenRequest(new NetHttpTransport(), SandboxTestClients.JSON_FACTORY,
                new GenericUrl(sandbox.tokenUrl()), code)
                .setRedirectUri(redirectUri)
                .setClientAuthentication(new ClientParametersAuthentication(CLIENT_ID, CLIENT_SECRET))
                .set("code_verifier", verifier)
                .execute();
    }

    private static TokenResponse connect(String user, String... scopes) throws Exception {
        String verifier = newVerifier();
        return exchange(consent(authorizationUrl(user, "s", verifier, scopes)).getCode(), verifier);
    }

    /** The grant as the code exchange left it: its refresh token, and the access token it already handed out. */
    private static UserCredentials credentials(TokenResponse token) {
        return SandboxTestClients.credentialsBuilder(sandbox, CLIENT_ID, CLIENT_SECRET, token.getRefreshToken())
                .setAccessToken(new AccessToken(token.getAccessToken(),
                        new java.util.Date(System.currentTimeMillis() + token.getExpiresInSeconds() * 1000)))
                .build();
    }

    private static Gmail gmail(TokenResponse token) {
        return SandboxTestClients.gmail(sandbox, credentials(token));
    }

    private static Message rawMessage(String from, String to, String subject) {
        return new Message().encodeRaw(SandboxTestClients.mail(from, to, subject, "hello"));
    }

    // ---- the flow

    @Test
    void aReadonlyGrantReadsMailThroughTheUnmodifiedGmailClientAndNothingMore() throws Exception {
        String user = newUser("reader");
        String id = sandbox.admin().insert(user, SandboxTestClients.mail("a@example.com", user, "Hi", "hello"),
                List.of("INBOX", "UNREAD"));
        String verifier = newVerifier();
        String state = "csrf <b>&amp; \"quoted\" + spaces/slashes?";

        AuthorizationCodeResponseUrl response = consent(authorizationUrl(user, state, verifier,
                GmailScope.GMAIL_READONLY.uri()));
        assertNull(response.getError());
        assertEquals(state, response.getState());
        assertEquals(GmailScope.GMAIL_READONLY.uri(), response.getFirst("scope"));

        TokenResponse token = exchange(response.getCode(), verifier);
        assertEquals(GmailScope.GMAIL_READONLY.uri(), token.getScope());
        assertEquals("Bearer", token.getTokenType());
        assertEquals(3599L, token.getExpiresInSeconds());
        assertNotNull(token.getRefreshToken());
        assertEquals(Set.of(GmailScope.GMAIL_READONLY), sandbox.admin().grantedScopes(token.getRefreshToken()));

        Gmail gmail = gmail(token);
        assertEquals(List.of(id), gmail.users().messages().list("me").execute().getMessages().stream()
                .map(Message::getId).toList());
        assertEquals("Hi", gmail.users().messages().get("me", id).setFormat("metadata").execute().getPayload()
                .getHeaders().stream().filter(h -> h.getName().equals("Subject")).findFirst().orElseThrow()
                .getValue());
        assertEquals(user, gmail.users().getProfile("me").execute().getEmailAddress());
        GoogleJsonResponseException modify = assertThrows(GoogleJsonResponseException.class, () -> gmail.users()
                .messages().modify("me", id, new ModifyMessageRequest().setRemoveLabelIds(List.of("UNREAD")))
                .execute());
        assertEquals(403, modify.getStatusCode());
    }

    @Test
    void aSendOnlyGrantSendsButHistoryListIsInsufficientPermissions() throws Exception {
        String user = newUser("sender");
        Gmail gmail = gmail(connect(user, GmailScope.GMAIL_SEND.uri()));

        Message sent = gmail.users().messages().send("me", rawMessage(user, "someone@example.com", "Out")).execute();
        assertTrue(sent.getLabelIds().contains("SENT"), sent.toString());

        GoogleJsonResponseException e = assertThrows(GoogleJsonResponseException.class,
                () -> gmail.users().history().list("me").setStartHistoryId(BigInteger.ONE).execute());
        assertEquals(403, e.getStatusCode());
        assertEquals("Request had insufficient authentication scopes.", e.getDetails().getMessage());
        assertEquals("insufficientPermissions", e.getDetails().getErrors().get(0).getReason());
        assertEquals("Insufficient Permission", e.getDetails().getErrors().get(0).getMessage());
        assertEquals("PERMISSION_DENIED", e.getDetails().get("status"));
        GoogleJsonError.Details info = e.getDetails().getDetails().get(0);
        assertEquals("type.googleapis.com/google.rpc.ErrorInfo", info.getType());
        assertEquals("ACCESS_TOKEN_SCOPE_INSUFFICIENT", info.getReason());
        assertEquals("caribou.api.proto.MailboxService.ListHistory", ((Map<?, ?>) info.get("metadata")).get("method"));
        String challenge = e.getHeaders().getAuthenticate();
        assertTrue(challenge.contains("error=\"insufficient_scope\""), challenge);
        assertTrue(challenge.contains(GmailScope.GMAIL_READONLY.uri()), challenge);
    }

    @Test
    void aWrongVerifierIsInvalidGrant() throws Exception {
        String verifier = newVerifier();
        AuthorizationCodeResponseUrl response = consent(authorizationUrl(newUser("guess"), "s", verifier,
                GmailScope.GMAIL_MODIFY.uri()));

        TokenResponseException e = assertThrows(TokenResponseException.class,
                () -> exchange(response.getCode(), newVerifier()));
        assertEquals(400, e.getStatusCode());
        assertEquals("invalid_grant", e.getDetails().getError());
    }

    @Test
    void aCodeBuysTokensOnce() throws Exception {
        String verifier = newVerifier();
        AuthorizationCodeResponseUrl response = consent(authorizationUrl(newUser("twice"), "s", verifier,
                GmailScope.GMAIL_MODIFY.uri()));
        exchange(response.getCode(), verifier);

        TokenResponseException e = assertThrows(TokenResponseException.class,
                () -> exchange(response.getCode(), verifier));
        assertEquals("invalid_grant", e.getDetails().getError());
    }

    @Test
    void expiredAccessTokensAreRefreshedTransparentlyAndTheRefreshIsCounted() throws Exception {
        String user = newUser("expiry");
        Gmail gmail = gmail(connect(user, GmailScope.GMAIL_READONLY.uri()));
        gmail.users().getProfile("me").execute();
        assertEquals(new TokenRequests(0, 1), sandbox.admin().tokenRequests(user));

        HttpResponse<String> expired = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.rootUrl()
                + "sandbox/admin/users/" + user + "/expire-access-tokens")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, expired.statusCode(), expired.body());
        assertEquals(user, gmail.users().getProfile("me").execute().getEmailAddress());

        assertEquals(new TokenRequests(1, 1), sandbox.admin().tokenRequests(user));
        assertEquals("{\"refreshTokenGrants\":1,\"authorizationCodeExchanges\":1}",
                get(sandbox.rootUrl() + "sandbox/admin/users/" + user + "/token-requests").body());
    }

    @Test
    void aRefreshTokenRevokedAtTheRevokeEndpointNoLongerRefreshes() throws Exception {
        TokenResponse token = connect(newUser("revoked"), GmailScope.GMAIL_READONLY.uri());
        UserCredentials credentials = credentials(token);
        credentials.refresh(); // the code flow's refresh token refreshes

        HttpResponse<String> revoked = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.revokeUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token="
                        + URLEncoder.encode(token.getRefreshToken(), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, revoked.statusCode(), revoked.body());

        IOException e = assertThrows(IOException.class, credentials::refresh);
        TokenRefusal refused = TokenRefusal.in(e);
        assertNotNull(refused, e.toString());
        assertEquals(400, refused.status());
        assertEquals("invalid_grant", refused.error());
    }

    // ---- the authorization endpoint's answers

    private static Map<String, String> request(String user) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("client_id", CLIENT_ID);
        params.put("redirect_uri", REDIRECT);
        params.put("response_type", "code");
        params.put("scope", GmailScope.GMAIL_READONLY.uri());
        params.put("state", "s<1>");
        params.put("code_challenge", s256(newVerifier()));
        params.put("code_challenge_method", "S256");
        params.put("login_hint", user);
        return params;
    }

    /** The request with one parameter set, or left out when {@code value} is null. */
    private static Map<String, String> changed(Map<String, String> params, String param, String value) {
        if (value == null) {
            params.remove(param);
        } else {
            params.put(param, value);
        }
        return params;
    }

    private static HttpResponse<String> authorize(Map<String, String> params) throws Exception {
        return get(sandbox.authorizationUrl() + "?" + params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
    }

    static Stream<Arguments> refusedAtTheEndpoint() {
        return Stream.of(
                Arguments.of("client_id", "someone-else", "invalid_client"),
                Arguments.of("redirect_uri", "https://app.example/callback", "redirect_uri_mismatch"),
                Arguments.of("redirect_uri", "http://127.0.0.1.app.example/callback", "redirect_uri_mismatch"),
                Arguments.of("redirect_uri", "http://evil.example/\"><script>x</script>", "redirect_uri_mismatch"),
                Arguments.of("redirect_uri", null, "invalid_request"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("refusedAtTheEndpoint")
    void anUnknownClientOrARedirectUriItMayNotUseGetsAnErrorPage(String param, String value, String error)
            throws Exception {
        HttpResponse<String> response = authorize(changed(request(newUser("page")), param, value));
        assertEquals(400, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(response.body().contains(error), response.body());
        assertFalse(response.body().contains("<script>"), "echoed input is escaped: " + response.body());
    }

    static Stream<Arguments> refusedBackToTheApp() {
        return Stream.of(
                Arguments.of("code_challenge", null, "invalid_request"),
                Arguments.of("code_challenge_method", "S512", "invalid_request"),
                Arguments.of("code_challenge", "too-short", "invalid_request"),
                Arguments.of("scope", "https://www.googleapis.com/auth/drive", "invalid_scope"),
                Arguments.of("scope", null, "invalid_request"),
                Arguments.of("response_type", "token", "unsupported_response_type"),
                Arguments.of("response_type", null, "unsupported_response_type"),
                Arguments.of("login_hint", "nobody@acme.example", "access_denied"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("refusedBackToTheApp")
    void otherErrorsAreRedirectedToTheAppWithItsState(String param, String value, String error) throws Exception {
        HttpResponse<String> response = authorize(changed(request(newUser("refused")), param, value));
        assertEquals(302, response.statusCode(), response.body());
        AuthorizationCodeResponseUrl back = new AuthorizationCodeResponseUrl(
                response.headers().firstValue("Location").orElseThrow());
        assertEquals(error, back.getError());
        assertNotNull(back.getErrorDescription());
        assertEquals("s<1>", back.getState());
        assertNull(back.getCode());
    }

    @Test
    void withoutLoginHintAPageListsTheUsersEachLinkingToTheirConsent() throws Exception {
        String user = newUser("picker");
        Map<String, String> params = request(user);
        params.remove("login_hint");
        params.put("state", "\"><script>alert(1)</script>");

        HttpResponse<String> page = authorize(params);
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains("<script>"), page.body());
        String href = Stream.of(page.body().split("href=\"")).skip(1).map(s -> s.substring(0, s.indexOf('"')))
                .filter(h -> h.contains(URLEncoder.encode(user, StandardCharsets.UTF_8))).findFirst().orElseThrow()
                .replace("&amp;", "&");
        assertTrue(href.startsWith("/o/oauth2/v2/auth?"), href);

        AuthorizationCodeResponseUrl back = consent(sandbox.rootUrl() + href.substring(1));
        assertNotNull(back.getCode());
        assertEquals("\"><script>alert(1)</script>", back.getState());
    }

    @Test
    void plainChallengesAndLoopbackAliasesAreAcceptedAsAtGoogle() throws Exception {
        String user = newUser("plain");
        String verifier = newVerifier();
        Map<String, String> params = request(user);
        params.put("redirect_uri", "http://localhost:8123/");
        params.put("code_challenge", verifier);
        params.put("code_challenge_method", "plain");
        HttpResponse<String> response = authorize(params);
        assertEquals(302, response.statusCode(), response.body());
        String code = new AuthorizationCodeResponseUrl(response.headers().firstValue("Location").orElseThrow())
                .getCode();

        TokenResponse token = exchange(code, verifier, "http://localhost:8123/");
        assertEquals(user, gmail(token).users().getProfile("me").execute().getEmailAddress());
    }
}
