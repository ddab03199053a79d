package io.mailroute.connection;

import com.google.api.client.auth.oauth2.AuthorizationCodeRequestUrl;
import com.google.api.client.auth.oauth2.AuthorizationCodeTokenRequest;
import com.google.api.client.auth.oauth2.ClientParametersAuthentication;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The OAuth 2.0 authorization-code flow with PKCE (RFC 7636) and a loopback redirect, as Google
 * asks of installed apps: a person opens the printed URL and signs in; the browser comes back to a
 * one-shot server on 127.0.0.1. On a box with no browser, the person opens the URL elsewhere and
 * pastes the address the browser ended on (or just its {@code code}) instead.
 */
public final class ConnectFlow {

    /** The grant obtained: a refresh token for the store, and an access token to check whose it is. */
    public record Grant(String refreshToken, String accessToken, String scopes) {
        @Override
        public String toString() {
            return "Grant[scopes=" + scopes + "]";
        }
    }

    /** The flow could not complete; the message says why and what to do. */
    public static final class ConnectException extends Exception {
        public ConnectException(String message) {
            super(message);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final OAuthEndpoints endpoints;
    private final OAuthCredentials client;
    private final String scope;
    private final String loginHint;
    private final HttpTransport transport;
    private final Duration timeout;

    public ConnectFlow(OAuthEndpoints endpoints, OAuthCredentials client, String scope, String loginHint,
            HttpTransport transport, Duration timeout) {
        this.endpoints = endpoints;
        this.client = client;
        this.scope = scope;
        this.loginHint = loginHint;
        this.transport = transport;
        this.timeout = timeout;
    }

    /**
     * @param pasted lines a person may paste (the redirect address or the code); read on a daemon thread
     */
    public Grant run(PrintStream out, BufferedReader pasted) throws ConnectException, IOException {
        String verifier = randomUrlSafe(32);
        String state = HexFormat.of().formatHex(randomBytes(16));
        CompletableFuture<Map<String, String>> answer = new CompletableFuture<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            boolean ours = state.equals(query.get("state"));
            byte[] page = ("<!doctype html><meta charset=utf-8><title>Mailroute</title><p>"
                    + (!ours ? "This is not the answer Mailroute is waiting for."
                    : query.containsKey("code") ? "Mailroute has the grant. You can close this tab."
                    : "Access was not granted. You can close this tab.") + "</p>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(ours ? 200 : 400, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
            if (ours) {
                answer.complete(query);
            }
        });
        receiver.start();
        String redirectUri = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/";
        try {
            String url = authorizationUrl(redirectUri, state, verifier);
            out.println("Open this address in a browser and sign in as " + loginHint + ":");
            out.println();
            out.println("  " + url);
            out.println();
            out.println("Waiting up to " + timeout.toMinutes() + " min for the browser to come back to " + redirectUri + ".");
            out.println("No browser on this machine? Open the address on another one; it ends on a page that does not load.");
            out.println("Paste that page's address (or just the code=... value) here and press Enter.");
            out.flush();
            readPasted(pasted, answer);
            Map<String, String> result = await(answer);
            if (result.containsKey("error")) {
                throw new ConnectException("access was not granted (" + result.get("error") + "); run connect again and allow it");
            }
            if (result.containsKey("state") && !state.equals(result.get("state"))) {
                throw new ConnectException("the pasted address belongs to another connect attempt (state does not match); "
                        + "paste the address from this attempt's browser tab");
            }
            return redeem(result.get("code"), redirectUri, verifier);
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * Where to send the person: the provider's consent for {@code scope} as {@code loginHint}, with a refresh token
     * asked for (offline, consent) and the PKCE S256 challenge of {@code verifier}. The console's Mailboxes page sends
     * the browser here too, with its own redirect URI.
     */
    public String authorizationUrl(String redirectUri, String state, String verifier) {
        return new AuthorizationCodeRequestUrl(endpoints.authorization(), client.clientId())
                .setRedirectUri(redirectUri)
                .setScopes(List.of(scope))
                .setState(state)
                .set("code_challenge", challenge(verifier))
                .set("code_challenge_method", "S256")
                .set("access_type", "offline")
                .set("prompt", "consent")
                .set("login_hint", loginHint)
                .build();
    }

    /** A new PKCE code verifier (RFC 7636: 43 characters of base64url), kept until the code is redeemed. */
    public static String newVerifier() {
        return randomUrlSafe(32);
    }

    /**
     * Trades the code the provider sent back for the grant, with the verifier of the challenge the authorization
     * URL carried and the same redirect URI.
     *
     * @throws ConnectException when the provider refuses the code or grants no refresh token (the message says what to do)
     * @throws IOException      when the token endpoint cannot be reached
     */
    public Grant redeem(String code, String redirectUri, String verifier) throws ConnectException, IOException {
        if (code == null || code.isBlank()) {
            throw new ConnectException("no authorization code was given");
        }
        TokenResponse response;
        try {
            response = new AuthorizationCodeTokenRequest(transport, GsonFactory.getDefaultInstance(),
                    new GenericUrl(endpoints.token()), code.trim())
                    .setRedirectUri(redirectUri)
                    .setClientAuthentication(new ClientParametersAuthentication(client.clientId(), client.clientSecret()))
                    .set("code_verifier", verifier)
                    .execute();
        } catch (TokenResponseException e) {
            String error = e.getDetails() == null ? e.getStatusMessage()
                    : e.getDetails().getError() + (e.getDetails().getErrorDescription() == null ? ""
                    : ": " + e.getDetails().getErrorDescription());
            throw new ConnectException("the token endpoint " + endpoints.token() + " refused the code (" + error
                    + "); codes are single-use and expire in minutes: run connect again");
        }
        if (response.getRefreshToken() == null) {
            throw new ConnectException("the token endpoint granted no refresh token; remove Mailroute's access in the "
                    + "Google account (https://myaccount.google.com/permissions) and run connect again");
        }
        return new Grant(response.getRefreshToken(), response.getAccessToken(),
                response.getScope() == null ? scope : response.getScope());
    }

    private static void readPasted(BufferedReader pasted, CompletableFuture<Map<String, String>> answer) {
        if (pasted == null) {
            return;
        }
        Thread reader = new Thread(() -> {
            try {
                for (String line; !answer.isDone() && (line = pasted.readLine()) != null; ) {
                    Map<String, String> parsed = parsePasted(line.trim());
                    if (parsed != null) {
                        answer.complete(parsed);
                    }
                }
            } catch (IOException ignored) {
                // no console: wait for the browser
            }
        }, "mailroute-connect-paste");
        reader.setDaemon(true);
        reader.start();
    }

    /** The redirect address as pasted, or the bare code; null for a blank line. */
    static Map<String, String> parsePasted(String line) {
        if (line.isEmpty()) {
            return null;
        }
        int question = line.indexOf('?');
        if (line.contains("code=") || line.contains("error=")) {
            return query(question >= 0 ? line.substring(question + 1) : line);
        }
        Map<String, String> code = new LinkedHashMap<>();
        code.put("code", line);
        return code;
    }

    private Map<String, String> await(CompletableFuture<Map<String, String>> answer) throws ConnectException {
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ConnectException("nobody completed the sign-in within " + timeout.toMinutes() + " min; run connect again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted");
        } catch (ExecutionException e) {
            throw new ConnectException(e.getCause().getMessage());
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    /** S256: base64url(SHA-256(verifier)), no padding. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomUrlSafe(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
