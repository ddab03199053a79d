package io.mailroute.delivery.webpush;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VapidJwtTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static JsonNode part(String jwt, int index) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]));
    }

    @Test
    void theAuthorizationHeaderCarriesAnEs256JwtAndTheUncompressedPublicKey() throws Exception {
        VapidKeys keys = VapidKeys.generate();
        String header = VapidJwt.authorization(keys, "https://fcm.googleapis.com", "mailto:ops@acme.example", NOW);

        assertTrue(header.startsWith("vapid t="), header);
        String jwt = header.substring("vapid t=".length(), header.indexOf(", k="));
        String k = header.substring(header.indexOf(", k=") + 4);
        assertEquals(keys.publicKeyBase64Url(), k);
        assertEquals(65, Base64.getUrlDecoder().decode(k).length);
        assertTrue(!jwt.contains("=") && !k.contains("="), "base64url without padding");

        assertEquals(JSON.readTree("{\"typ\":\"JWT\",\"alg\":\"ES256\"}"), part(jwt, 0));
        JsonNode claims = part(jwt, 1);
        assertEquals("https://fcm.googleapis.com", claims.get("aud").asText());
        assertEquals("mailto:ops@acme.example", claims.get("sub").asText());
        long exp = claims.get("exp").asLong();
        assertTrue(exp > NOW.getEpochSecond() && exp <= NOW.plus(Duration.ofHours(24)).getEpochSecond(), "0 < exp - now <= 24 h");

        String[] parts = jwt.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        assertEquals(64, signature.length, "JWS ES256 is raw R||S, not DER");
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(P256Keys.decodePublic(k));
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(signature), "verifies with the k it is sent with");

        verifier.initVerify(VapidKeys.generate().publicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(!verifier.verify(signature), "and not with another key");
    }

    @ParameterizedTest
    @CsvSource({
            "https://fcm.googleapis.com/fcm/send/abc:def, https://fcm.googleapis.com",
            "https://updates.push.services.mozilla.com:443/wpush/v2/x?y=1, https://updates.push.services.mozilla.com",
            "HTTPS://Push.Example:8443/p, https://push.example:8443",
            "http://127.0.0.1:8025/push/webpush/abc, http://127.0.0.1:8025",
            "http://localhost:80/push, http://localhost",
    })
    void theAudienceIsTheOriginOfThePushEndpoint(String endpoint, String origin) {
        assertEquals(origin, VapidJwt.origin(URI.create(endpoint)));
    }

    @Test
    void keysSurviveTheirConfigForm() {
        VapidKeys keys = VapidKeys.generate();
        VapidKeys loaded = VapidKeys.fromBase64Url(keys.publicKeyBase64Url(), keys.privateKeyBase64Url());
        assertEquals(keys.publicKeyBase64Url(), loaded.publicKeyBase64Url());
        assertEquals(keys.privateKeyBase64Url(), loaded.privateKeyBase64Url());
        assertEquals(43, keys.privateKeyBase64Url().length());
        assertEquals(87, keys.publicKeyBase64Url().length());
        assertTrue(!keys.toString().contains(keys.privateKeyBase64Url()), "toString keeps the private key out of logs");
    }

    @Test
    void halvesOfTwoDifferentPairsAreRefused() {
        VapidKeys a = VapidKeys.generate();
        VapidKeys b = VapidKeys.generate();
        assertNotEquals(a.publicKeyBase64Url(), b.publicKeyBase64Url());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VapidKeys.fromBase64Url(a.publicKeyBase64Url(), b.privateKeyBase64Url()));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VapidKeys.fromBase64Url("not-a-key", a.privateKeyBase64Url()));
        assertThrows(IllegalArgumentException.class, () -> VapidKeys.fromBase64Url(a.publicKeyBase64Url(), ""));
    }

    @Test
    void theSubjectMustBeAContact() {
        assertEquals("mailto:ops@acme.example", VapidJwt.requireSubject("mailto:ops@acme.example"));
        assertEquals("https://acme.example/contact", VapidJwt.requireSubject("https://acme.example/contact"));
        assertThrows(IllegalArgumentException.class, () -> VapidJwt.requireSubject("ops@acme.example"));
        assertThrows(IllegalArgumentException.class, () -> VapidJwt.requireSubject(null));
    }
}
