package io.mailroute.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyTest {

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "the file system of " + dir + " has no POSIX permissions");
    }

    @Test
    void aNewDirectoryAndItsMissingParentsAreTheOwnersOnly() throws IOException {
        Path data = dir.resolve("var").resolve("data");
        OwnerOnly.directory(data);
        assertEquals("rwx------", permissions(data));
        assertEquals("rwx------", permissions(data.getParent()));
    }

    @Test
    void anExistingDirectoryOthersCouldReadIsClosed() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerOnly.directory(data);
        assertEquals("rwx------", permissions(data));
    }

    @Test
    void aWrittenFileIsTheOwnersOnlyAndReplacesTheOldOneWhole() throws IOException {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnly.write(file, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(file));
        assertEquals("rw-------", permissions(file));
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temp file left behind");
        }
    }

    @Test
    void aNewFileIsTheOwnersOnlyInNewOwnerOnlyDirectoriesAndNeverReplacesOne() throws IOException {
        Path file = dir.resolve("keys").resolve("link.key");
        OwnerOnly.createNew(file, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(file));
        assertEquals("rw-------", permissions(file));
        assertEquals("rwx------", permissions(file.getParent()));
        org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> OwnerOnly.createNew(file, "second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("first", Files.readString(file), "the first one stays");
        try (var left = Files.list(file.getParent())) {
            assertEquals(1, left.count(), "no temp file left behind");
        }
    }

    @Test
    void filesAnotherLibraryCreatedAreClosed() throws IOException {
        Path db = Files.createDirectory(dir.resolve("db"));
        Path file = Files.writeString(db.resolve("mailroute.mv.db"), "h2");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnly.restrictFiles(db);
        assertEquals("rw-------", permissions(file));
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
