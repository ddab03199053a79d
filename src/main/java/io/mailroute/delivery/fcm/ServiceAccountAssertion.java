package io.mailroute.delivery.fcm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * The JWT a service account signs to ask for an access token (RFC 7523 JWT bearer grant, as Google's
 * "Using OAuth 2.0 for Server to Server Applications" describes): RS256, {@code iss} = the account's email,
 * {@code scope}, {@code aud} = the token URI, {@code iat}, {@code exp} at most one hour later.
 */
final class ServiceAccountAssertion {

    static final String FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private ServiceAccountAssertion() {
    }

    static String sign(ServiceAccount account, Instant now) {
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", account.clientEmail())
                .put("scope", FCM_SCOPE)
                .put("aud", account.tokenUri())
                .put("iat", now.getEpochSecond())
                .put("exp", now.plus(LIFETIME).getEpochSecond());
        String signingInput = BASE64URL.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(account.privateKey());
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + BASE64URL.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("FCM service account key cannot sign RS256: " + e.getClass().getSimpleName());
        }
    }
}
