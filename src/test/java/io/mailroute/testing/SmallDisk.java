package io.mailroute.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small, real disk for disk-full tests: a tmpfs of a few MiB mounted on a directory of the test.
 * Mounting needs root (CI runs as root); elsewhere the test is skipped, and says why. The disk is
 * filled with one file that {@link #free()} deletes again.
 */
public final class SmallDisk implements AutoCloseable {

    private static final int CHUNK = 64 * 1024;

    private final Path dir;
    private final Path filler;

    private SmallDisk(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    /** Mounts a tmpfs of {@code megabytes} on {@code dir} (created), or skips the test saying why it cannot. */
    public static SmallDisk mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String problem;
        try {
            CommandResult mount = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs",
                    dir.toAbsolutePath().toString()));
            problem = mount.exit() == 0 ? null : "mount exited with " + mount.exit() + ": " + mount.output().strip();
        } catch (IOException e) {
            problem = "cannot run mount: " + e.getMessage();
        }
        String why = problem;
        Assumptions.assumeTrue(why == null, () -> "SKIPPED: this disk-full test needs a " + megabytes + " MiB tmpfs at "
                + dir + " and could not mount one (" + why + "; user " + System.getProperty("user.name")
                + "). Run it as root, as CI does, to test what a full disk does.");
        return new SmallDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Fills the disk to the last byte with one file; every later write to the disk fails with ENOSPC. */
    public void fill() throws IOException {
        byte[] chunk = new byte[CHUNK];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int size = CHUNK; size > 0; size /= 2) {
                try {
                    while (true) {
                        out.write(chunk, 0, size);
                        out.flush();
                    }
                } catch (IOException full) {
                    // this size no longer fits: try smaller pieces, down to one byte
                }
            }
        } catch (IOException closingFull) {
            // closing may fail to flush the last piece; the disk is full either way
        }
    }

    /** Deletes the filler: the disk has room again. */
    public void free() throws IOException {
        Files.deleteIfExists(filler);
    }

    public long freeBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Unmounts (lazily if a process still has a file open, so the test's temp directory can be cleaned). */
    @Override
    public void close() throws IOException, InterruptedException {
        if (run(List.of("umount", dir.toAbsolutePath().toString())).exit() != 0) {
            run(List.of("umount", "-l", dir.toAbsolutePath().toString()));
        }
    }

    private record CommandResult(int exit, String output) {
    }

    private static CommandResult run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new CommandResult(-1, command + " did not finish");
        }
        return new CommandResult(process.exitValue(), output);
    }
}
