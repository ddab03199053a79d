package io.mailroute.reports.sources;

import static io.mailroute.reports.sources.SourceFixtures.WEEK;
import static io.mailroute.reports.sources.SourceFixtures.config;
import static io.mailroute.reports.sources.SourceFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.db.Database;
import io.mailroute.reports.ReportDefinition;
import io.mailroute.reports.ReportDefinition.FileSource;
import io.mailroute.reports.RunWindow;
import io.mailroute.testing.MutableClock;
import io.mailroute.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** file sources: a dropped file is picked up by one run, read again when that run resumes, and moved aside after. */
class FileSourcesTest {

    @TempDir
    Path exports;
    private Database db;
    private ReportSources sources;
    private ReportDefinition ledger;

    @BeforeEach
    void open() {
        db = TestDatabases.h2("report-file-sources");
        sources = new ReportSources(db, config(Map.of()), name -> null, ReportSources.httpClient(),
                new MutableClock(Instant.parse("2026-03-09T06:00:00Z")));
        ledger = report("ledger", new FileSource(exports, "ledger-*.csv"));
    }

    @AfterEach
    void close() {
        sources.close();
        db.close();
    }

    private Path drop(String name, String text, String changed) throws Exception {
        Path file = Files.writeString(exports.resolve(name), text);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse(changed)));
        return file;
    }

    private List<List<String>> read(RunWindow window) throws Exception {
        return sources.read(ledger, window, null, SourceFixtures::all);
    }

    private List<String> names(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theOldestMatchingFileIsPickedUpOnceReadAgainWhenItsRunResumesAndMovedToDone() throws Exception {
        drop("ledger-b.csv", "account,balance\n1000,12.00\n", "2026-03-08T10:00:00Z");
        drop("ledger-a.csv", "account,balance\n2000,3.50\n", "2026-03-08T11:00:00Z");
        drop("other.csv", "x\n1\n", "2026-03-01T00:00:00Z");

        List<List<String>> first = read(WEEK);
        assertEquals(List.of(List.of("account", "balance"), List.of("1000", "12.00")), first);
        assertEquals(List.of(".mailroute", "ledger-a.csv", "other.csv"), names(exports));
        assertEquals(first, read(WEEK), "a resumed run reads the file it picked up");

        RunWindow nextRun = WEEK.forRun(8);
        assertEquals(List.of(List.of("account", "balance"), List.of("2000", "3.50")), read(nextRun));
        SourceException none = assertThrows(SourceException.class, () -> read(WEEK.forRun(9)));
        assertEquals("report 'ledger': no file matching 'ledger-*.csv' in " + exports.toAbsolutePath() + " (source.directory, "
                + "line 9, report 'ledger', source.directory): the other system has not dropped it yet. Run the report "
                + "again once it has", none.getMessage());

        sources.finished(ledger, WEEK, true);
        sources.finished(ledger, nextRun, false);
        sources.finished(ledger, WEEK, true); // again (a crash after moving): nothing left to move

        assertEquals(List.of("2026-W10-ledger-b.csv"), names(exports.resolve(".mailroute/done")));
        assertEquals(List.of("2026-W10-ledger-a.csv"), names(exports.resolve(".mailroute/failed")));
        assertEquals(List.of(), names(exports.resolve(".mailroute/processing")));
        assertEquals("account,balance\n1000,12.00\n", Files.readString(exports.resolve(".mailroute/done/2026-W10-ledger-b.csv")));
    }

    @Test
    void aFileMovedAsideNeverReplacesAnEarlierOne() throws Exception {
        drop("ledger-1.csv", "n\n1\n", "2026-03-08T10:00:00Z");
        read(WEEK);
        sources.finished(ledger, WEEK, true);
        drop("ledger-1.csv", "n\n2\n", "2026-03-08T10:00:00Z");
        read(WEEK.forRun(8));
        sources.finished(ledger, WEEK.forRun(8), true);

        assertEquals(List.of("2026-W10-20260309T060000Z-run8-ledger-1.csv", "2026-W10-ledger-1.csv"),
                names(exports.resolve(".mailroute/done")));
    }

    @Test
    void aDryRunReadsTheOldestFileWhereItIsAndMovesNothing() throws Exception {
        drop("ledger-1.csv", "n\n1\n", "2026-03-08T10:00:00Z");
        RunWindow dryRun = WEEK.forRun(0);

        assertEquals(List.of(List.of("n"), List.of("1")), read(dryRun));
        sources.finished(ledger, dryRun, true);

        assertEquals(List.of("ledger-1.csv"), names(exports));
    }

    @Test
    void aMalformedFileNamesItsPathAndLine() throws Exception {
        drop("ledger-1.csv", "account,balance\n1000,\"12.00\n", "2026-03-08T10:00:00Z");

        SourceException e = assertThrows(SourceException.class, () -> read(WEEK));

        assertEquals("report 'ledger': the file " + exports.resolve(".mailroute/processing/7/ledger-1.csv")
                + " is not valid CSV: the quoted field opened on line 2 is never closed. Have the other system drop a "
                + "corrected file, then run the report again", e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8IsNamed() throws Exception {
        Path file = exports.resolve("ledger-1.csv");
        Files.write(file, new byte[] {'n', '\n', '1', '\n', (byte) 0xFF, '\n'});

        assertTrue(assertThrows(SourceException.class, () -> read(WEEK)).getMessage().endsWith("ledger-1.csv is not UTF-8 text on line 3. "
                + "Have the other system drop a corrected file, then run the report again"));
    }

    @Test
    void aMissingDirectoryIsNamed() {
        ReportDefinition nowhere = report("ledger", new FileSource(exports.resolve("missing"), "*.csv"));

        SourceException e = assertThrows(SourceException.class, () -> sources.read(nowhere, WEEK, null, SourceFixtures::all));

        assertTrue(e.getMessage().startsWith("report 'ledger': the directory " + exports.resolve("missing") + " (source.directory"),
                e.getMessage());
        assertFalse(Files.exists(exports.resolve("missing")));
    }
}
