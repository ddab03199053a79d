/**
 * The Web Push channel: RFC 8030 (HTTP push), RFC 8291 (message encryption, {@code aes128gcm}) and
 * RFC 8292 (VAPID).
 *
 * <p><b>Why the JDK and not a crypto library.</b> Every primitive the three RFCs use is a standard,
 * FIPS-style algorithm the JDK 17 providers already implement and keep patched: P-256 key generation and
 * ECDH ({@code KeyPairGenerator}/{@code KeyAgreement "ECDH"}), ES256 in JWS's raw {@code R||S} form
 * ({@code Signature "SHA256withECDSAinP1363Format"}, so no hand-written DER conversion), HMAC-SHA-256
 * for HKDF, and AES-128-GCM. The only glue the JDK lacks is the SEC1 uncompressed point encoding
 * ({@code 0x04||X||Y}) that browsers hand out as {@code p256dh} and VAPID uses for {@code k}; that is
 * ~40 lines in {@link io.mailroute.delivery.webpush.P256Keys}, which also checks that a decoded point is
 * on the curve (a key from a browser or a config file is input, not trusted). Those lines are pinned by
 * the RFC 8291 test vector in the tests, which decodes and encodes every key it uses. Pulling in
 * BouncyCastle (a 8 MB provider) for that glue alone, or an unmaintained web-push library, would add more
 * to keep patched than it saves. HKDF is written out with HMAC because the JDK 17 has no HKDF API and
 * RFC 8291 only ever needs one block of output.
 *
 * <p>What lives here: {@link io.mailroute.delivery.webpush.WebPushCrypto} (pure encrypt/decrypt),
 * {@link io.mailroute.delivery.webpush.VapidKeys} (the application server's identity),
 * {@code VapidJwt} (the {@code Authorization: vapid} header) and
 * {@link io.mailroute.delivery.webpush.WebPushSender} (one HTTP POST per notification, every answer
 * mapped to a {@link io.mailroute.delivery.SendResult}). The sandbox plays the push service and the browser
 * in {@code io.mailroute.sandbox.WebPushReceiver}.
 */
package io.mailroute.delivery.webpush;
