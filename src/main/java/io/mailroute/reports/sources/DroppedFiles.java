package io.mailroute.reports.sources;

import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.FileSource;
import io.mailroute.reports.RunWindow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file source: CSV files (UTF-8, a header line) that another system drops into a directory, each distributed once.
 * A run claims the oldest matching file (by last change, then name) by moving it, atomically, to
 * {@code <directory>/.mailroute/processing/<runId>/}; a resumed run finds it there and reads the same file; when the
 * run is over {@link #finished} moves it to {@code .mailroute/done/} or {@code .mailroute/failed/} as
 * {@code <period>-<name>}. Only regular files directly in the directory count (no links, nothing in sub-directories).
 * The other system should drop a file complete, by writing it under another name and renaming it: a file is taken
 * as it is found. A dry run (run id 0) reads the oldest matching file where it is and moves nothing.
 */
final class DroppedFiles {

    private static final Logger LOG = LoggerFactory.getLogger(DroppedFiles.class);
    static final String OWN = ".mailroute";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String FIX = "Have the other system drop a corrected file, then run the report again";

    private final Clock clock;

    DroppedFiles(Clock clock) {
        this.clock = clock;
    }

    <T> T read(ReportDefinition report, FileSource source, RunWindow window, TableReader<T> use)
            throws SourceException, IOException {
        Path file = pickUp(report, source, window);
        String origin = "report '" + report.id() + "': the file " + file;
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new SourceException(origin + " could not be opened: " + e.getMessage(), e);
        }
        try (in) {
            return use.read(CsvRows.table(report.title(), in, StandardCharsets.UTF_8, origin, FIX));
        }
    }

    /** The file the run reads: the one it claimed before, else the oldest waiting one, claimed now (not for a dry run). */
    Path pickUp(ReportDefinition report, FileSource source, RunWindow window) throws SourceException {
        Path directory = source.directory().toAbsolutePath().normalize();
        String where = directory + " (source.directory, " + report.where("source.directory") + ")";
        if (window.runId() != 0) {
            Optional<Path> claimed = first(processing(directory, window), path -> true, report, where);
            if (claimed.isPresent()) {
                return claimed.get();
            }
        }
        if (!Files.isDirectory(directory)) {
            throw new SourceException("report '" + report.id() + "': the directory " + where + " does not exist. Create "
                    + "it, or correct source.directory to where the other system drops its files");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + source.pattern());
        while (true) {
            Optional<Path> oldest = first(directory, path -> matcher.matches(path.getFileName()), report, where);
            if (oldest.isEmpty()) {
                throw new SourceException("report '" + report.id() + "': no file matching '" + source.pattern() + "' in "
                        + where + ": the other system has not dropped it yet. Run the report again once it has");
            }
            if (window.runId() == 0) {
                return oldest.get();
            }
            Path claimed = processing(directory, window).resolve(oldest.get().getFileName());
            try {
                Files.createDirectories(claimed.getParent());
                Files.move(oldest.get(), claimed, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("Report {}: run {} ({}) picked up {}", report.id(), window.runId(), window.period(), oldest.get());
                return claimed;
            } catch (NoSuchFileException e) {
                // another run took it in the meantime: the next oldest, if any
            } catch (IOException e) {
                throw new SourceException("report '" + report.id() + "': could not move " + oldest.get() + " to " + claimed
                        + " to pick it up: " + e.getMessage() + ". The service needs to write in " + where, e);
            }
        }
    }

    /** Moves the run's file to done/ or failed/ as {@code <period>-<name>}; nothing when it has none (any more). */
    void finished(ReportDefinition report, FileSource source, RunWindow window, boolean succeeded) throws SourceException {
        if (window.runId() == 0) {
            return;
        }
        Path directory = source.directory().toAbsolutePath().normalize();
        Path processing = processing(directory, window);
        if (!Files.isDirectory(processing)) {
            return;
        }
        Path aside = directory.resolve(OWN).resolve(succeeded ? "done" : "failed");
        try {
            Files.createDirectories(aside);
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(processing)) {
                entries.forEach(files::add);
            }
            for (Path file : files) {
                String name = safe(window.period()) + "-" + file.getFileName();
                Path target = aside.resolve(name);
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) { // never replace an earlier run's file
                    target = aside.resolve(safe(window.period()) + "-" + STAMP.format(clock.instant()) + "-run"
                            + window.runId() + "-" + file.getFileName());
                }
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("Report {}: run {} ({}) {}: moved its file to {}", report.id(), window.runId(), window.period(),
                        succeeded ? "done" : "failed", target);
            }
            Files.delete(processing);
        } catch (IOException e) {
            throw new SourceException("report '" + report.id() + "': could not move the file of run " + window.runId()
                    + " from " + processing + " to " + aside + ": " + e.getMessage() + ". Move it by hand; the service "
                    + "needs to write in " + directory, e);
        }
    }

    private static Path processing(Path directory, RunWindow window) {
        return directory.resolve(OWN).resolve("processing").resolve(Long.toString(window.runId()));
    }

    /** The oldest (by last change, then name) regular file directly in {@code directory} that {@code wanted}. */
    private static Optional<Path> first(Path directory, Predicate<Path> wanted, ReportDefinition report,
            String where) throws SourceException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        record Candidate(Path path, FileTime changed) {
        }
        List<Candidate> candidates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path path : entries) {
                if (wanted.test(path) && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        candidates.add(new Candidate(path, Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS)));
                    } catch (NoSuchFileException e) {
                        // taken meanwhile
                    }
                }
            }
        } catch (IOException e) {
            throw new SourceException("report '" + report.id() + "': could not list " + directory + " (" + where + "): "
                    + e.getMessage() + ". The service needs to read it", e);
        }
        return candidates.stream().min(Comparator.comparing(Candidate::changed)
                .thenComparing(c -> c.path().getFileName().toString())).map(Candidate::path);
    }

    /** A period key as part of a file name. */
    private static String safe(String period) {
        return period.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
