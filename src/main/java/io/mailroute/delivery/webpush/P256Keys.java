package io.mailroute.delivery.webpush;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.util.Arrays;
import java.util.Base64;

/**
 * NIST P-256 keys in the encodings Web Push uses: SEC1 uncompressed points ({@code 0x04||X||Y}, 65 bytes) for
 * public keys and the raw 32-byte scalar {@code d} for private keys, base64url without padding on the wire.
 */
public final class P256Keys {

    /** Length of an uncompressed point: the 0x04 tag and two 32-byte coordinates. */
    public static final int UNCOMPRESSED_LENGTH = 65;

    private static final int COORDINATE_LENGTH = 32;
    private static final ECParameterSpec P256 = parameters();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

    private P256Keys() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate P-256 keys", e);
        }
    }

    /** {@code 0x04||X||Y}, each coordinate left-padded to 32 bytes. */
    public static byte[] encode(ECPublicKey key) {
        byte[] out = new byte[UNCOMPRESSED_LENGTH];
        out[0] = 0x04;
        ECPoint w = key.getW();
        writeUnsigned(w.getAffineX(), out, 1);
        writeUnsigned(w.getAffineY(), out, 1 + COORDINATE_LENGTH);
        return out;
    }

    /** The point, checked to lie on P-256: a key from a browser or a config file is input, not trusted. */
    public static ECPublicKey decodePublic(byte[] uncompressed) {
        if (uncompressed == null || uncompressed.length != UNCOMPRESSED_LENGTH || uncompressed[0] != 0x04) {
            throw new IllegalArgumentException("not an uncompressed P-256 point (expected 65 bytes starting 0x04, got "
                    + (uncompressed == null ? "nothing" : uncompressed.length + " bytes") + ")");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 1 + COORDINATE_LENGTH));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(uncompressed, 1 + COORDINATE_LENGTH, UNCOMPRESSED_LENGTH));
        if (!onCurve(x, y)) {
            throw new IllegalArgumentException("the point is not on the P-256 curve");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable P-256 public key: " + e.getMessage(), e);
        }
    }

    public static ECPublicKey decodePublic(String base64Url) {
        return decodePublic(decodeBase64Url(base64Url, "public key"));
    }

    /** The raw scalar {@code d}, 32 bytes big-endian. */
    public static byte[] encode(ECPrivateKey key) {
        byte[] out = new byte[COORDINATE_LENGTH];
        writeUnsigned(key.getS(), out, 0);
        return out;
    }

    public static ECPrivateKey decodePrivate(byte[] d) {
        if (d == null || d.length != COORDINATE_LENGTH) {
            throw new IllegalArgumentException("not a P-256 private key (expected 32 bytes, got "
                    + (d == null ? "nothing" : d.length + " bytes") + ")");
        }
        BigInteger s = new BigInteger(1, d);
        if (s.signum() == 0 || s.compareTo(P256.getOrder()) >= 0) {
            throw new IllegalArgumentException("the private key is out of range for P-256");
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(s, P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a usable P-256 private key: " + e.getMessage(), e);
        }
    }

    public static ECPrivateKey decodePrivate(String base64Url) {
        return decodePrivate(decodeBase64Url(base64Url, "private key"));
    }

    public static String base64Url(byte[] bytes) {
        return BASE64URL.encodeToString(bytes);
    }

    /** Accepts the URL-safe alphabet with or without padding, as browsers and libraries vary. */
    public static byte[] decodeBase64Url(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        try {
            return BASE64URL_DECODER.decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not base64url: " + e.getMessage(), e);
        }
    }

    private static boolean onCurve(BigInteger x, BigInteger y) {
        EllipticCurve curve = P256.getCurve();
        BigInteger p = ((ECFieldFp) curve.getField()).getP();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(p);
        BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        return left.equals(right);
    }

    private static void writeUnsigned(BigInteger value, byte[] out, int offset) {
        byte[] bytes = value.toByteArray(); // may carry a leading sign byte, or be shorter than 32
        int length = Math.min(bytes.length, COORDINATE_LENGTH);
        System.arraycopy(bytes, bytes.length - length, out, offset + COORDINATE_LENGTH - length, length);
    }

    private static ECParameterSpec parameters() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no P-256 curve", e);
        }
    }
}
