package io.mailroute.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where Mailroute keeps mail, attachments, the database and grants: directories 0700 and files 0600, so
 * that other users of the machine read none of it whatever the umask. On a file system without POSIX
 * permissions (Windows) these are plain file operations.
 */
public final class OwnerOnly {

    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private OwnerOnly() {
    }

    /**
     * Creates the directory and its missing parents owner-only; an existing one that others may enter is
     * made owner-only (a data directory made by an older version).
     */
    public static Path directory(Path dir) throws IOException {
        if (!hasPosix(dir)) {
            return Files.createDirectories(dir);
        }
        if (Files.isDirectory(dir)) {
            restrict(dir, DIRECTORY);
            return dir;
        }
        return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }

    /** Writes the file whole, owner-only from its first byte: through a temp file in its directory, then an atomic move. */
    public static void write(Path file, byte[] content) throws IOException {
        write(file, new java.io.ByteArrayInputStream(content));
    }

    /** Writes the stream's content as {@link #write(Path, byte[])} does; the caller closes the stream. */
    public static void write(Path file, java.io.InputStream content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = hasPosix(dir)
                ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(FILE))
                : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (java.io.OutputStream out = Files.newOutputStream(temp)) { // the temp file keeps its permissions
                content.transferTo(out);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates the file with this content, owner-only from its first byte, only if it does not exist yet: no reader
     * ever sees it half written (it is written beside it, then linked in place). Its missing parent directories
     * are created owner-only; existing ones are left as they are.
     *
     * @throws FileAlreadyExistsException when the file exists (another process may have just created it)
     */
    public static void createNew(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            directory(dir);
        }
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", fileAttributes(dir));
        try {
            Files.write(temp, content);
            try {
                Files.createLink(file, temp); // atomic, and fails when the file exists
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (IOException | UnsupportedOperationException noHardLinks) {
                Files.move(temp, file); // fails when the file exists (a file system without hard links)
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Makes every file directly in {@code dir} owner-only (files another library created, such as H2's). */
    public static void restrictFiles(Path dir) throws IOException {
        if (!hasPosix(dir) || !Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                restrict(file, FILE);
            }
        }
    }

    /** The attribute that creates a file owner-only, or none where there are no POSIX permissions. */
    public static FileAttribute<?>[] fileAttributes(Path dir) {
        return hasPosix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    private static void restrict(Path path, Set<PosixFilePermission> wanted) throws IOException {
        if (!Files.getPosixFilePermissions(path).equals(wanted)) {
            Files.setPosixFilePermissions(path, wanted);
        }
    }

    private static boolean hasPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
