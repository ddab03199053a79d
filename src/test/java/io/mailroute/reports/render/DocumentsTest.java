package io.mailroute.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DocumentsTest {

    private static final Documents DOCUMENTS = new Documents(Clock.fixed(Instant.parse("2026-03-02T08:00:00Z"), ZoneOffset.UTC));
    private static final Table QUEUES = new Table("Queues", List.of("queue", "open"),
            List.of(List.of("support", "3"), List.of("billing", "0")));

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = DocumentFormat.class, names = {"CSV", "HTML", "PDF"}) // JSON is a digest's, rendered from no table
    void theResultNamesTheFileItsSizeItsSha256AndItsRows(DocumentFormat format) throws IOException, NoSuchAlgorithmException {
        Path file = dir.resolve("new/dir/queues." + format.extension());

        RenderedDocument document = DOCUMENTS.render(QUEUES, format, file);

        byte[] bytes = Files.readAllBytes(file);
        assertEquals(file.toAbsolutePath(), document.file());
        assertEquals(format, document.format());
        assertEquals(bytes.length, document.bytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), document.sha256());
        assertEquals(2, document.rows());
        assertEquals(List.of(file.getFileName()), listing(file.getParent()), "no temp file left beside it");
    }

    @ParameterizedTest
    @EnumSource(value = DocumentFormat.class, names = {"CSV", "HTML", "PDF"}) // JSON is a digest's, rendered from no table
    void aSourceFailingMidwayLeavesThePreviousFileAsItWasAndNoTempFile(DocumentFormat format) throws IOException {
        Path file = dir.resolve("report." + format.extension());
        Files.writeString(file, "last week's report");
        Iterable<List<String>> failing = () -> new Iterator<>() {
            private int row;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public List<String> next() {
                if (++row == 120) {
                    throw new IllegalStateException("the database went away at row 120");
                }
                return List.of("row " + row, "x");
            }
        };

        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> DOCUMENTS.render(new Table("Failing", List.of("a", "b"), failing), format, file));

        assertEquals("the database went away at row 120", failure.getMessage());
        assertEquals("last week's report", Files.readString(file));
        assertEquals(List.of(file.getFileName()), listing(dir));
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRefusedNamingTheRowAndNoFileIsWritten() {
        Table ragged = new Table("Ragged", List.of("a", "b"), List.of(List.of("1", "2"), List.of("only one")));
        Path file = dir.resolve("ragged.csv");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> DOCUMENTS.render(ragged, DocumentFormat.CSV, file));

        assertEquals("row 2 of the report \"Ragged\" has 1 cells but the table has 2 columns [a, b]:"
                + " the report's source must give one value per column", refused.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void theSameTableRendersToTheSameCsvAndHtmlBytes() throws IOException {
        for (DocumentFormat format : List.of(DocumentFormat.CSV, DocumentFormat.HTML)) {
            String first = DOCUMENTS.render(QUEUES, format, dir.resolve("a." + format.extension())).sha256();
            String second = DOCUMENTS.render(QUEUES, format, dir.resolve("b." + format.extension())).sha256();
            assertEquals(first, second, format.toString());
        }
    }

    @Test
    void aFormatIsNamedInConfigurationByItsExtension() {
        assertEquals(DocumentFormat.PDF, DocumentFormat.of(" PDF "));
        assertEquals(DocumentFormat.CSV, DocumentFormat.of("csv"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> DocumentFormat.of("docx"));
        assertEquals("unknown report format \"docx\": use one of csv, html, pdf", unknown.getMessage());
        assertTrue(DocumentFormat.CSV.contentType().startsWith("text/csv"));
    }

    @Test
    void aTableNeedsAColumn() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new Table("Nothing", List.of(), List.of()));
        assertEquals("the table \"Nothing\" has no columns: a report needs at least one", refused.getMessage());
    }

    private static List<Path> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(Path::getFileName).toList();
        }
    }
}
