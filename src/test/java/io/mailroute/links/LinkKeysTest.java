package io.mailroute.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.config.ConfigException;
import io.mailroute.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the signing keys come from: the environment before the key file, previous keys for verifying only. */
class LinkKeysTest {

    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    @TempDir
    Path dir;

    @Test
    void aMissingKeyFileIsCreatedOwnerOnlyAndReusedNextTime() throws Exception {
        Path keyFile = dir.resolve("data").resolve("link.key");
        LinkKeys first = LinkKeys.load(NO_ENVIRONMENT, keyFile, List.of());
        assertTrue(Files.isRegularFile(keyFile));
        if (keyFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent())));
        }
        assertEquals(32, Base64.getDecoder().decode(Files.readString(keyFile).trim()).length);
        assertEquals(first.currentId(), LinkKeys.load(NO_ENVIRONMENT, keyFile, List.of()).currentId(), "the same key again");
        assertTrue(first.describe().contains("key file " + keyFile), first.describe());
        try (var left = Files.list(keyFile.getParent())) {
            assertEquals(1, left.count(), "no temp file left behind");
        }
    }

    @Test
    void theEnvironmentWinsOverTheKeyFile() throws Exception {
        Path keyFile = dir.resolve("link.key");
        Files.writeString(keyFile, LinkKeys.generate());
        String fromEnv = LinkKeys.generate();
        LinkKeys keys = LinkKeys.load(Map.of(LinkKeys.ENV, fromEnv)::get, keyFile, List.of());
        assertEquals(LinkKeys.of(fromEnv).currentId(), keys.currentId());
        assertNotEquals(LinkKeys.load(NO_ENVIRONMENT, keyFile, List.of()).currentId(), keys.currentId());
        assertTrue(keys.describe().contains("environment variable " + LinkKeys.ENV), keys.describe());
    }

    @Test
    void theEnvironmentNeedsNoKeyFile() {
        Path keyFile = dir.resolve("link.key");
        LinkKeys.load(Map.of(LinkKeys.ENV, LinkKeys.generate())::get, keyFile, List.of());
        assertFalse(Files.exists(keyFile));
    }

    @Test
    void previousKeysFromTheEnvironmentAndFilesVerifyOnly() throws Exception {
        String current = LinkKeys.generate();
        String fromEnvA = LinkKeys.generate();
        String fromEnvB = LinkKeys.generate();
        Path oldFile = Files.writeString(dir.resolve("old.key"), LinkKeys.generate() + "\n");
        LinkKeys keys = LinkKeys.load(Map.of(LinkKeys.ENV, current, LinkKeys.PREVIOUS_ENV, fromEnvA + ", " + fromEnvB + ",")::get,
                dir.resolve("link.key"), List.of(oldFile));
        assertEquals(LinkKeys.of(current).currentId(), keys.currentId());
        for (String previous : List.of(fromEnvA, fromEnvB)) {
            assertNotNull(keys.find(LinkKeys.of(previous).currentId()));
        }
        assertNotNull(keys.find(LinkKeys.load(NO_ENVIRONMENT, oldFile, List.of()).currentId()));
        assertNull(keys.find(LinkKeys.of(LinkKeys.generate()).currentId()));
        assertTrue(keys.describe().contains("3 previous keys"), keys.describe());
    }

    @Test
    void theCurrentKeyListedAgainAsPreviousStaysCurrent() {
        String current = LinkKeys.generate();
        LinkKeys keys = LinkKeys.of(current, current);
        assertEquals(LinkKeys.of(current).currentId(), keys.currentId());
        assertFalse(keys.describe().contains("previous"), keys.describe());
    }

    @Test
    void aBadKeyIsNamedByWhereItIsAndNeverShown() throws Exception {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        Path badFile = Files.writeString(dir.resolve("bad.key"), "not base64 at all!");
        ConfigException e = assertThrows(ConfigException.class, () -> LinkKeys.load(
                Map.of(LinkKeys.ENV, shortKey, LinkKeys.PREVIOUS_ENV, LinkKeys.generate() + ",secret-ish")::get,
                dir.resolve("link.key"), List.of(badFile, dir.resolve("gone.key"))));
        List<String> problems = e.problems().stream().map(ConfigProblem::toString).toList();
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("environment variable " + LinkKeys.ENV + ": is not a signed-link key"), problems.get(0));
        assertTrue(problems.get(1).startsWith("environment variable " + LinkKeys.PREVIOUS_ENV + " (entry 2)"), problems.get(1));
        assertTrue(problems.get(2).startsWith(badFile + ": " + LinkKeys.PREVIOUS_KEY_FILES), problems.get(2));
        assertTrue(problems.get(3).contains("gone.key: " + LinkKeys.PREVIOUS_KEY_FILES + ": does not exist"), problems.get(3));
        for (String secret : List.of(shortKey, "secret-ish", "not base64 at all!")) {
            assertFalse(e.getMessage().contains(secret), "the message shows a key: " + e.getMessage());
        }
    }

    @Test
    void checkCreatesNothingAndAcceptsAKeyFileStillToBeMade() throws Exception {
        Path keyFile = dir.resolve("link.key");
        assertEquals(List.of(), LinkKeys.check(NO_ENVIRONMENT, keyFile, List.of()));
        assertFalse(Files.exists(keyFile));
        Files.writeString(keyFile, "short");
        List<ConfigProblem> problems = LinkKeys.check(NO_ENVIRONMENT, keyFile, List.of());
        assertEquals(1, problems.size());
        assertEquals(LinkKeys.KEY_FILE, problems.get(0).key());
        assertEquals(keyFile.toString(), problems.get(0).file());
    }

    @Test
    void anUnreadableKeyFileSaysSo() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("link.key"), LinkKeys.generate());
        Assumptions.assumeTrue(keyFile.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(keyFile), "running as root: every file is readable");
        ConfigException e = assertThrows(ConfigException.class, () -> LinkKeys.load(NO_ENVIRONMENT, keyFile, List.of()));
        assertTrue(e.getMessage().contains("cannot read the signed-link key"), e.getMessage());
    }

    @Test
    void aKeyGivenDirectlyMustBeLongEnough() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinkKeys.of(Base64.getEncoder().encodeToString(new byte[31])));
        assertFalse(e.getMessage().contains("AAAA"), e.getMessage());
        LinkKeys.of(Base64.getEncoder().encodeToString(new byte[64]));
    }
}
