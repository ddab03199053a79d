package io.mailroute.links;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The bytes of a link token before its signature (version 1), compact so that a link fits an email button:
 * <pre>
 * version (1 byte, 1) | key id (4) | link id (16 random bytes) | expiry (4, unsigned seconds since 1970, so
 * until 2106) | flags (1: bit 0 single use, the others 0) | purpose, subject id, recipient (each a 1-byte
 * length and that many bytes of UTF-8)
 * </pre>
 * The token is these bytes and their 32-byte HMAC-SHA256, in base64url without padding. Text fields are length
 * prefixed, never delimited, so no recipient address, however odd, can move a field boundary.
 */
record LinkToken(byte[] keyId, byte[] linkId, long expiresAtSecond, boolean singleUse, String purpose, String subjectId,
        String recipient) {

    static final byte VERSION = 1;
    static final int LINK_ID_BYTES = 16;
    static final int SIGNATURE_BYTES = 32;
    static final int MAX_PURPOSE_BYTES = 32;
    static final int MAX_SUBJECT_BYTES = 200;
    static final int MAX_RECIPIENT_BYTES = 254;
    static final Pattern PURPOSE = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
    static final long MAX_EXPIRY_SECOND = 0xFFFF_FFFFL;
    private static final int HEADER_BYTES = 1 + LinkKey.ID_BYTES;
    private static final int FIXED_BYTES = HEADER_BYTES + LINK_ID_BYTES + 4 + 1;
    /** The shortest and longest a token can be, signature included. */
    static final int MIN_BYTES = FIXED_BYTES + 3 * 2 + SIGNATURE_BYTES;
    static final int MAX_BYTES = FIXED_BYTES + 3 + MAX_PURPOSE_BYTES + MAX_SUBJECT_BYTES + MAX_RECIPIENT_BYTES
            + SIGNATURE_BYTES;

    /** The unsigned bytes: what the signature covers. */
    byte[] body() {
        byte[] purposeBytes = utf8(purpose);
        byte[] subjectBytes = utf8(subjectId);
        byte[] recipientBytes = utf8(recipient);
        ByteBuffer out = ByteBuffer.allocate(FIXED_BYTES + 3 + purposeBytes.length + subjectBytes.length + recipientBytes.length);
        out.put(VERSION).put(keyId).put(linkId).putInt((int) expiresAtSecond).put((byte) (singleUse ? 1 : 0));
        for (byte[] field : new byte[][] {purposeBytes, subjectBytes, recipientBytes}) {
            out.put((byte) field.length).put(field);
        }
        return out.array();
    }

    /** The key id of a token of at least {@link #MIN_BYTES}, or null when its version is not this one. */
    static byte[] keyIdOf(byte[] token) {
        if (token.length < MIN_BYTES || token[0] != VERSION) {
            return null;
        }
        byte[] id = new byte[LinkKey.ID_BYTES];
        System.arraycopy(token, 1, id, 0, id.length);
        return id;
    }

    /** The first {@code length} bytes of a token read back, or null when they are not a well-formed body. */
    static LinkToken parse(byte[] token, int length) {
        ByteBuffer in = ByteBuffer.wrap(token, 0, length);
        if (length < FIXED_BYTES + 3 || in.get() != VERSION) {
            return null;
        }
        byte[] keyId = new byte[LinkKey.ID_BYTES];
        byte[] linkId = new byte[LINK_ID_BYTES];
        in.get(keyId).get(linkId);
        long expiry = Integer.toUnsignedLong(in.getInt());
        byte flags = in.get();
        if ((flags & ~1) != 0) {
            return null;
        }
        String purpose = text(in, MAX_PURPOSE_BYTES);
        String subject = text(in, MAX_SUBJECT_BYTES);
        String recipient = text(in, MAX_RECIPIENT_BYTES);
        if (purpose == null || subject == null || recipient == null || in.hasRemaining() || !PURPOSE.matcher(purpose).matches()) {
            return null;
        }
        return new LinkToken(keyId, linkId, expiry, flags == 1, purpose, subject, recipient);
    }

    /**
     * Why this text may not be a subject id or recipient, or null when it may: it must be 1..max bytes of UTF-8
     * without control characters (what a page or a mail header later shows must not break lines).
     */
    static String invalidText(String text, int maxBytes) {
        if (text == null || text.isEmpty()) {
            return "is empty";
        }
        if (utf8(text).length > maxBytes) {
            return "is longer than " + maxBytes + " bytes of UTF-8";
        }
        if (text.codePoints().anyMatch(Character::isISOControl)) {
            return "contains a control character";
        }
        if (text.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
            return "contains half of a surrogate pair (not text)";
        }
        return null;
    }

    private static String text(ByteBuffer in, int maxBytes) {
        if (!in.hasRemaining()) {
            return null;
        }
        int length = Byte.toUnsignedInt(in.get());
        if (length > maxBytes || length > in.remaining()) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return invalidText(text, maxBytes) == null ? text : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
