package io.mailroute.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The token the service leaves for commands run on its machine by its user ({@code status},
 * {@code connect}, {@code token create} …): an admin token, replaced at every start, in
 * {@code <data-dir>/local-commands.token} readable by that user only. Whoever can read the file
 * can already read the database beside it, so it gives nobody more than they had.
 */
public final class LocalCommandsToken {

    public static final String FILE_NAME = "local-commands.token";
    /** Every instance's local token is named so; {@link ApiTokens#anyBesides} leaves them out. */
    public static final String NAME_PREFIX = "local-commands@";
    /** Set, it is the token commands use instead of the file (another user, another machine). */
    public static final String ENVIRONMENT = "MAILROUTE_TOKEN";

    private final Path file;

    public LocalCommandsToken(Path dataDir) {
        this.file = dataDir.toAbsolutePath().resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /**
     * This instance's token name: the host and its data directory, so instances on one shared database
     * each keep their own.
     */
    public String name() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        String dataDir = String.format("%08x", file.getParent().toString().hashCode());
        return NAME_PREFIX + host.replaceAll("[^A-Za-z0-9.-]", "-") + "." + dataDir;
    }

    /** At start: a new admin token replaces the last one, and the file holds it (owner read/write only). */
    public void issue(ApiTokens tokens) {
        ApiTokens.Created created = tokens.replace(name(), Role.ADMIN, "service start");
        try {
            Files.createDirectories(file.getParent());
            Path temporary = file.resolveSibling(FILE_NAME + ".new");
            Files.deleteIfExists(temporary);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(temporary, created.token() + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the local commands' token to " + file + ": " + e.getMessage()
                    + ". The service needs to write its data directory (mailroute.data-dir).", e);
        }
    }

    /** The token a command sends: {@value #ENVIRONMENT}, else the file's; empty when neither can be had. */
    public Optional<String> read(java.util.function.Function<String, String> environment) {
        String fromEnvironment = environment.apply(ENVIRONMENT);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(fromEnvironment.trim());
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim()).filter(t -> !t.isEmpty());
        } catch (NoSuchFileException | AccessDeniedException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
