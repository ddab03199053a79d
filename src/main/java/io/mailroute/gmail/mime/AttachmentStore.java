package io.mailroute.gmail.mime;

import io.mailroute.files.OwnerOnly;
import io.mailroute.files.StagedFile;
import java.io.OutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Content-addressed attachment store: each distinct content is one file, {@code root/<sha256>}.
 * Bytes are streamed through a temp file in {@code root} and renamed into place only once complete,
 * so a reader never sees a partial file and a crash leaves at most a {@code .incoming-*} temp file.
 */
public final class AttachmentStore {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String TEMP_PREFIX = ".incoming-";
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path root;
    private final long maxAttachmentBytes;

    public AttachmentStore(Path root, long maxAttachmentBytes) {
        if (maxAttachmentBytes <= 0) {
            throw new IllegalArgumentException("the attachment size cap must be positive, got " + maxAttachmentBytes);
        }
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.maxAttachmentBytes = maxAttachmentBytes;
    }

    public Path root() {
        return root;
    }

    public long maxAttachmentBytes() {
        return maxAttachmentBytes;
    }

    /**
     * Streams to a temp file in root while hashing (SHA-256), then atomically moves to root/&lt;sha256&gt;;
     * dedups identical content; deletes the temp on any failure; throws AttachmentTooLargeException past
     * the cap without reading the rest.
     */
    public AttachmentRef store(InputStream content, String filename, String contentType, boolean inline, String contentId)
            throws IOException, AttachmentTooLargeException {
        Objects.requireNonNull(content, "content");
        String safeName = AttachmentFilenames.sanitise(filename);
        OwnerOnly.directory(root);
        try (StagedFile staged = StagedFile.in(root, TEMP_PREFIX)) { // 0600, as temp files are
            long size = 0;
            try (OutputStream out = staged.output()) { // synced on close: the database row that points here is committed next
                byte[] buffer = new byte[BUFFER_BYTES];
                int n;
                while ((n = content.read(buffer)) != -1) {
                    size += n;
                    if (size > maxAttachmentBytes) {
                        throw new AttachmentTooLargeException(safeName, maxAttachmentBytes);
                    }
                    out.write(buffer, 0, n);
                }
            }
            String hex = staged.sha256Hex();
            Path target = root.resolve(hex);
            if (!Files.exists(target) || Files.size(target) != size) { // else the same content is already stored
                try {
                    staged.moveTo(target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    // another thread stored the same content meanwhile
                }
            }
            return new AttachmentRef(safeName, normaliseContentType(contentType), size, hex, inline, normaliseContentId(contentId));
        }
    }

    /** The file for a digest; rejects anything that is not 64 hex digits, so no caller can reach outside root. */
    public Path pathOf(String sha256) {
        String hex = sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(hex).matches()) {
            String shown = sha256 == null ? "null" : HeaderText.clean(sha256.length() > 80 ? sha256.substring(0, 80) + "..." : sha256);
            throw new IllegalArgumentException("not a SHA-256 attachment id (64 hex digits): " + shown);
        }
        return root.resolve(hex);
    }

    static String normaliseContentType(String contentType) {
        if (contentType == null) {
            return "application/octet-stream";
        }
        String base = HeaderText.clean(contentType);
        int semicolon = base.indexOf(';');
        if (semicolon >= 0) {
            base = base.substring(0, semicolon);
        }
        base = base.strip().toLowerCase(Locale.ROOT);
        return base.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+") ? base : "application/octet-stream";
    }

    static String normaliseContentId(String contentId) {
        if (contentId == null) {
            return null;
        }
        String id = HeaderText.clean(contentId);
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1).strip();
        }
        return id.isEmpty() ? null : id;
    }
}
