package io.mailroute.files;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file written under a temp name beside where it belongs, hashed (SHA-256) as it is written, forced to disk when
 * its stream closes, and moved into place only once complete: a reader never sees half a file. Closing it deletes
 * the temp file if it was not moved (a failure, or content already stored), quietly: the original failure matters
 * more, and a leftover temp file is harmless and recognisable by its prefix.
 */
public final class StagedFile implements AutoCloseable {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path temp;
    private final MessageDigest sha256;
    private String hex;

    private StagedFile(Path temp) {
        this.temp = temp;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e); // every Java SE platform must have it
        }
    }

    /** A new, empty temp file {@code <prefix>*.tmp} in {@code directory}, readable by its owner only (0600). */
    public static StagedFile in(Path directory, String prefix) throws IOException {
        return new StagedFile(Files.createTempFile(directory, prefix, ".tmp"));
    }

    /** The stream to write the content to, once: buffered, hashed, and on close flushed and synced to disk. */
    public OutputStream output() throws IOException {
        FileOutputStream file = new FileOutputStream(temp.toFile());
        OutputStream synced = new FilterOutputStream(file) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                file.write(bytes, offset, length);
            }

            @Override
            public void close() throws IOException {
                try (file) {
                    file.getFD().sync(); // whatever records this file's hash next must find it on disk
                }
            }
        };
        return new BufferedOutputStream(new DigestOutputStream(synced, sha256), BUFFER_BYTES);
    }

    /** The hex SHA-256 of what was written; call after the stream is closed. */
    public String sha256Hex() {
        if (hex == null) {
            hex = HexFormat.of().formatHex(sha256.digest());
        }
        return hex;
    }

    public long size() throws IOException {
        return Files.size(temp);
    }

    /** Moves the complete file onto {@code target} ({@code Files.move} with these options). */
    public void moveTo(Path target, CopyOption... options) throws IOException {
        Files.move(temp, target, options);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // see the class comment
        }
    }
}
