package io.mailroute.reports;

import io.mailroute.files.OwnerOnly;
import io.mailroute.reports.render.RenderedDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where generated report documents are kept: content-addressed like attachments, {@code <dir>/<sha[0..2]>/<sha>.<format>},
 * so the same bytes are kept once however many runs or recipients share them, and a name says nothing of the content.
 * Files and directories are the service's user's only (0600, 0700: they may hold customer data). Retention (deleting what no run within
 * {@code mailroute.reports.retention} refers to) is the caller's: {@link #delete}.
 */
public final class ReportFiles {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern FORMAT = Pattern.compile("csv|html|pdf|json");

    private final Path directory;

    /** @param directory the store's root ({@code mailroute.reports.dir}, by default {@code <data-dir>/reports}) */
    public ReportFiles(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    /**
     * Moves a freshly rendered document into the store under its content address (or drops it when those bytes are
     * stored already) and answers where it is now.
     *
     * @throws IOException naming the file when it cannot be moved
     */
    public Path store(RenderedDocument document) throws IOException {
        Path target = path(document.sha256(), document.format().name().toLowerCase(java.util.Locale.ROOT));
        OwnerOnly.directory(directory);
        OwnerOnly.directory(target.getParent());
        if (Files.isRegularFile(target) && Files.size(target) == document.bytes()) {
            Files.deleteIfExists(document.file());
            return target;
        }
        try {
            Files.move(document.file(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("could not store the report document " + document.file() + " as " + target + ": "
                    + e.getMessage(), e);
        }
        return target;
    }

    /** Where the document with this content address is (whether or not it is there). */
    public Path path(String sha256, String format) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("a report document's address is 64 lower-case hex digits, not " + sha256);
        }
        if (format == null || !FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("a report document's format is csv, html, pdf or json, not " + format);
        }
        return directory.resolve(sha256.substring(0, 2)).resolve(sha256 + "." + format);
    }

    /** The stored document, when it is still there (retention may have deleted it). */
    public Optional<Path> find(String sha256, String format) {
        Path path = path(sha256, format);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /** Deletes a stored document; true when there was one. */
    public boolean delete(String sha256, String format) throws IOException {
        return Files.deleteIfExists(path(sha256, format));
    }

    /** A directory for rendering into before {@link #store} (same file system, so the move is atomic). */
    public Path staging() throws IOException {
        OwnerOnly.directory(directory);
        return OwnerOnly.directory(directory.resolve("staging"));
    }
}
