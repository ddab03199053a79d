package io.mailroute.db;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The database is closed and the service is reopening it: since when, why, and how it goes.
 *
 * @param since     when the failure was first seen
 * @param diskFull  whether the disk holding the database is full (then the reopen waits for room)
 * @param cause     the failure in a few words ("No space left on device")
 * @param attempts  reopen attempts made so far
 * @param freeBytes usable bytes on the disk that holds the database file when last looked, -1 when unknown
 * @param directory the directory of the H2 file, null for a database server
 */
public record Outage(Instant since, boolean diskFull, String cause, int attempts, long freeBytes, Path directory) {

    /** One sentence for the person on call: what happened, where, and what to do. */
    public String summary() {
        String where = directory == null ? "the database" : "the database under " + directory;
        if (diskFull) {
            return "disk full: " + where + " was closed after a write failed (" + cause + "); "
                    + (freeBytes < 0 ? "" : bytes(freeBytes) + " free there now. ")
                    + "Free space on that disk: Mailroute reopens the database by itself and catches up "
                    + "(mail waits in Gmail, every cursor stays where it was)";
        }
        return where + " was closed after a failure (" + cause + "); Mailroute tries to reopen it every few seconds. "
                + "If this lasts, check the disk and the database (see the log)";
    }

    Outage attempted(boolean stillDiskFull, String lastCause, long free) {
        return new Outage(since, diskFull || stillDiskFull, lastCause == null ? cause : lastCause, attempts + 1, free,
                directory);
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        if (bytes < 1024 * 1024) {
            return (bytes / 1024) + " KiB";
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
