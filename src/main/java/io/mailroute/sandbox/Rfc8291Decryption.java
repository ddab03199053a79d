package io.mailroute.sandbox;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.util.BigIntegers;

/**
 * What a browser does with a Web Push message body (RFC 8291, one aes128gcm record of RFC 8188), written from the RFCs
 * with Bouncy Castle's ECDH, HKDF and AES-GCM: the sandbox's receiver decrypts with this, not with the sender's
 * {@code WebPushCrypto}, so that a mistake in the sender's key schedule cannot decrypt its own output and pass.
 */
final class Rfc8291Decryption {

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(),
            P256.getH());

    private Rfc8291Decryption() {
    }

    /** With the browser's key pair as the JDK holds it. */
    static byte[] decrypt(byte[] body, ECPrivateKey uaPrivate, ECPublicKey uaPublic, byte[] authSecret) {
        byte[] uaPublicBytes = ByteBuffer.allocate(65).put((byte) 0x04)
                .put(BigIntegers.asUnsignedByteArray(32, uaPublic.getW().getAffineX()))
                .put(BigIntegers.asUnsignedByteArray(32, uaPublic.getW().getAffineY())).array();
        return decrypt(body, BigIntegers.asUnsignedByteArray(32, uaPrivate.getS()), uaPublicBytes, authSecret);
    }

    /**
     * @param uaPrivate the browser's private scalar (32 bytes), {@code uaPublic} its uncompressed point (65 bytes)
     * @throws IllegalArgumentException naming what is wrong with the body
     */
    static byte[] decrypt(byte[] body, byte[] uaPrivate, byte[] uaPublic, byte[] authSecret) {
        // RFC 8188 section 2.1: salt (16) | record size (4) | idlen (1) | keyid (idlen) | one record
        if (body == null || body.length < 16 + 4 + 1 + 65 + 16 + 1) {
            throw new IllegalArgumentException("too short for an aes128gcm push message");
        }
        byte[] salt = Arrays.copyOfRange(body, 0, 16);
        long recordSize = ByteBuffer.wrap(body, 16, 4).getInt() & 0xffffffffL;
        int idLength = body[20] & 0xff;
        if (idLength != 65) {
            throw new IllegalArgumentException("RFC 8291 section 4: the key id is the sender's 65-byte key, not "
                    + idLength + " bytes");
        }
        byte[] asPublic = Arrays.copyOfRange(body, 21, 21 + 65);
        byte[] record = Arrays.copyOfRange(body, 21 + 65, body.length);
        if (record.length > recordSize) {
            throw new IllegalArgumentException("the record (" + record.length + " bytes) is larger than the record size "
                    + recordSize);
        }
        // RFC 8291 section 3.3 and 3.4
        ECDHBasicAgreement agreement = new ECDHBasicAgreement();
        agreement.init(new ECPrivateKeyParameters(new BigInteger(1, uaPrivate), DOMAIN));
        byte[] ecdhSecret;
        try {
            ecdhSecret = BigIntegers.asUnsignedByteArray(32, agreement.calculateAgreement(
                    new ECPublicKeyParameters(P256.getCurve().decodePoint(asPublic), DOMAIN)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the sender's key is not a P-256 point: " + e.getMessage(), e);
        }
        byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
        byte[] ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
        byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

        GCMBlockCipher gcm = (GCMBlockCipher) GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(false, new AEADParameters(new KeyParameter(cek), 128, nonce));
        byte[] padded = new byte[gcm.getOutputSize(record.length)];
        try {
            int n = gcm.processBytes(record, 0, record.length, padded, 0);
            gcm.doFinal(padded, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalArgumentException("the record does not authenticate (wrong keys or altered in transit)", e);
        }
        // RFC 8188 section 2: the last record ends with 0x02, then zero padding
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        if (end < 0 || padded[end] != 0x02) {
            throw new IllegalArgumentException("the record does not end with the last-record delimiter 0x02");
        }
        return Arrays.copyOf(padded, end);
    }

    private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer buffer = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        Arrays.stream(parts).forEach(buffer::put);
        return buffer.array();
    }
}
