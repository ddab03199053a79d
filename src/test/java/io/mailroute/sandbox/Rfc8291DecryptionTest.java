package io.mailroute.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.delivery.webpush.P256Keys;
import io.mailroute.delivery.webpush.WebPushCrypto;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The sandbox's own RFC 8291 decryption (Bouncy Castle, not the sender's code) against the RFC's worked example, and
 * against what the product's sender encrypts: the two implementations must agree, so each checks the other.
 */
class Rfc8291DecryptionTest {

    // RFC 8291 section 5, "Push Message Encryption Example"
    private static final String UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private static final String AUTH_SECRET = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vC"
            + "YLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    private static byte[] b64(String s) {
        return Base64.getUrlDecoder().decode(s);
    }

    @Test
    void decryptsTheRfcExample() {
        byte[] plaintext = Rfc8291Decryption.decrypt(b64(BODY), b64(UA_PRIVATE), b64(UA_PUBLIC), b64(AUTH_SECRET));
        assertEquals("When I grow up, I want to be a watermelon", new String(plaintext, StandardCharsets.UTF_8));
    }

    @Test
    void decryptsWhatTheSenderEncryptsForAFreshBrowser() {
        KeyPair browser = P256Keys.generate();
        byte[] auth = new byte[16];
        new java.security.SecureRandom().nextBytes(auth);
        String payload = "{\"title\":\"New case #7\",\"body\":\"Pr\u00fcfung \u2713\"}";
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        byte[] body = WebPushCrypto.encrypt(payload.getBytes(StandardCharsets.UTF_8), (ECPublicKey) browser.getPublic(),
                auth, P256Keys.generate(), salt);

        byte[] plaintext = Rfc8291Decryption.decrypt(body, (ECPrivateKey) browser.getPrivate(),
                (ECPublicKey) browser.getPublic(), auth);
        assertEquals(payload, new String(plaintext, StandardCharsets.UTF_8));
    }

    @Test
    void refusesAnAlteredRecordAndTheWrongAuthSecret() {
        byte[] altered = b64(BODY);
        altered[altered.length - 5] ^= 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rfc8291Decryption.decrypt(altered, b64(UA_PRIVATE), b64(UA_PUBLIC), b64(AUTH_SECRET)));
        assertTrue(e.getMessage().contains("does not authenticate"), e.getMessage());

        byte[] otherAuth = b64(AUTH_SECRET);
        otherAuth[0] ^= 1;
        assertThrows(IllegalArgumentException.class,
                () -> Rfc8291Decryption.decrypt(b64(BODY), b64(UA_PRIVATE), b64(UA_PUBLIC), otherAuth));
    }

    @Test
    void refusesABodyWhoseKeyIdIsNotAP256Key() {
        byte[] body = b64(BODY);
        body[20] = 64;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Rfc8291Decryption.decrypt(body, b64(UA_PRIVATE), b64(UA_PUBLIC), b64(AUTH_SECRET)));
        assertTrue(e.getMessage().contains("65-byte"), e.getMessage());
    }
}
