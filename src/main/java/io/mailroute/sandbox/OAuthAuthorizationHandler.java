package io.mailroute.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Google's authorization endpoint ({@code /o/oauth2/v2/auth}) as installed apps use it: a loopback redirect URI
 * and PKCE. Nobody is there to consent, so a {@code login_hint} naming a sandbox user consents at once; without
 * one, a page lists the users for a person in a browser to pick. As at Google, an unknown client or a redirect URI
 * it may not send to gets an error page; every other error is redirected back to the app.
 */
final class OAuthAuthorizationHandler implements HttpHandler {

    static final String PATH = "/o/oauth2/v2/auth";

    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "localhost");
    private static final Set<String> ACCESS_TYPES = Set.of("online", "offline");

    private final OAuthTokenStore tokens;
    private final SandboxMailStore store;

    OAuthAuthorizationHandler(OAuthTokenStore tokens, SandboxMailStore store) {
        this.tokens = tokens;
        this.store = store;
    }

    /** An error sent back to the app: {@code redirect_uri?error=...&error_description=...&state=...}. */
    private static final class Refusal extends Exception {
        final String error;

        Refusal(String error, String description) {
            super(description);
            this.error = error;
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                page(exchange, 404, "Not found", "<p>No page " + HttpExchanges.escapeHtml(
                        exchange.getRequestURI().getPath()) + "; the authorization endpoint is " + PATH + ".</p>");
            } else if (!method.equals("GET") && !method.equals("POST")) {
                page(exchange, 405, "Method not allowed", "<p>Use GET.</p>");
            } else {
                authorize(exchange, HttpExchanges.queryAndForm(exchange));
            }
        } catch (RuntimeException e) {
            errorPage(exchange, 500, "server_error", e.toString());
        }
    }

    private void authorize(HttpExchange exchange, Map<String, List<String>> params) throws IOException {
        String clientId = HttpExchanges.first(params, "client_id");
        if (!tokens.knowsClient(clientId)) {
            errorPage(exchange, 400, "invalid_client", "The OAuth client was not found: client_id="
                    + (clientId == null ? "(missing)" : clientId) + ".");
            return;
        }
        String redirectUri = HttpExchanges.first(params, "redirect_uri");
        Optional<String> unusable = redirectProblem(redirectUri);
        if (unusable.isPresent()) {
            boolean missing = redirectUri == null || redirectUri.isEmpty();
            errorPage(exchange, 400, missing ? "invalid_request" : "redirect_uri_mismatch", unusable.get());
            return;
        }
        String state = HttpExchanges.first(params, "state");
        try {
            Scopes scopes = checkRequest(params);
            String loginHint = HttpExchanges.first(params, "login_hint");
            if (loginHint == null || loginHint.isEmpty()) {
                if (words(HttpExchanges.first(params, "prompt")).contains("none")) {
                    throw new Refusal("interaction_required", "prompt=none without login_hint: someone has to pick"
                            + " the sandbox user.");
                }
                chooseUserPage(exchange, params);
                return;
            }
            SandboxMailbox mailbox = store.mailbox(loginHint).orElseThrow(() ->
                    new Refusal("access_denied", "No sandbox user " + loginHint + "."));
            String code = tokens.issueCode(clientId, mailbox.address(), redirectUri,
                    HttpExchanges.first(params, "code_challenge"),
                    CodeChallengeMethod.fromParam(HttpExchanges.first(params, "code_challenge_method")).orElseThrow(),
                    scopes.gmail(), new OAuthTokenStore.SignIn(scopes.identity(), HttpExchanges.first(params, "nonce")));
            List<Map.Entry<String, String>> answer = new ArrayList<>();
            answer.add(Map.entry("code", code));
            answer.add(Map.entry("scope", scopes.joined()));
            redirect(exchange, redirectUri, answer, state);
        } catch (Refusal refusal) {
            List<Map.Entry<String, String>> answer = new ArrayList<>();
            answer.add(Map.entry("error", refusal.error));
            answer.add(Map.entry("error_description", refusal.getMessage()));
            redirect(exchange, redirectUri, answer, state);
        }
    }

    /** The scopes an authorization asked for: Gmail's, and the identity scopes of a sign-in. */
    record Scopes(Set<GmailScope> gmail, Set<OpenIdScope> identity) {
        /** As Google's token endpoint and redirect spell them: identity scopes as their URIs, then Gmail's. */
        String joined() {
            String identityScopes = OpenIdScope.join(identity);
            String gmailScopes = GmailScope.join(gmail);
            return identityScopes.isEmpty() ? gmailScopes
                    : gmailScopes.isEmpty() ? identityScopes : identityScopes + " " + gmailScopes;
        }
    }

    /** Everything but the client, redirect URI and user, in Google's order; returns the requested scopes. */
    private static Scopes checkRequest(Map<String, List<String>> params) throws Refusal {
        String responseType = HttpExchanges.first(params, "response_type");
        if (!"code".equals(responseType)) {
            throw new Refusal("unsupported_response_type", "response_type must be code, was "
                    + (responseType == null ? "missing" : responseType) + ".");
        }
        List<String> requested = words(HttpExchanges.first(params, "scope"));
        if (requested.isEmpty()) {
            throw new Refusal("invalid_request", "Missing required parameter: scope");
        }
        Set<GmailScope> scopes = EnumSet.noneOf(GmailScope.class);
        Set<OpenIdScope> identity = EnumSet.noneOf(OpenIdScope.class);
        List<String> invalid = new ArrayList<>();
        for (String uri : requested) {
            GmailScope.fromUri(uri).ifPresentOrElse(scopes::add,
                    () -> OpenIdScope.fromParam(uri).ifPresentOrElse(identity::add, () -> invalid.add(uri)));
        }
        if (!invalid.isEmpty()) {
            throw new Refusal("invalid_scope", "Some requested scopes were invalid. {invalid=" + invalid + "}");
        }
        String challenge = HttpExchanges.first(params, "code_challenge");
        if (challenge == null || challenge.isEmpty()) {
            throw new Refusal("invalid_request", "Missing required parameter: code_challenge (the sandbox requires"
                    + " PKCE).");
        }
        String method = HttpExchanges.first(params, "code_challenge_method");
        if (CodeChallengeMethod.fromParam(method).isEmpty()) {
            throw new Refusal("invalid_request", "Invalid code_challenge_method " + method + ": use S256 or plain.");
        }
        if (!CodeChallengeMethod.isWellFormedChallenge(challenge)) {
            throw new Refusal("invalid_request", "Invalid code_challenge: 43 to 128 characters of A-Z a-z 0-9 - . _ ~"
                    + " (RFC 7636).");
        }
        String accessType = HttpExchanges.first(params, "access_type");
        if (accessType != null && !ACCESS_TYPES.contains(accessType)) {
            throw new Refusal("invalid_request", "Invalid access_type " + accessType + ": use online or offline.");
        }
        return new Scopes(scopes, identity);
    }

    /** Installed apps may only redirect to loopback over http, on any port (Google's rule for desktop clients). */
    static Optional<String> redirectProblem(String redirectUri) {
        if (redirectUri == null || redirectUri.isEmpty()) {
            return Optional.of("Missing required parameter: redirect_uri.");
        }
        String rule = "redirect_uri must be a loopback http URI: http://127.0.0.1:PORT/..., http://[::1]:PORT/..."
                + " or http://localhost:PORT/...; was " + redirectUri + ".";
        try {
            URI uri = new URI(redirectUri);
            boolean loopback = "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null
                    && LOOPBACK_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT))
                    && uri.getRawUserInfo() == null && uri.getRawFragment() == null;
            return loopback ? Optional.empty() : Optional.of(rule);
        } catch (URISyntaxException e) {
            return Optional.of(rule);
        }
    }

    private static List<String> words(String spaceSeparated) {
        return spaceSeparated == null || spaceSeparated.isBlank() ? List.of()
                : List.of(spaceSeparated.trim().split("\\s+"));
    }

    // ---- answers

    private static void redirect(HttpExchange exchange, String redirectUri, List<Map.Entry<String, String>> answer,
            String state) throws IOException {
        if (state != null) {
            answer.add(Map.entry("state", state));
        }
        exchange.getResponseHeaders().set("Location", withQuery(redirectUri, answer));
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        HttpExchanges.send(exchange, 302, null, new byte[0]);
    }

    /** The same request once per sandbox user, each with that user as {@code login_hint}. */
    private void chooseUserPage(HttpExchange exchange, Map<String, List<String>> params) throws IOException {
        List<Map.Entry<String, String>> request = new ArrayList<>();
        params.forEach((name, values) -> {
            if (!name.equals("login_hint")) {
                values.forEach(v -> request.add(Map.entry(name, v)));
            }
        });
        StringBuilder html = new StringBuilder("<p>to continue to <b>")
                .append(HttpExchanges.escapeHtml(HttpExchanges.first(params, "client_id")))
                .append("</b>, granting ").append(HttpExchanges.escapeHtml(HttpExchanges.first(params, "scope")))
                .append("</p>\n<ul>\n");
        List<String> users = store.mailboxes().stream().map(SandboxMailbox::address).sorted().toList();
        for (String user : users) {
            List<Map.Entry<String, String>> withUser = new ArrayList<>(request);
            withUser.add(Map.entry("login_hint", user));
            html.append("<li><a href=\"").append(HttpExchanges.escapeHtml(withQuery(PATH, withUser))).append("\">")
                    .append(HttpExchanges.escapeHtml(user)).append("</a></li>\n");
        }
        html.append("</ul>\n");
        if (users.isEmpty()) {
            html.append("<p>The sandbox has no users yet: add one with POST /sandbox/admin/users.</p>\n");
        }
        page(exchange, 200, "Choose a sandbox account", html.toString());
    }

    private static void errorPage(HttpExchange exchange, int status, String error, String description)
            throws IOException {
        page(exchange, status, "Error " + status + ": " + error,
                "<p>" + HttpExchanges.escapeHtml(description) + "</p>\n<p>The app's request was refused and not"
                        + " sent back to it.</p>\n");
    }

    /** @param bodyHtml already escaped */
    private static void page(HttpExchange exchange, int status, String title, String bodyHtml) throws IOException {
        String html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"
                + HttpExchanges.escapeHtml(title) + " - Gmail sandbox</title></head>\n<body>\n<h1>"
                + HttpExchanges.escapeHtml(title) + "</h1>\n" + bodyHtml + "</body></html>\n";
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        HttpExchanges.send(exchange, status, "text/html; charset=UTF-8", html.getBytes(StandardCharsets.UTF_8));
    }

    private static String withQuery(String base, List<Map.Entry<String, String>> params) {
        StringBuilder url = new StringBuilder(base);
        char separator = base.contains("?") ? '&' : '?';
        for (Map.Entry<String, String> param : params) {
            url.append(separator).append(URLEncoder.encode(param.getKey(), StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(param.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return url.toString();
    }
}
