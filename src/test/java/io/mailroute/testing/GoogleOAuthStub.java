package io.mailroute.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny Google on 127.0.0.1 for unit tests of the credential stack: an OAuth token endpoint for the refresh-token
 * grant ({@code POST /token}: access token {@code access-for-<refresh token>}, or the refusal set with
 * {@link #refuse}) and Gmail's {@code users.getProfile} (200 for a current access token, else 401 with
 * {@code WWW-Authenticate: Bearer error="invalid_token"}, as Google answers).
 */
public final class GoogleOAuthStub implements AutoCloseable {

    private final HttpServer server;
    private final List<String> refreshTokensSeen = new CopyOnWriteArrayList<>();
    private final List<String> bearersSeen = new CopyOnWriteArrayList<>();
    private final Set<String> validAccessTokens = ConcurrentHashMap.newKeySet();
    private volatile int refusalStatus;
    private volatile String refusalBody;

    private GoogleOAuthStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::token);
        server.createContext("/gmail/v1/users/me/profile", this::profile);
        server.start();
    }

    public static GoogleOAuthStub start() throws IOException {
        return new GoogleOAuthStub();
    }

    public String tokenUrl() {
        return root() + "token";
    }

    /** The Gmail API root URL (the client adds {@code gmail/v1/}). */
    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** From now on the token endpoint answers every refresh with {@code status} and {@code body} (JSON or not). */
    public void refuse(int status, String body) {
        refusalBody = body;
        refusalStatus = status;
    }

    /** Gmail rejects every access token handed out so far (as after a revoke at Google). */
    public void rejectIssuedAccessTokens() {
        validAccessTokens.clear();
    }

    /** The refresh tokens the token endpoint was asked to trade, in order. */
    public List<String> refreshTokensSeen() {
        return List.copyOf(refreshTokensSeen);
    }

    /** The bearer tokens Gmail's profile call received, in order. */
    public List<String> bearersSeen() {
        return List.copyOf(bearersSeen);
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        refreshTokensSeen.add(String.valueOf(form.get("refresh_token")));
        if (refusalStatus != 0) {
            send(exchange, refusalStatus, refusalBody, Map.of());
            return;
        }
        String accessToken = "access-for-" + form.get("refresh_token");
        validAccessTokens.add(accessToken);
        send(exchange, 200, "{\"access_token\":\"" + accessToken + "\",\"expires_in\":3599,\"token_type\":\"Bearer\","
                + "\"scope\":\"https://www.googleapis.com/auth/gmail.modify\"}", Map.of());
    }

    private void profile(HttpExchange exchange) throws IOException {
        String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        String bearer = authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        bearersSeen.add(bearer);
        if (validAccessTokens.contains(bearer)) {
            send(exchange, 200, "{\"emailAddress\":\"hr@acme.example\",\"messagesTotal\":0,\"historyId\":\"1\"}", Map.of());
            return;
        }
        send(exchange, 401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\","
                + "\"errors\":[{\"reason\":\"authError\",\"domain\":\"global\"}],\"status\":\"UNAUTHENTICATED\"}}",
                Map.of("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""));
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json; charset=UTF-8"
                : "text/html; charset=UTF-8");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new ConcurrentHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
