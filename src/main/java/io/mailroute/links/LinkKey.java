package io.mailroute.links;

import io.mailroute.secrets.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One signed-link key. The configured bytes are never used directly: a signing key and a CSRF key are derived
 * from them (HMAC-SHA256 with a label each), so a CSRF token can never be passed off as a link signature or
 * the other way round. Its id is a 4-byte fingerprint, carried in each token to pick the key that verifies it.
 */
final class LinkKey {

    static final int ID_BYTES = 4;
    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] id;
    private final String source;
    private final SecretKeySpec signing;
    private final SecretKeySpec csrf;

    /** @param source where it came from, for messages ("environment variable ...", "key file ...") */
    LinkKey(byte[] key, String source) {
        this.id = KeyMaterial.fingerprint("mailroute link key v1", key, ID_BYTES);
        this.source = source;
        SecretKeySpec master = new SecretKeySpec(key, ALGORITHM);
        this.signing = new SecretKeySpec(hmac(master, label("mailroute link signature v1")), ALGORITHM);
        this.csrf = new SecretKeySpec(hmac(master, label("mailroute link csrf v1")), ALGORITHM);
    }

    byte[] id() {
        return id.clone();
    }

    String hexId() {
        return HexFormat.of().formatHex(id);
    }

    String source() {
        return source;
    }

    /** HMAC-SHA256 of {@code length} bytes of the token, from 0: its signature. */
    byte[] sign(byte[] token, int length) {
        return hmac(signing, token, length);
    }

    /** HMAC-SHA256 of a link id with the CSRF key. */
    byte[] csrf(byte[] linkId) {
        return hmac(csrf, linkId, linkId.length);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] data) {
        return hmac(key, data, data.length);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe, and cheap to make
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static byte[] label(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Never the key: its id and where it came from. */
    @Override
    public String toString() {
        return "LinkKey[" + hexId() + " from " + source + "]";
    }
}
