package io.mailroute.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mailroute.reports.Table;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders with OpenPDF, reads back with PDFBox: what a recipient's PDF reader would show. */
class PdfDocumentTest {

    private static final Documents DOCUMENTS = new Documents(
            Clock.fixed(Instant.parse("2026-03-02T08:00:00Z"), ZoneId.of("Europe/Berlin")));

    private static final List<String> COLUMNS = List.of("Invoice", "Customer", "Amount", "Status");
    private static final String HEADER = "Invoice Customer Amount Status";

    @TempDir
    Path dir;

    @Test
    void aThousandRowsBreakAcrossPagesWithTheHeaderAndPageNOfMOnEachPage() throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            rows.add(List.of(String.format("INV-%04d", i), "Customer " + i, i + ".50", i % 2 == 0 ? "paid" : "open"));
        }
        Path file = dir.resolve("invoices.pdf");

        RenderedDocument pdf = DOCUMENTS.render(new Table("Monthly invoices", COLUMNS, rows), DocumentFormat.PDF, file);

        assertEquals(1000, pdf.rows());
        try (PDDocument document = Loader.loadPDF(file.toFile())) {
            PDRectangle a4 = document.getPage(0).getMediaBox();
            assertTrue(a4.getHeight() > a4.getWidth(), "four columns: portrait");
            assertEquals("Monthly invoices", document.getDocumentInformation().getTitle());
            String first = pageText(document, 1);
            assertTrue(first.startsWith("Monthly invoices\nGenerated 2026-03-02 09:00:00 +01:00\n"), first);
            String all = assertPagedTable(document);
            assertRowsInOrder(all, rows);
            int pages = document.getNumberOfPages();
            String tail = all.substring(all.length() - 200).replaceAll("\\s+", " ").strip();
            assertTrue(tail.endsWith("INV-1000 Customer 1000 1000.50 paid 1000 rows Page " + pages + " of " + pages), tail);
        }
    }

    @Test
    void rowsOfUnevenHeightsStillGetTheHeaderOnEveryPageAndOnlyOnce() throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i <= 700; i++) { // one to four lines a row, so parts of the table end at every height
            String note = String.join("\n", Collections.nCopies(1 + (i * 7) % 4, "note " + i));
            rows.add(List.of(String.format("INV-%04d", i), "Customer " + i, i + ".50", note));
        }
        Path file = dir.resolve("uneven.pdf");

        DOCUMENTS.render(new Table("Uneven", COLUMNS, rows), DocumentFormat.PDF, file);

        try (PDDocument document = Loader.loadPDF(file.toFile())) {
            String all = assertPagedTable(document);
            int at = 0;
            for (List<String> row : rows) {
                String start = String.join(" ", row.subList(0, 3)) + " " + row.get(3).split("\n")[0];
                at = all.indexOf(start, at);
                assertTrue(at >= 0, "row \"" + start + "\" in order");
            }
        }
    }

    /** Asserts more than one page, each with the header row exactly once and "Page N of M"; returns all the text. */
    private static String assertPagedTable(PDDocument document) throws IOException {
        int pages = document.getNumberOfPages();
        assertTrue(pages > 1, "the table takes more than one page, got " + pages);
        StringBuilder all = new StringBuilder();
        for (int page = 1; page <= pages; page++) {
            String text = pageText(document, page);
            assertEquals(1, text.split(HEADER, -1).length - 1, "the header once on page " + page + ":\n" + text);
            assertTrue(text.contains("Page " + page + " of " + pages), "page number on page " + page + ":\n" + text);
            all.append(text);
        }
        return all.toString();
    }

    private static void assertRowsInOrder(String text, List<List<String>> rows) {
        int at = 0;
        for (List<String> row : rows) {
            String line = String.join(" ", row);
            int found = text.indexOf(line, at);
            assertTrue(found >= 0, "row \"" + line + "\" in order, after position " + at);
            at = found + line.length();
        }
    }

    @Test
    void moreThanSixColumnsTurnTheA4PageToLandscape() throws IOException {
        Path six = dir.resolve("six.pdf");
        Path seven = dir.resolve("seven.pdf");
        DOCUMENTS.render(new Table("Six", List.of("a", "b", "c", "d", "e", "f"), List.of()), DocumentFormat.PDF, six);
        DOCUMENTS.render(new Table("Seven", List.of("a", "b", "c", "d", "e", "f", "g"), List.of()), DocumentFormat.PDF, seven);

        try (PDDocument portrait = Loader.loadPDF(six.toFile()); PDDocument landscape = Loader.loadPDF(seven.toFile())) {
            PDRectangle p = portrait.getPage(0).getMediaBox();
            PDRectangle l = landscape.getPage(0).getMediaBox();
            assertEquals(PDRectangle.A4.getWidth(), p.getWidth(), 1);
            assertEquals(PDRectangle.A4.getHeight(), p.getHeight(), 1);
            assertEquals(PDRectangle.A4.getHeight(), l.getWidth(), 1);
            assertEquals(PDRectangle.A4.getWidth(), l.getHeight(), 1);
            assertTrue(pageText(portrait, 1).contains("No rows."));
            assertTrue(pageText(landscape, 1).contains("Page 1 of 1"));
        }
    }

    @Test
    void charactersTheFontLacksAreShownAsWhiteSquaresAndTheRestAsTheyAre() throws IOException {
        Path file = dir.resolve("unicode.pdf");
        DOCUMENTS.render(new Table("Zürich – Ωμέγα", List.of("name", "note"),
                List.of(List.of("Жуков Müller", "東京 office 😀"), List.of("tab\there", "line one\r\nline two"))),
                DocumentFormat.PDF, file);

        try (PDDocument document = Loader.loadPDF(file.toFile())) {
            String text = pageText(document, 1);
            assertTrue(text.startsWith("Zürich – Ωμέγα\n"), text);
            assertTrue(text.contains("Жуков Müller □□ office □"), text);
            assertTrue(text.contains("tab here"), text);
            assertTrue(text.contains("line one\nline two"), text);
        }
    }

    @Test
    void theFontLacksWhatTheTestAboveReplaces() throws IOException {
        PdfText text = new PdfText(PdfDocument.font());
        assertEquals("Zürich □□ □", text.shown("Zürich 東京 😀"));
        assertEquals(3, text.unshowable());
    }

    private static String pageText(PDDocument document, int page) throws IOException {
        PDFTextStripper stripper = new PDFTextStripper();
        stripper.setSortByPosition(true);
        stripper.setLineSeparator("\n");
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        return stripper.getText(document);
    }
}
