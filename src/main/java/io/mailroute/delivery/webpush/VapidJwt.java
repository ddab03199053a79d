package io.mailroute.delivery.webpush;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** The RFC 8292 {@code Authorization: vapid t=<JWT>, k=<public key>} header for one push service origin. */
final class VapidJwt {

    /** RFC 8292 section 2: exp no more than 24 hours ahead; 12 h leaves room for clock skew at the push service. */
    static final Duration LIFETIME = Duration.ofHours(12);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEADER = P256Keys.base64Url(
            "{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8));

    private VapidJwt() {
    }

    static String authorization(VapidKeys keys, String audience, String subject, Instant now) {
        return "vapid t=" + token(keys, audience, subject, now.plus(LIFETIME)) + ", k=" + keys.publicKeyBase64Url();
    }

    static String token(VapidKeys keys, String audience, String subject, Instant expiry) {
        ObjectNode claims = JSON.createObjectNode()
                .put("aud", audience)
                .put("exp", expiry.getEpochSecond())
                .put("sub", subject);
        String signingInput = HEADER + "." + P256Keys.base64Url(claims.toString().getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + P256Keys.base64Url(keys.sign(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    /** RFC 6454 origin of the push endpoint: scheme, host and the port when it is not the scheme's default. */
    static String origin(URI endpoint) {
        String scheme = endpoint.getScheme().toLowerCase(Locale.ROOT);
        String host = endpoint.getHost().toLowerCase(Locale.ROOT);
        int port = endpoint.getPort();
        boolean defaultPort = port == -1 || ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    /** The contact RFC 8292 asks for: a mailto: or https: URI. */
    static String requireSubject(String subject) {
        if (subject == null || !(subject.startsWith("mailto:") || subject.startsWith("https:")) || subject.length() < 8) {
            throw new IllegalArgumentException("the VAPID subject must be a mailto: or https: contact for the push"
                    + " service operator, e.g. mailto:ops@acme.example; was " + subject);
        }
        return subject;
    }
}
