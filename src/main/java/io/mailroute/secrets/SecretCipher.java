package io.mailroute.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets at rest. The caller names the row a value belongs to as the associated data
 * (e.g. {@code mailroute mailbox_token hr}), so a value copied to another row does not decrypt.
 * Format: {@code v1.} + base64url(nonce ‖ ciphertext ‖ tag).
 */
public final class SecretCipher {

    /** A sealed value that this key cannot open; says why, never what it holds. */
    public static final class Unreadable extends RuntimeException {
        private final boolean wrongKey;

        Unreadable(boolean wrongKey, String message) {
            super(message, null, false, false);
            this.wrongKey = wrongKey;
        }

        /** True: sealed with another key; false: damaged, or moved from another row. */
        public boolean wrongKey() {
            return wrongKey;
        }
    }

    private static final String PREFIX = "v1.";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final TokenKey key;
    private final SecureRandom random = new SecureRandom();

    public SecretCipher(TokenKey key) {
        this.key = key;
    }

    /** The fingerprint stored beside each sealed value. */
    public String keyId() {
        return key.id();
    }

    /** Where the key came from, for messages. */
    public String keySource() {
        return key.source();
    }

    public String seal(String associatedData, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, nonce, associatedData).doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * @param storedKeyId the fingerprint stored with the value
     * @throws Unreadable when the key is not the one it was sealed with, or the value is damaged or belongs to another row
     */
    public String open(String associatedData, String storedKeyId, String sealed) {
        if (!key.id().equals(storedKeyId)) {
            throw new Unreadable(true, "sealed with key " + storedKeyId + ", and the " + key.source() + " is key " + key.id());
        }
        try {
            if (sealed == null || !sealed.startsWith(PREFIX)) {
                throw new AEADBadTagException("unknown format");
            }
            ByteBuffer buffer = ByteBuffer.wrap(Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length())));
            byte[] nonce = new byte[NONCE_BYTES];
            buffer.get(nonce);
            byte[] body = new byte[buffer.remaining()];
            buffer.get(body);
            return new String(cipher(Cipher.DECRYPT_MODE, nonce, associatedData).doFinal(body), StandardCharsets.UTF_8);
        } catch (AEADBadTagException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new Unreadable(false, "damaged or belongs to another row (it does not authenticate)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String associatedData) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
