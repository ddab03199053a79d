package io.mailroute.connection;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A mailbox's OAuth 2.0 endpoints: Google's, or the sandbox's in the demo and in tests.
 *
 * @param authorization where a person grants access ({@code connect} sends them there)
 * @param token         where codes and refresh tokens are exchanged for access tokens
 * @param revoke        where a grant is revoked ({@code disconnect})
 */
public record OAuthEndpoints(String authorization, String token, String revoke) {

    /** What the revoke endpoint said. */
    public enum Revocation {
        /** The grant is revoked. */
        REVOKED,
        /** The endpoint did not know the token: it was already revoked or had expired. */
        ALREADY_INVALID,
        /** The endpoint could not be reached or failed: the grant may still be live at the provider. */
        UNREACHABLE
    }

    /** Revokes a refresh token (and with it its access tokens) as RFC 7009 and Google describe. */
    public Revocation revoke(HttpClient http, String refreshToken) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(revoke))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8)))
                .build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? Revocation.REVOKED : status == 400 ? Revocation.ALREADY_INVALID : Revocation.UNREACHABLE;
        } catch (IOException e) {
            return Revocation.UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Revocation.UNREACHABLE;
        }
    }
}
