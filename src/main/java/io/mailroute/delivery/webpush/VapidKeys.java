package io.mailroute.delivery.webpush;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/**
 * The application server's VAPID key pair (RFC 8292): browsers subscribe with its public half
 * ({@code applicationServerKey}), and every push request is signed with the private half. One pair per
 * deployment, kept stable: changing it orphans every browser subscription made with the old public key.
 */
public final class VapidKeys {

    /** JWS ES256: ECDSA P-256 SHA-256 with the signature as raw {@code R||S} (64 bytes), not DER. */
    static final String ES256 = "SHA256withECDSAinP1363Format";

    private final ECPublicKey publicKey;
    private final ECPrivateKey privateKey;

    private VapidKeys(ECPublicKey publicKey, ECPrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    public static VapidKeys generate() {
        KeyPair pair = P256Keys.generate();
        return new VapidKeys((ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate());
    }

    /**
     * @param publicKeyUncompressed base64url of the 65-byte uncompressed point (what browsers are given)
     * @param privateKeyD           base64url of the 32-byte private scalar
     * @throws IllegalArgumentException when either is malformed or they are not halves of one pair
     */
    public static VapidKeys fromBase64Url(String publicKeyUncompressed, String privateKeyD) {
        ECPublicKey publicKey;
        ECPrivateKey privateKey;
        try {
            publicKey = P256Keys.decodePublic(publicKeyUncompressed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VAPID public key: " + e.getMessage(), e);
        }
        try {
            privateKey = P256Keys.decodePrivate(privateKeyD);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VAPID private key: " + e.getMessage(), e);
        }
        VapidKeys keys = new VapidKeys(publicKey, privateKey);
        byte[] probe = "mailroute vapid key check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(publicKey, probe, keys.sign(probe))) {
            throw new IllegalArgumentException("the VAPID private key does not belong to the VAPID public key:"
                    + " configure the two halves of one pair");
        }
        return keys;
    }

    /** The {@code applicationServerKey} browsers subscribe with, and the {@code k} of every request. */
    public String publicKeyBase64Url() {
        return P256Keys.base64Url(P256Keys.encode(publicKey));
    }

    /** For storing the pair in the environment or an encrypted store; never log it. */
    public String privateKeyBase64Url() {
        return P256Keys.base64Url(P256Keys.encode(privateKey));
    }

    public ECPublicKey publicKey() {
        return publicKey;
    }

    /** An ES256 signature (64 bytes, {@code R||S}). */
    byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance(ES256);
            signature.initSign(privateKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed: " + e.getMessage(), e);
        }
    }

    /** Checks an ES256 signature (raw {@code R||S}); false for any malformed input. */
    public static boolean verify(ECPublicKey key, byte[] data, byte[] rawSignature) {
        try {
            Signature signature = Signature.getInstance(ES256);
            signature.initVerify(key);
            signature.update(data);
            return signature.verify(rawSignature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "VapidKeys[public=" + publicKeyBase64Url() + "]"; // never the private half
    }
}
