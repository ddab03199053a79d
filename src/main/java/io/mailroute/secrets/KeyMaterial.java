package io.mailroute.secrets;

import io.mailroute.files.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * What every key Mailroute keeps has in common (the token key, the signed-link keys): random bytes written as
 * base64, held in an environment variable or in a key file that only its owner may read, and known in messages
 * and stored rows by a fingerprint, never by its bytes.
 */
public final class KeyMaterial {

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyMaterial() {
    }

    /** A new random key of this many bytes, as base64: what a key file or a key variable holds. */
    public static String generate(int bytes) {
        byte[] key = new byte[bytes];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** The key that base64 text holds (surrounding blanks ignored), or null when it is not base64 of min..max bytes. */
    public static byte[] decode(String text, int minBytes, int maxBytes) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        return key.length >= minBytes && key.length <= maxBytes ? key : null;
    }

    /** The base64 text of a key file. */
    public static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    /**
     * Creates the key file with a new random key, owner-only (0600) from its first byte, and answers its text.
     * When another process created the file first, answers what that one wrote: both then use the same key.
     */
    public static String createFile(Path file, int bytes) throws IOException {
        String encoded = generate(bytes);
        try {
            OwnerOnly.createNew(file, (encoded + System.lineSeparator()).getBytes(StandardCharsets.US_ASCII));
            return encoded;
        } catch (FileAlreadyExistsException raced) {
            return read(file);
        }
    }

    /**
     * The first {@code bytes} bytes of SHA-256 over a label and the key: a fingerprint that tells keys apart and
     * reveals nothing of the key. The label keeps one key's fingerprint for one use apart from another use's.
     */
    public static byte[] fingerprint(String label, byte[] key, int bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(label.getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(sha.digest(key), bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
