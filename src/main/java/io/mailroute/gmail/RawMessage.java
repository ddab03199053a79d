package io.mailroute.gmail;

import com.google.api.services.gmail.model.Message;
import jakarta.mail.util.SharedByteArrayInputStream;
import jakarta.mail.util.SharedFileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * One Gmail message as {@code messages.get(format=RAW)} answered it: its metadata, and its RFC 822 bytes,
 * held in memory when small or in an owner-only spill file ({@link RawMessageReader}) when large. {@link #open()}
 * gives a jakarta.mail shared stream, so the MIME parser reads parts as windows onto the bytes, never copies.
 * Closing deletes the spill file. When Gmail's {@code raw} field could not be decoded, {@link #undecodable()} says
 * why and the bytes are those decoded before the fault.
 */
public final class RawMessage implements AutoCloseable {

    /** What Gmail says about the message besides its bytes. */
    public record Meta(String id, String threadId, List<String> labelIds, String historyId, Long internalDate,
            Integer sizeEstimate) {
        public Meta {
            labelIds = labelIds == null ? List.of() : List.copyOf(labelIds);
        }
    }

    static final String NOT_BASE64URL = "the raw field is not base64url (Gmail's RAW alphabet): ";

    private final Meta meta;
    private final byte[] bytes;
    private final Path file;
    private final long size;
    private final String sha256;
    private final String undecodable;

    private RawMessage(Meta meta, byte[] bytes, Path file, long size, String sha256, String undecodable) {
        this.meta = meta;
        this.bytes = bytes;
        this.file = file;
        this.size = size;
        this.sha256 = sha256;
        this.undecodable = undecodable;
    }

    static RawMessage inMemory(Meta meta, byte[] bytes, String sha256, String undecodable) {
        return new RawMessage(meta, bytes, null, bytes.length, sha256, undecodable);
    }

    static RawMessage inFile(Meta meta, Path file, long size, String sha256, String undecodable) {
        return new RawMessage(meta, null, file, size, sha256, undecodable);
    }

    /**
     * The client library's parsed message (its {@code raw} a base64url string), for callers that have one. Text
     * outside the base64url alphabet (the standard one included) is undecodable, as from {@link RawMessageReader}.
     */
    public static RawMessage of(Message message) {
        Meta meta = new Meta(message.getId(), message.getThreadId(), message.getLabelIds(),
                message.getHistoryId() == null ? null : message.getHistoryId().toString(), message.getInternalDate(),
                message.getSizeEstimate());
        byte[] bytes = new byte[0];
        String undecodable = null;
        if (message.getRaw() != null) {
            try {
                bytes = Base64.getUrlDecoder().decode(message.getRaw());
            } catch (IllegalArgumentException notBase64Url) {
                undecodable = NOT_BASE64URL + notBase64Url.getMessage();
            }
        }
        return inMemory(meta, bytes, sha256(bytes), undecodable);
    }

    public Meta meta() {
        return meta;
    }

    public String id() {
        return meta.id();
    }

    /** Bytes decoded (all of them unless {@link #undecodable()}). */
    public long size() {
        return size;
    }

    /** SHA-256 of the decoded bytes, hex. */
    public String sha256() {
        return sha256;
    }

    /** Why Gmail's raw field could not be decoded, or null when it was. */
    public String undecodable() {
        return undecodable;
    }

    /** Whether the bytes are in a spill file rather than in memory. */
    public boolean spilled() {
        return file != null;
    }

    /**
     * A new stream over the bytes, a {@link jakarta.mail.internet.SharedInputStream}: a file's is read in place,
     * never brought into the heap whole. The caller closes it.
     */
    public InputStream open() throws IOException {
        return file == null ? new SharedByteArrayInputStream(bytes) : new SharedFileInputStream(file.toFile());
    }

    /** Deletes the spill file, if any. */
    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // left for the next start's clean-up (RawMessageReader.inDirectory)
            }
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
