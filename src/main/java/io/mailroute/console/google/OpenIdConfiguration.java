package io.mailroute.console.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The provider's discovery document ({@code <issuer>/.well-known/openid-configuration}): where to send the person,
 * where to exchange the code, where the signing keys are. Its {@code issuer} must be the configured one (OpenID
 * Connect Discovery 1.0, section 4.3), so a document from elsewhere cannot name other keys.
 */
record OpenIdConfiguration(String issuer, String authorizationEndpoint, String tokenEndpoint, String jwksUri) {

    static final String PATH = "/.well-known/openid-configuration";

    static OpenIdConfiguration fetch(HttpClient http, ObjectMapper json, String issuer, Duration timeout)
            throws GoogleSignInException {
        String url = issuer + PATH;
        JsonNode doc;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw failed(url, "it answered HTTP " + response.statusCode(), null);
            }
            doc = json.readTree(response.body());
        } catch (IOException e) {
            throw failed(url, e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(url, "interrupted", e);
        }
        OpenIdConfiguration config = new OpenIdConfiguration(text(doc, "issuer"), text(doc, "authorization_endpoint"),
                text(doc, "token_endpoint"), text(doc, "jwks_uri"));
        if (!issuer.equals(config.issuer())) {
            throw failed(url, "its issuer is " + config.issuer() + ", not " + issuer, null);
        }
        if (config.authorizationEndpoint() == null || config.tokenEndpoint() == null || config.jwksUri() == null) {
            throw failed(url, "it lacks authorization_endpoint, token_endpoint or jwks_uri", null);
        }
        return config;
    }

    private static String text(JsonNode doc, String field) {
        JsonNode value = doc == null ? null : doc.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static GoogleSignInException failed(String url, String why, Throwable cause) {
        return new GoogleSignInException(GoogleSignInException.Problem.PROVIDER_FAILED, "Cannot read the OpenID"
                + " discovery document " + url + ": " + why + ". Check mailroute.console.google.issuer and that this"
                + " machine reaches it", cause);
    }
}
