package io.mailroute.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Google's OAuth 2.0 token endpoint ({@code POST /token}: {@code refresh_token} and {@code authorization_code}
 * with PKCE) and revoke endpoint ({@code POST /revoke}), answering in the shapes Google's clients read: the
 * code exchange's {@code TokenResponse} and {@code TokenResponseException}, google-auth-library's
 * {@code UserCredentials} for refreshes.
 */
final class OAuthHandler implements HttpHandler {

    private final OAuthTokenStore tokens;
    private final OpenIdProvider openId;

    OAuthHandler(OAuthTokenStore tokens, OpenIdProvider openId) {
        this.tokens = tokens;
        this.openId = openId;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                oauthError(exchange, 405, "invalid_request", "Use POST.");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Map<String, List<String>> params = HttpExchanges.queryAndForm(exchange);
            if (path.equals("/token")) {
                token(exchange, params);
            } else if (path.equals("/revoke")) {
                revoke(exchange, params);
            } else {
                oauthError(exchange, 404, "invalid_request", "Not found: " + path);
            }
        } catch (OAuthTokenStore.OAuthError e) {
            oauthError(exchange, e.status, e.error, e.getMessage());
        } catch (RuntimeException e) {
            oauthError(exchange, 500, "server_error", e.toString());
        }
    }

    private void token(HttpExchange exchange, Map<String, List<String>> params)
            throws IOException, OAuthTokenStore.OAuthError {
        String clientId = HttpExchanges.first(params, "client_id");
        String clientSecret = HttpExchanges.first(params, "client_secret");
        String basic = exchange.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            clientId = HttpExchanges.decode(colon < 0 ? decoded : decoded.substring(0, colon));
            clientSecret = colon < 0 ? "" : HttpExchanges.decode(decoded.substring(colon + 1));
        }
        String grantType = HttpExchanges.first(params, "grant_type");
        if (grantType == null) {
            throw new OAuthTokenStore.OAuthError(400, "invalid_request", "Missing required parameter: grant_type");
        }
        tokens.authenticateClient(clientId, clientSecret);
        switch (grantType) {
            case "refresh_token" -> {
                OAuthTokenStore.AccessGrant access = tokens.refresh(clientId, HttpExchanges.first(params, "refresh_token"));
                sendToken(exchange, access, false, GmailScope.join(access.scopes()), null);
            }
            case "authorization_code" -> {
                OAuthTokenStore.CodeExchange redeemed = tokens.redeemCode(clientId,
                        HttpExchanges.first(params, "code"), HttpExchanges.first(params, "code_verifier"),
                        HttpExchanges.first(params, "redirect_uri"));
                OAuthTokenStore.AccessGrant access = redeemed.access();
                sendToken(exchange, access, redeemed.refreshable(),
                        new OAuthAuthorizationHandler.Scopes(access.scopes(), redeemed.signIn().scopes()).joined(),
                        redeemed.signIn().wantsIdToken()
                        ? openId.idToken(access.address(), clientId, redeemed.signIn(), access.accessToken()) : null);
            }
            default -> throw new OAuthTokenStore.OAuthError(400, "unsupported_grant_type",
                    "Invalid grant_type: " + grantType);
        }
    }

    /**
     * A refresh answers the access token alone; a code exchange also hands over the new refresh token (when it
     * granted Gmail scopes) and the id_token (when it asked for {@code openid}).
     */
    private static void sendToken(HttpExchange exchange, OAuthTokenStore.AccessGrant grant, boolean withRefreshToken,
            String scope, String idToken) throws IOException {
        ObjectNode body = HttpExchanges.JSON.createObjectNode()
                .put("access_token", grant.accessToken())
                .put("expires_in", OAuthTokenStore.ACCESS_TOKEN_SECONDS);
        if (withRefreshToken) {
            body.put("refresh_token", grant.refreshToken());
        }
        body.put("scope", scope).put("token_type", "Bearer");
        if (idToken != null) {
            body.put("id_token", idToken);
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
        HttpExchanges.sendJson(exchange, 200, body);
    }

    private void revoke(HttpExchange exchange, Map<String, List<String>> params) throws IOException {
        String token = HttpExchanges.first(params, "token");
        if (token == null || !tokens.revokeToken(token)) {
            oauthError(exchange, 400, "invalid_token", "Token expired or revoked");
            return;
        }
        HttpExchanges.sendJson(exchange, 200, HttpExchanges.JSON.createObjectNode());
    }

    private static void oauthError(HttpExchange exchange, int status, String error, String description)
            throws IOException {
        ObjectNode body = HttpExchanges.JSON.createObjectNode()
                .put("error", error)
                .put("error_description", description);
        HttpExchanges.sendJson(exchange, status, body);
    }
}
