package io.mailroute.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100,000-row table rendered in every format by a JVM with a 32 MiB heap, from rows made as they are read: the
 * documents are complete, so the renderer streamed. The control: that heap cannot even hold the rows.
 */
class LargeTableRenderTest {

    private static final int ROWS = 100_000;
    private static final String SMALL_HEAP = "-Xmx32m";

    @TempDir
    Path dir;

    @Test
    void aHundredThousandRowsRenderInEveryFormatWithASmallHeap() throws Exception {
        Result run = runWithSmallHeap(dir.toString(), String.valueOf(ROWS));

        assertEquals(0, run.exit(), run.output());
        for (DocumentFormat format : DocumentFormat.tables()) {
            assertTrue(run.output().contains(format + " " + ROWS + " "), format + " reports " + ROWS + " rows:\n" + run.output());
        }
        assertCsvComplete(dir.resolve("large.csv"));
        assertHtmlComplete(dir.resolve("large.html"));
        assertPdfComplete(dir.resolve("large.pdf"));
    }

    @Test
    void theSmallHeapCannotHoldTheRowsThemselves() throws Exception {
        Result run = runWithSmallHeap(dir.toString(), String.valueOf(ROWS), "held");

        assertNotEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("OutOfMemoryError"), run.output());
    }

    private static void assertCsvComplete(Path csv) throws IOException {
        long records = 0;
        String last = null;
        try (BufferedReader lines = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                records++;
                last = line;
            }
        }
        assertEquals(ROWS + 1, records, "the header and every row");
        List<String> row = LargeTableRender.row(ROWS);
        assertEquals(String.join(",", row.subList(0, 5)) + ",\"" + row.get(5) + "\"", last, "the note has commas: quoted");
    }

    private static void assertHtmlComplete(Path html) throws IOException {
        long rows = 0;
        String last = null;
        try (BufferedReader lines = Files.newBufferedReader(html, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("<tr><td>")) {
                    rows++;
                }
                last = line;
            }
        }
        assertEquals(ROWS, rows);
        assertEquals("</html>", last);
    }

    private static void assertPdfComplete(Path pdf) throws IOException {
        try (PDDocument document = Loader.loadPDF(pdf.toFile())) {
            int pages = document.getNumberOfPages();
            assertTrue(pages > 1000, "100,000 rows take over a thousand pages, got " + pages);
            String first = text(document, 1);
            String lastPage = text(document, pages);
            assertTrue(first.contains("\nR000001 customer-"), first); // the cells wrap: the first words of the row
            assertTrue(lastPage.contains("Reference Customer Amount Due Status Note"), lastPage);
            assertTrue(lastPage.contains("\nR100000 customer-"), lastPage);
            assertTrue(lastPage.contains(ROWS + " rows"), lastPage);
            assertTrue(lastPage.contains("Page " + pages + " of " + pages), lastPage);
        }
    }

    private static String text(PDDocument document, int page) throws IOException {
        PDFTextStripper stripper = new PDFTextStripper();
        stripper.setSortByPosition(true);
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        return stripper.getText(document);
    }

    private record Result(int exit, String output) {
    }

    private Result runWithSmallHeap(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), SMALL_HEAP, "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), LargeTableRender.class.getName()));
        command.addAll(List.of(args));
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!child.waitFor(15, TimeUnit.MINUTES)) { // a hang guard, not a timing assertion
                throw new AssertionError("the renderer did not finish: " + Files.readString(log));
            }
        } finally {
            child.destroyForcibly();
        }
        return new Result(child.exitValue(), Files.readString(log));
    }
}
