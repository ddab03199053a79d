package io.mailroute.delivery.fcm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Objects;

/**
 * A Google service account, as read from its JSON key file: what FCM's OAuth flow needs and nothing else.
 *
 * @param tokenUri where the signed assertion is exchanged for an access token (Google's, or the sandbox's)
 */
public record ServiceAccount(String projectId, String clientEmail, RSAPrivateKey privateKey, String tokenUri) {

    /** Google's token endpoint, for key files that do not name one. */
    public static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

    public ServiceAccount {
        Objects.requireNonNull(projectId, "projectId");
        Objects.requireNonNull(clientEmail, "clientEmail");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(tokenUri, "tokenUri");
    }

    /**
     * Reads the JSON key file format ({@code project_id}, {@code client_email}, {@code private_key} as a PKCS#8 PEM,
     * {@code token_uri}) with google-auth-library. Errors name the missing or broken field, never its value.
     */
    public static ServiceAccount fromJson(String serviceAccountJson) {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(serviceAccountJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("FCM service account: not a JSON key file ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("FCM service account: not a JSON key file");
        }
        if (json.hasNonNull("type") && !"service_account".equals(json.get("type").asText())) {
            throw new IllegalArgumentException("FCM service account: \"type\" is \"" + json.get("type").asText()
                    + "\"; FCM needs a service account key (type service_account)");
        }
        String projectId = text(json, "project_id");
        String clientEmail = text(json, "client_email");
        String pem = text(json, "private_key");
        if (pem.contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalArgumentException("FCM service account: \"private_key\" is PKCS#1; Google key files"
                    + " carry PKCS#8 (BEGIN PRIVATE KEY). Download a fresh key from the Cloud console.");
        }
        PrivateKey key;
        try {
            key = ServiceAccountCredentials.newBuilder().setClientEmail(clientEmail).setPrivateKeyString(pem).build()
                    .getPrivateKey();
        } catch (IOException | RuntimeException e) {
            key = null; // the library's message may quote the key's text: not repeated here
        }
        if (!(key instanceof RSAPrivateKey rsa)) {
            throw new IllegalArgumentException("FCM service account: \"private_key\" is not an RSA PKCS#8 PEM key");
        }
        String tokenUri = json.hasNonNull("token_uri") ? json.get("token_uri").asText() : GOOGLE_TOKEN_URI;
        return new ServiceAccount(projectId, clientEmail, rsa, tokenUri);
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("FCM service account: \"" + field + "\" is missing");
        }
        return value.asText();
    }

    @Override
    public String toString() {
        // the record's default would print the private key's modulus and exponent
        return "ServiceAccount[projectId=" + projectId + ", clientEmail=" + clientEmail + ", tokenUri=" + tokenUri + "]";
    }
}
