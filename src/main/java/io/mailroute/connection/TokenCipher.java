package io.mailroute.connection;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
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
 * AES-256-GCM for refresh tokens. The mailbox id is the associated data, so a token copied to
 * another mailbox's row does not decrypt. Format: {@code v1.} + base64url(nonce ‖ ciphertext ‖ tag).
 */
public final class TokenCipher {

    private static final String PREFIX = "v1.";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final TokenKey key;
    private final SecureRandom random = new SecureRandom();

    public TokenCipher(TokenKey key) {
        this.key = key;
    }

    public String keyId() {
        return key.id();
    }

    public String encrypt(String mailboxId, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, mailboxId);
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * @param storedKeyId the fingerprint stored with the token
     * @throws ConfigException naming the mailbox when the key is not the one it was stored with, or the data is damaged
     */
    public String decrypt(String mailboxId, String storedKeyId, String sealed) {
        if (!key.id().equals(storedKeyId)) {
            throw new ConfigException(new ConfigProblem(key.source(), null, "is not the key mailbox '" + mailboxId
                    + "''s OAuth token was stored with (key " + storedKeyId + ", this one is " + key.id() + ")",
                    "start with the key it was stored with, or run 'java -jar target/mailroute.jar connect " + mailboxId
                            + "' to store a new grant"));
        }
        try {
            if (!sealed.startsWith(PREFIX)) {
                throw new AEADBadTagException("unknown format");
            }
            byte[] bytes = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            byte[] nonce = new byte[NONCE_BYTES];
            buffer.get(nonce);
            byte[] body = new byte[buffer.remaining()];
            buffer.get(body);
            return new String(cipher(Cipher.DECRYPT_MODE, nonce, mailboxId).doFinal(body), StandardCharsets.UTF_8);
        } catch (AEADBadTagException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
            throw new ConfigException(new ConfigProblem("table mailbox_token", mailboxId, "the stored OAuth token is damaged "
                    + "or belongs to another mailbox (it does not authenticate)",
                    "run 'java -jar target/mailroute.jar connect " + mailboxId + "' to store a new grant"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String mailboxId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key.bytes(), "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(("mailroute mailbox_token " + mailboxId).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
