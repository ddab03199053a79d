package io.mailroute.delivery.webpush;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 8291 message encryption for Web Push: one {@code aes128gcm} record (RFC 8188) of record size 4096 with the
 * sender's ephemeral public key as key id. Pure functions; the caller draws the ephemeral key pair and the salt
 * fresh for every message (reusing either with the same subscription breaks AES-GCM).
 *
 * <p>Decryption is what a browser does; Mailroute uses it in the sandbox and in tests.
 */
public final class WebPushCrypto {

    /** RFC 8291 section 4: the only record size a push message uses. */
    public static final int RECORD_SIZE = 4096;
    public static final int SALT_LENGTH = 16;
    public static final int AUTH_SECRET_LENGTH = 16;
    /** salt(16) || rs(4) || idlen(1) || keyid(65). */
    public static final int HEADER_LENGTH = SALT_LENGTH + 4 + 1 + P256Keys.UNCOMPRESSED_LENGTH;
    private static final int TAG_LENGTH = 16;
    /** RFC 8291 section 4: 4096 less the header, the tag and the padding delimiter. */
    public static final int MAX_PLAINTEXT = RECORD_SIZE - HEADER_LENGTH - TAG_LENGTH - 1;

    private static final byte LAST_RECORD_DELIMITER = 0x02;
    private static final byte[] KEY_INFO_PREFIX = "WebPush: info\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CEK_INFO = "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_INFO = "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII);

    private WebPushCrypto() {
    }

    /**
     * @param plaintext   at most {@link #MAX_PLAINTEXT} bytes
     * @param uaPublic    the subscription's {@code p256dh}
     * @param authSecret  the subscription's {@code auth}, 16 bytes
     * @param asKeyPair   a fresh ephemeral P-256 key pair (not the VAPID keys)
     * @param salt        16 fresh random bytes
     * @return the request body: header and one record
     */
    public static byte[] encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] authSecret, KeyPair asKeyPair,
            byte[] salt) {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new IllegalArgumentException("a Web Push payload holds at most " + MAX_PLAINTEXT + " bytes, this is "
                    + plaintext.length);
        }
        requireLength(authSecret, AUTH_SECRET_LENGTH, "auth secret");
        requireLength(salt, SALT_LENGTH, "salt");
        byte[] asPublic = P256Keys.encode((ECPublicKey) asKeyPair.getPublic());
        byte[] uaPublicBytes = P256Keys.encode(uaPublic);
        Keys keys = deriveKeys(ecdh((ECPrivateKey) asKeyPair.getPrivate(), uaPublic), authSecret, uaPublicBytes,
                asPublic, salt);

        byte[] padded = Arrays.copyOf(plaintext, plaintext.length + 1);
        padded[plaintext.length] = LAST_RECORD_DELIMITER;
        byte[] record = aesGcm(Cipher.ENCRYPT_MODE, keys, padded);

        return ByteBuffer.allocate(HEADER_LENGTH + record.length)
                .put(salt)
                .putInt(RECORD_SIZE)
                .put((byte) asPublic.length)
                .put(asPublic)
                .put(record)
                .array();
    }

    /**
     * What the browser does with a push message body.
     *
     * @throws IllegalArgumentException when the body is malformed, was encrypted for other keys, or was altered
     */
    public static byte[] decrypt(byte[] body, ECPrivateKey uaPrivate, ECPublicKey uaPublic, byte[] authSecret) {
        requireLength(authSecret, AUTH_SECRET_LENGTH, "auth secret");
        if (body == null || body.length < HEADER_LENGTH + TAG_LENGTH + 1) {
            throw new IllegalArgumentException("too short for an aes128gcm push message ("
                    + (body == null ? 0 : body.length) + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[SALT_LENGTH];
        in.get(salt);
        long recordSize = Integer.toUnsignedLong(in.getInt());
        int keyIdLength = Byte.toUnsignedInt(in.get());
        if (keyIdLength != P256Keys.UNCOMPRESSED_LENGTH) {
            throw new IllegalArgumentException("the key id must be the sender's 65-byte P-256 key, its length is "
                    + keyIdLength);
        }
        byte[] asPublic = new byte[keyIdLength];
        in.get(asPublic);
        byte[] record = new byte[in.remaining()];
        in.get(record);
        if (recordSize < TAG_LENGTH + 2 || record.length > recordSize) {
            throw new IllegalArgumentException("a push message is one record: " + record.length
                    + " bytes do not fit the record size " + recordSize);
        }
        Keys keys = deriveKeys(ecdh(uaPrivate, P256Keys.decodePublic(asPublic)), authSecret,
                P256Keys.encode(uaPublic), asPublic, salt);
        byte[] padded = aesGcm(Cipher.DECRYPT_MODE, keys, record);

        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        if (end < 0 || padded[end] != LAST_RECORD_DELIMITER) {
            throw new IllegalArgumentException("the record does not end with the last-record delimiter 0x02");
        }
        return Arrays.copyOf(padded, end);
    }

    /** The RFC 8291 section 3.4 key schedule; package-visible so tests can pin each step to Appendix A. */
    static Keys deriveKeys(byte[] ecdhSecret, byte[] authSecret, byte[] uaPublic, byte[] asPublic, byte[] salt) {
        byte[] keyInfo = ByteBuffer.allocate(KEY_INFO_PREFIX.length + uaPublic.length + asPublic.length)
                .put(KEY_INFO_PREFIX).put(uaPublic).put(asPublic).array();
        byte[] ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
        byte[] prk = hmac(salt, ikm);
        return new Keys(ikm, prk, expand(prk, CEK_INFO, 16), expand(prk, NONCE_INFO, 12));
    }

    record Keys(byte[] ikm, byte[] prk, byte[] contentEncryptionKey, byte[] nonce) {
    }

    static byte[] ecdh(ECPrivateKey own, ECPublicKey peer) {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(own);
            agreement.doPhase(peer, true);
            return agreement.generateSecret(); // the raw X coordinate, 32 bytes, as RFC 8291 wants
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ECDH with this key failed: " + e.getMessage(), e);
        }
    }

    private static byte[] aesGcm(int mode, Keys keys, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(keys.contentEncryptionKey(), "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, keys.nonce()));
            return cipher.doFinal(input);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("the record does not authenticate (wrong keys or altered in transit)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-GCM is unavailable: " + e.getMessage(), e);
        }
    }

    /** HKDF-SHA-256 (RFC 5869) for at most one block of output, which is all RFC 8291 asks for. */
    private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        return expand(hmac(salt, ikm), info, length);
    }

    private static byte[] expand(byte[] prk, byte[] info, int length) {
        byte[] input = Arrays.copyOf(info, info.length + 1);
        input[info.length] = 0x01;
        return Arrays.copyOf(hmac(prk, input), length);
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is unavailable: " + e.getMessage(), e);
        }
    }

    private static void requireLength(byte[] value, int length, String what) {
        if (value == null || value.length != length) {
            throw new IllegalArgumentException("the " + what + " must be " + length + " bytes, was "
                    + (value == null ? "missing" : value.length + " bytes"));
        }
    }
}
