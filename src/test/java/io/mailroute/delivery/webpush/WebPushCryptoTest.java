package io.mailroute.delivery.webpush;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * RFC 8291 section 5 ("Push Message Encryption Example") and the intermediate values of its Appendix A. The
 * vectors are read with the JDK's own base64url decoder, not {@link P256Keys}, which is under test.
 */
class WebPushCryptoTest {

    private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    private static final String AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private static final String UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    private static final String AUTH_SECRET = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String ECDH_SECRET = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs";
    private static final String IKM = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg";
    private static final String PRK = "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc";
    private static final String CEK = "oIhVW04MRdy2XN9CiKLxTg";
    private static final String NONCE = "4h_95klXJ5E_qnoN";
    private static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vC"
            + "YLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    private static byte[] b64(String s) {
        return Base64.getUrlDecoder().decode(s);
    }

    private static KeyPair asKeyPair() {
        return new KeyPair(P256Keys.decodePublic(b64(AS_PUBLIC)), P256Keys.decodePrivate(b64(AS_PRIVATE)));
    }

    private static ECPublicKey uaPublic() {
        return P256Keys.decodePublic(b64(UA_PUBLIC));
    }

    private static ECPrivateKey uaPrivate() {
        return P256Keys.decodePrivate(b64(UA_PRIVATE));
    }

    @Test
    void encryptProducesTheRfc8291ExampleBodyByteForByte() {
        byte[] body = WebPushCrypto.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8), uaPublic(), b64(AUTH_SECRET),
                asKeyPair(), b64(SALT));

        assertArrayEquals(b64(BODY), body);
        assertEquals(144, body.length, "86-byte header, 41 bytes of text, the 0x02 delimiter and a 16-byte tag");
    }

    @Test
    void decryptRecoversTheRfc8291ExamplePlaintext() {
        byte[] plaintext = WebPushCrypto.decrypt(b64(BODY), uaPrivate(), uaPublic(), b64(AUTH_SECRET));

        assertEquals(PLAINTEXT, new String(plaintext, StandardCharsets.UTF_8));
    }

    @Test
    void everyIntermediateOfTheKeyScheduleMatchesAppendixA() {
        byte[] secret = WebPushCrypto.ecdh((ECPrivateKey) asKeyPair().getPrivate(), uaPublic());
        assertArrayEquals(b64(ECDH_SECRET), secret, "ECDH gives the raw X coordinate");
        assertArrayEquals(secret, WebPushCrypto.ecdh(uaPrivate(), P256Keys.decodePublic(b64(AS_PUBLIC))),
                "the browser derives the same secret from the key in the header");

        WebPushCrypto.Keys keys = WebPushCrypto.deriveKeys(secret, b64(AUTH_SECRET), b64(UA_PUBLIC), b64(AS_PUBLIC),
                b64(SALT));
        assertArrayEquals(b64(IKM), keys.ikm());
        assertArrayEquals(b64(PRK), keys.prk());
        assertArrayEquals(b64(CEK), keys.contentEncryptionKey());
        assertArrayEquals(b64(NONCE), keys.nonce());
    }

    @Test
    void theHeaderCarriesSaltRecordSize4096AndTheSendersKey() {
        byte[] body = b64(BODY);
        assertArrayEquals(b64(SALT), Arrays.copyOfRange(body, 0, 16));
        assertArrayEquals(new byte[] {0, 0, 0x10, 0}, Arrays.copyOfRange(body, 16, 20));
        assertEquals(65, body[20]);
        assertArrayEquals(b64(AS_PUBLIC), Arrays.copyOfRange(body, 21, 86));
    }

    @Test
    void keysSurviveEncodeAndDecode() {
        assertEquals(UA_PUBLIC, P256Keys.base64Url(P256Keys.encode(uaPublic())));
        assertEquals(UA_PRIVATE, P256Keys.base64Url(P256Keys.encode(uaPrivate())));
    }

    @Test
    void freshKeysRoundTripIncludingAnEmptyAndAMaximalPayload() {
        KeyPair ua = P256Keys.generate();
        byte[] auth = new byte[16];
        Arrays.fill(auth, (byte) 7);
        for (int length : new int[] {0, 1, WebPushCrypto.MAX_PLAINTEXT}) {
            byte[] plaintext = new byte[length];
            Arrays.fill(plaintext, (byte) 'x');
            byte[] body = WebPushCrypto.encrypt(plaintext, (ECPublicKey) ua.getPublic(), auth, P256Keys.generate(),
                    new byte[16]);
            assertArrayEquals(plaintext, WebPushCrypto.decrypt(body, (ECPrivateKey) ua.getPrivate(),
                    (ECPublicKey) ua.getPublic(), auth));
            assertEquals(length + 103, body.length);
        }
        assertEquals(4096, WebPushCrypto.MAX_PLAINTEXT + 103, "the whole body fits the 4096-byte push limit");
    }

    @Test
    void aPayloadLargerThanOneRecordIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> WebPushCrypto.encrypt(new byte[WebPushCrypto.MAX_PLAINTEXT + 1],
                uaPublic(), b64(AUTH_SECRET), asKeyPair(), b64(SALT)));
    }

    @Test
    void everyAlteredByteOfTheBodyIsRejected() {
        byte[] original = b64(BODY);
        for (int i = 0; i < original.length; i++) {
            if (i >= 16 && i < 20) {
                continue; // the record size: a larger one still describes this single record
            }
            byte[] tampered = original.clone();
            tampered[i] ^= 0x01;
            int index = i;
            assertThrows(IllegalArgumentException.class,
                    () -> WebPushCrypto.decrypt(tampered, uaPrivate(), uaPublic(), b64(AUTH_SECRET)),
                    () -> "a flipped bit at byte " + index + " must not decrypt");
        }
    }

    @Test
    void aRecordSizeSmallerThanTheRecordIsRejected() {
        byte[] tampered = b64(BODY);
        tampered[18] = 0; // rs = 0 instead of 4096
        tampered[19] = 40;
        assertThrows(IllegalArgumentException.class,
                () -> WebPushCrypto.decrypt(tampered, uaPrivate(), uaPublic(), b64(AUTH_SECRET)));
    }

    @Test
    void theWrongAuthSecretOrTheWrongKeyDoesNotDecrypt() {
        byte[] wrongAuth = b64(AUTH_SECRET);
        wrongAuth[0] ^= 0x01;
        assertThrows(IllegalArgumentException.class,
                () -> WebPushCrypto.decrypt(b64(BODY), uaPrivate(), uaPublic(), wrongAuth));

        KeyPair other = P256Keys.generate();
        assertThrows(IllegalArgumentException.class, () -> WebPushCrypto.decrypt(b64(BODY),
                (ECPrivateKey) other.getPrivate(), (ECPublicKey) other.getPublic(), b64(AUTH_SECRET)));
    }

    @Test
    void aRecordThatDoesNotEndWithTheLastRecordDelimiterIsRejected() {
        // Re-encrypt the example with delimiter 0x01 ("more records follow") using the Appendix A key and nonce.
        byte[] padded = Arrays.copyOf(PLAINTEXT.getBytes(StandardCharsets.UTF_8), PLAINTEXT.length() + 1);
        padded[PLAINTEXT.length()] = 0x01;
        byte[] body = Arrays.copyOf(b64(BODY), 86 + padded.length + 16);
        byte[] record = gcm(padded);
        System.arraycopy(record, 0, body, 86, record.length);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebPushCrypto.decrypt(body, uaPrivate(), uaPublic(), b64(AUTH_SECRET)));
        assertEquals("the record does not end with the last-record delimiter 0x02", e.getMessage());
    }

    @Test
    void aPointOffTheCurveOrOfTheWrongShapeIsRefused() {
        byte[] offCurve = b64(UA_PUBLIC);
        offCurve[40] ^= 0x01;
        assertThrows(IllegalArgumentException.class, () -> P256Keys.decodePublic(offCurve));
        assertThrows(IllegalArgumentException.class, () -> P256Keys.decodePublic(Arrays.copyOf(b64(UA_PUBLIC), 64)));
        byte[] compressedTag = b64(UA_PUBLIC);
        compressedTag[0] = 0x02;
        assertThrows(IllegalArgumentException.class, () -> P256Keys.decodePublic(compressedTag));
        assertThrows(IllegalArgumentException.class, () -> P256Keys.decodePrivate(new byte[32]));
    }

    @Test
    void coordinatesWithLeadingZeroBytesStay32BytesLong() {
        // About one key in 128 has a coordinate whose top byte is zero; BigInteger drops it.
        int seen = 0;
        for (int i = 0; i < 2000 && seen < 3; i++) {
            KeyPair pair = P256Keys.generate();
            ECPublicKey key = (ECPublicKey) pair.getPublic();
            if (key.getW().getAffineX().bitLength() <= 248 || key.getW().getAffineY().bitLength() <= 248
                    || ((ECPrivateKey) pair.getPrivate()).getS().bitLength() <= 248) {
                seen++;
                byte[] encoded = P256Keys.encode(key);
                assertEquals(65, encoded.length);
                assertEquals(key.getW(), P256Keys.decodePublic(encoded).getW());
                byte[] d = P256Keys.encode((ECPrivateKey) pair.getPrivate());
                assertEquals(32, d.length);
                assertEquals(((ECPrivateKey) pair.getPrivate()).getS(), P256Keys.decodePrivate(d).getS());
            }
        }
        assertNotEquals(0, seen, "no short coordinate in 2000 keys: the test did not exercise padding");
    }

    private static byte[] gcm(byte[] padded) {
        try {
            javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(b64(CEK), "AES"),
                    new javax.crypto.spec.GCMParameterSpec(128, b64(NONCE)));
            return cipher.doFinal(padded);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
